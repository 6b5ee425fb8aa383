"""Quick checks of config.devstack's pure helpers (no server is started here)."""

import io
import os
import subprocess
import sys
from pathlib import Path

import environ
import pytest

from config import devstack


def test_socket_url_parses_into_django_host_and_name():
    url = devstack.socket_database_url(Path("/srv/halle/var/pgdata"), 5432, "halle")

    assert url == "postgres://postgres@//srv/halle/var/pgdata/halle"
    config = environ.Env.db_url_config(url)
    assert config["HOST"] == "/srv/halle/var/pgdata"
    assert config["NAME"] == "halle"
    assert config["USER"] == "postgres"
    assert config["ENGINE"] == "django.db.backends.postgresql"


def test_socket_url_keeps_an_unusual_port():
    url = devstack.socket_database_url(Path("/srv/pg"), 5433, "halle")

    config = environ.Env.db_url_config(url)
    assert (config["HOST"], config["NAME"]) == ("/srv/pg", "halle")
    assert config["OPTIONS"] == {"port": 5433}


def test_redact_hides_only_the_password():
    assert devstack.redact("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
    assert devstack.redact("postgres://u:p@h:5432/db") == "postgres://u:***@h:5432/db"
    assert devstack.redact("postgres://postgres@127.0.0.1/halle") == (
        "postgres://postgres@127.0.0.1/halle"
    )


def test_browser_url_shows_a_reachable_address():
    assert devstack.browser_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert devstack.browser_url("0.0.0.0", 8001) == "http://127.0.0.1:8001/"  # noqa: S104
    assert devstack.browser_url("::1", 8000) == "http://[::1]:8000/"


def test_settings_module_from_the_developer_survives_the_config_import():
    # Importing the `config` package (which loads the Celery app) must not invent a settings
    # module: devstack picks its default only when the developer chose none.
    code = (
        "from config import devstack; "
        "print(devstack.child_env('config.settings.test', 'db', 'redis')['DJANGO_SETTINGS_MODULE'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    root = Path(devstack.__file__).resolve().parent.parent

    unset = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True
    )
    chosen = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert unset.stdout.strip() == "config.settings.test", unset.stderr
    assert chosen.stdout.strip() == "config.settings.production", chosen.stderr


def test_supervisor_prefixes_each_line_with_the_child_name():
    out = io.StringIO()
    supervisor = devstack.Supervisor(dict(os.environ), devstack.Signals(), out=out)

    code = supervisor.run_once("echo", [sys.executable, "-c", "print('one'); print('two')"])

    assert code == 0
    assert out.getvalue().splitlines() == ["echo   | one", "echo   | two"]


@pytest.mark.parametrize("argv", [["test", "-k", "x", "-x"], ["test", "--", "-k", "x", "-x"]])
def test_everything_after_test_goes_to_pytest(monkeypatch, argv):
    seen: list[list[str]] = []

    def fake_cmd_test(pytest_args):
        seen.append(list(pytest_args))
        return 0

    monkeypatch.setattr(devstack, "cmd_test", fake_cmd_test)

    assert devstack.main(argv) == 0
    assert seen == [["-k", "x", "-x"]]

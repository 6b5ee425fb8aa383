"""Customers register for a workshop with one seat, on a phone (360×800) in Chromium: the
first logs in from the event page's « log in to register » link, comes back to the page and
takes the seat; the second is put on the waiting list and told their position. The event
page passes axe without a serious violation and loads nothing from outside Halle until the
visitor asks for the map of the place.

Elements are found by ids and data attributes: the French catalogue of these strings is
produced after this work, so their wording is not asserted here.
"""

from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from playwright.sync_api import expect

from collectives.models import Registration
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import CollectiveFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def log_in(page, live_server, user):
    """Log ``user`` in by handing the browser a session cookie (a fresh session)."""
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def workshop():
    collective = CollectiveFactory(name="Cœur de Bastide")
    return EventFactory(
        collective=collective,
        title="Atelier vannerie",
        description="Tressez votre premier panier.",
        capacity=1,
        street="Place Lafayette",
        postcode="47300",
        latitude=Decimal("44.408700"),
        longitude=Decimal("0.704400"),
    )


def test_a_customer_registers_and_the_next_one_is_waitlisted(page, live_server, workshop):
    page.set_viewport_size({"width": 360, "height": 800})
    occurrence = workshop.occurrences.get()
    date = page.locator(f"#date-{occurrence.pk}")
    alice = UserFactory(email="alice@example.org")
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    bob = UserFactory(email="bob@example.org")
    event_url = live_server.url + workshop.get_absolute_url()

    # A visitor sees the seats left and is offered to log in first.
    page.goto(event_url)
    page.wait_for_load_state("networkidle")
    assert foreign_requests(page) == []
    assert not any("leaflet" in url for url in page.requests)
    expect(date.locator("[data-seats]")).to_have_attribute("data-seats", "1")
    assert serious_violations(page) == []
    date.locator("[data-login-to-register]").click()

    # The log-in form brings her back to the event, where the button now waits.
    page.fill("#id_login", alice.email)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(event_url)
    date.locator("[data-register]").click()
    expect(date.locator("[data-registration='confirmed']")).to_be_visible()
    expect(page.locator(".message--success")).to_be_visible()
    expect(date.locator("[data-unregister]")).to_be_visible()
    assert Registration.objects.get(user=alice).status == Registration.Status.CONFIRMED

    # The seat is taken: the next customer joins the waiting list and learns her position.
    log_in(page, live_server, bob)
    page.requests.clear()
    page.goto(event_url)
    page.wait_for_load_state("networkidle")
    expect(date.locator("[data-seats]")).to_have_attribute("data-seats", "0")
    date.locator("[data-register]").click()
    waiting = date.locator("[data-registration='waitlisted']")
    expect(waiting).to_be_visible()
    expect(waiting).to_have_attribute("data-waiting-position", "1")
    expect(page.locator(".message--warning")).to_contain_text("1")
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    assert foreign_requests(page) == []
    assert Registration.objects.get(user=bob).status == Registration.Status.WAITLISTED

    # The place's pin appears once the map is asked for (only then are tiles requested).
    page.locator("[data-collective-map-open]").click()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)

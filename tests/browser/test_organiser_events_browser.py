"""An organiser creates a recurring market on a phone (360×800): fills the event form with
« every week », publishes the event, finds its Saturdays on the dates page and cancels one.
The form and the dates page pass axe without a serious violation, and nothing leaves Halle.

Elements are found by ids and data attributes: the French catalogue of these strings is
produced after this work, so their wording is not asserted here.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from collectives.models import Event, EventOccurrence
from tests.browser.conftest import foreign_requests, serious_violations
from tests.browser.test_organiser_invites_a_shop import log_in
from tests.factories import CollectiveFactory, OrganiserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_organiser_creates_a_recurring_market(page, live_server):
    collective = CollectiveFactory(
        name="Cœur de Bastide", map_latitude=Decimal("44.408700"), map_longitude=Decimal("0.704400")
    )
    organiser = OrganiserFactory(collective=collective, role="organiser").user
    day = timezone.localdate() + dt.timedelta(days=7)
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)

    log_in(page, live_server, organiser)
    page.goto(live_server.url + reverse("organiser_events:list", args=[collective.slug]))
    page.locator("#new-event").click()
    page.wait_for_url(f"**{reverse('organiser_events:create', args=[collective.slug])}")

    # A first try without a title: the form comes back with what was typed, and says why.
    page.select_option("#id_kind", "market")
    page.fill("#id_date", saturday.isoformat())
    page.fill("#id_start_time", "08:00")
    page.fill("#id_end_time", "13:00")
    page.select_option("#id_repeat", "weekly")
    page.fill("#id_place_name", "Place Lafayette")
    page.fill("#id_city", "Villeneuve-sur-Lot")
    page.check("#id_registration_open")
    page.fill("#id_capacity", "40")
    page.locator("#event-form button[type=submit]").click()
    expect(page.locator(".form-field--error #id_title")).to_be_visible()
    expect(page.locator("#id_place_name")).to_have_value("Place Lafayette")
    expect(page.locator("#id_repeat")).to_have_value("weekly")
    expect(page.locator("#cover-again")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []

    # The pin: the map (asked for, then loaded) starts on the collective's town; a tap there
    # fills the coordinates. Nothing left Halle before that click.
    assert foreign_requests(page) == []
    with page.expect_request(lambda request: "tile.openstreetmap.org" in request.url):
        page.locator("[data-shop-map-open]").click()
    canvas = page.locator("[data-shop-map-canvas]")
    expect(canvas).to_have_class(re.compile(r"\bleaflet-container\b"))
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#id_latitude")).not_to_have_value("")

    page.fill("#id_title", "Marché du samedi")
    page.locator("#event-form button[type=submit]").click()
    event_page = re.compile(r"/evenements/marche-du-samedi/dates/$")
    page.wait_for_url(event_page)
    expect(page.locator("#event-status")).to_have_attribute("data-status", "draft")

    # Publishing comes back to the event; its dates are one click away.
    page.locator("#publish-event").click()
    expect(page.locator("#event-status")).to_have_attribute("data-status", "published")
    event = Event.objects.get(collective=collective)
    assert event.status == Event.Status.PUBLISHED
    assert abs(event.latitude - Decimal("44.4087")) < Decimal("0.01")
    assert abs(event.longitude - Decimal("0.7044")) < Decimal("0.01")
    page.goto(
        live_server.url + reverse("organiser_events:dates", args=[collective.slug, event.slug])
    )

    dates = page.locator("#dates > li[data-occurrence]")
    expect(dates.first).to_be_visible()
    assert dates.count() >= 50  # a year of Saturdays
    starts = [
        dt.datetime.fromisoformat(s)
        for s in dates.evaluate_all("items => items.map(item => item.dataset.start)")
    ]
    assert {start.weekday() for start in starts} == {5}
    assert {(start.hour, start.minute) for start in starts} == {(8, 0)}
    assert starts[0].date() == saturday
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []

    # Cancelling the third Saturday: a confirmation, then the date is marked cancelled.
    third = dates.nth(2)
    occurrence_id = third.get_attribute("data-occurrence")
    third.locator("[data-action=cancel]").click()
    third.locator("[data-action=confirm-cancel]").click()
    page.wait_for_load_state("load")
    cancelled = page.locator(f"#dates > li[data-occurrence='{occurrence_id}']")
    expect(cancelled).to_have_attribute("data-status", "cancelled")
    expect(page.locator("#dates > li[data-status='cancelled']")).to_have_count(1)
    assert EventOccurrence.objects.get(pk=occurrence_id).status == "cancelled"
    expect(cancelled.locator("[data-action=restore]")).to_be_visible()
    assert serious_violations(page) == []
    # Only the map's tiles, asked for by the click on « place on the map », left Halle.
    assert foreign_requests(page)
    assert all("tile.openstreetmap.org" in url for url in foreign_requests(page))

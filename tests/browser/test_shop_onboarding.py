"""Getting started on a phone (360×800) in a real Chromium: create a shop without touching the
map, publish it, then ask for the map — and nothing leaves Halle before that click.

Elements are found by their ids and data attributes: the French catalogue of the new
back-office strings is produced after this work, so their wording is not asserted here.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from merchants.models import Merchant, MerchantMember
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import MerchantMemberFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

OSM_TILES = "tile.openstreetmap.org"


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 360, "height": 800})


def test_a_shopkeeper_creates_publishes_and_places_their_shop(page, live_server):
    user = UserFactory()
    log_in(page, live_server, user)

    page.goto(live_server.url + reverse("shop:index"))
    page.wait_for_url(f"**{reverse('shop:create')}")
    page.fill("#id_name", "Fromagerie Lucie")
    page.select_option("#id_trade", "cheese")
    page.fill("#id_street", "4 rue de Penne")
    page.fill("#id_postcode", "47300")
    page.fill("#id_city", "Villeneuve-sur-Lot")
    # The position is typed, the map left alone.
    page.fill("#id_latitude", "44,408700")
    page.fill("#id_longitude", "0.704400")
    page.fill("#id_d1_0_opens", "09:00")
    page.fill("#id_d1_0_closes", "12:30")
    page.fill("#id_d1_1_opens", "14:30")
    page.fill("#id_d1_1_closes", "19:00")
    # « Same hours as the day before » copies Tuesday to Wednesday.
    wednesday = page.locator("[data-hours-day]").nth(2)
    wednesday.locator("[data-hours-copy]").click()
    expect(page.locator("#id_d2_1_closes")).to_have_value("19:00")
    # « Closed » greys a day out; its hours are then not sent.
    page.check("#id_d6_closed")
    expect(page.locator("#id_d6_0_opens")).to_be_disabled()
    page.locator("form.shop-form button[type=submit]").click()

    shop = Merchant.objects.get(name="Fromagerie Lucie")
    page.wait_for_url(f"**{reverse('shop:dashboard', args=[shop.slug])}")
    expect(page.locator(".shop-status")).to_contain_text("Brouillon")
    assert MerchantMember.objects.get(merchant=shop).user == user
    assert shop.status == Merchant.Status.DRAFT
    assert shop.opening_hours.filter(weekday=2).count() == 2
    assert str(shop.latitude) == "44.408700"

    page.locator(f"form[action='{reverse('shop:publish', args=[shop.slug])}'] button").click()
    expect(page.locator(".shop-status")).not_to_contain_text("Brouillon")
    shop.refresh_from_db()
    assert shop.status == Merchant.Status.ACTIVE

    page.goto(live_server.url + reverse("shop:profile", args=[shop.slug]))
    opener = page.locator("[data-shop-map-open]")
    expect(opener).to_be_visible()
    assert page.locator(".leaflet-container").count() == 0
    assert foreign_requests(page) == [], "a third party was contacted before the click"

    # Tiles are asked for only after the click (and fail: this machine's network is closed).
    with page.expect_request(lambda request: OSM_TILES in request.url):
        opener.click()
    canvas = page.locator("[data-shop-map-canvas]")
    expect(canvas).to_have_class(re.compile(r"\bleaflet-container\b"))
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    assert foreign_requests(page)
    assert all(OSM_TILES in url for url in foreign_requests(page))
    # A tap on the map moves the pin and fills the inputs.
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.2)
    expect(page.locator("#id_latitude")).not_to_have_value("44.408700")
    expect(page.locator("[data-shop-map-status]")).not_to_be_empty()


@pytest.mark.parametrize("which", ["create", "profile"])
def test_shop_forms_have_no_serious_accessibility_violation(page, live_server, which):

    member = MerchantMemberFactory()
    log_in(page, live_server, member.user)
    path = {
        "create": reverse("shop:create"),
        "profile": reverse("shop:profile", args=[member.merchant.slug]),
    }[which]
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")

    serious = serious_violations(page)
    assert serious == []
    assert foreign_requests(page) == []

"""Click & collect in a real Chromium at phone size (360×800): a customer reserves a cheese
from its page and sees the pickup code and its QR code; the shopkeeper, on their own phone
(a second browser context), opens the reservations inbox, confirms and marks it ready with
one tap each (htmx swaps the row), then types the customer's code and hands the order over.
Every page passes axe without a serious violation and loads nothing from outside Halle.

Elements are found by ids and data attributes: the French catalogue of these strings is
produced after this work, so their wording is not asserted here.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from catalog.models import Product
from orders.models import Reservation
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import (
    MerchantMemberFactory,
    OpeningHoursFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 800}


def log_in(context, live_server, user) -> None:
    """Hand the browser context a session cookie of ``user`` (a fresh session)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def cheese():
    member = MerchantMemberFactory(
        role="owner", merchant__name="Fromagerie Dupuy", merchant__street="3 rue des Cornières"
    )
    shop = member.merchant
    # Open every day until late: a pickup day is offered whenever the test runs.
    for weekday in range(7):
        OpeningHoursFactory(
            merchant=shop, weekday=weekday, opens=dt.time(0, 0), closes=dt.time(23, 30)
        )
    product = ProductFactory(
        merchant=shop, title="Tomme des Pyrénées", price=Decimal("12.50"), stock=5
    )
    product.owner = member.user
    return product


def test_a_customer_reserves_and_the_shop_hands_it_over(browser, page, live_server, cheese):
    page.set_viewport_size(PHONE)
    customer = UserFactory(display_name="Camille Martin")
    log_in(page.context, live_server, customer)

    # The customer reserves two from the product page (paid in the shop).
    page.goto(live_server.url + cheese.get_absolute_url())
    form = page.locator("[data-reserve-form]")
    expect(page.locator("[data-pay-in-shop]")).to_be_visible()
    form.locator("#reserve-quantity").fill("2")
    expect(form.locator("input[name=pickup]").first).to_be_checked()
    form.locator("#reserve-note").fill("Bien affinée, merci")
    form.locator("[data-reserve]").click()

    code = page.locator("[data-pickup-code]")
    expect(code).to_be_visible()
    reservation = Reservation.objects.get()
    expect(code).to_have_text(reservation.code)
    expect(page.locator("svg.pickup-qr")).to_be_visible()
    expect(page.locator("[data-total]")).to_contain_text("25,00")
    assert Product.objects.get(pk=cheese.pk).stock == 3
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    assert foreign_requests(page) == []

    # The shopkeeper, on their own phone, finds it highlighted in the inbox.
    shop_context = browser.new_context(locale="fr-FR", viewport=PHONE)
    try:
        shop_page = shop_context.new_page()
        shop_page.set_default_timeout(15_000)
        log_in(shop_context, live_server, cheese.owner)
        shop_page.goto(
            live_server.url + reverse("shop_reservations:inbox", args=[cheese.merchant.slug])
        )
        row = shop_page.locator(f"#reservation-{reservation.pk}")
        expect(row).to_have_attribute("data-new", "")
        shop_page.wait_for_load_state("networkidle")
        assert serious_violations(shop_page) == []

        # One tap confirms, one tap marks it ready: the row is swapped in place.
        row.locator("[data-action=confirm]").click()
        expect(row).to_have_attribute("data-status", "confirmed")
        expect(row.locator("[data-row-done]")).to_be_visible()
        row.locator("[data-action=ready]").click()
        expect(row).to_have_attribute("data-status", "ready")
        assert shop_page.url.endswith(f"/mon-commerce/{cheese.merchant.slug}/reservations/")

        # At the counter: the customer says the code, the shopkeeper types it.
        shop_page.locator("#pickup-code").fill(reservation.code.lower())
        shop_page.locator("[data-find-code]").click()
        article = shop_page.locator(f"article[data-reservation='{reservation.pk}']")
        expect(article).to_have_attribute("data-status", "ready")
        expect(article.locator("[data-pickup-code]")).to_have_text(reservation.code)
        shop_page.wait_for_load_state("networkidle")
        assert serious_violations(shop_page) == []
        article.locator("[data-action=collect]").click()
        expect(
            shop_page.locator(f"article[data-reservation='{reservation.pk}']")
        ).to_have_attribute("data-status", "collected")
        expect(shop_page.locator(".message--success")).to_be_visible()
    finally:
        shop_context.close()

    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.COLLECTED
    assert Product.objects.get(pk=cheese.pk).stock == 3  # sold: the units stay taken

    # The customer's page now says it was picked up; no code to show any more.
    page.reload()
    expect(page.locator("[data-reservation]")).to_have_attribute("data-status", "collected")
    expect(page.locator("[data-pickup-code]")).to_have_count(0)

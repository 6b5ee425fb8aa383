"""A customer follows a shop from its page, on a phone (360×800) in Chromium, and sees the
shop's new product in « Mon fil ». The visitor logs in through the « log in to follow »
link and comes back to the shop's page; the button is swapped in place by htmx (no page
load); the shop page and the feed pass axe without a serious violation and load nothing
from outside Halle.

Elements are found by ids and data attributes: the French catalogue of these strings is
produced after this work, so their wording is not asserted here.
"""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from collectives.models import Follow
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import MerchantFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def test_a_customer_follows_a_shop_and_sees_its_new_product_in_the_feed(page, live_server):
    page.set_viewport_size({"width": 360, "height": 800})
    shop = MerchantFactory(name="Fromagerie du Lot", slug="fromagerie-du-lot")
    ProductFactory(
        merchant=shop, title="Cabécou", published_at=timezone.now() - dt.timedelta(days=2)
    )
    alice = UserFactory(email="alice@example.org")
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    shop_url = live_server.url + shop.get_absolute_url()
    button = page.locator(f"#follow-shop-{shop.pk}")

    # A visitor is offered to log in first, and comes back to the shop's page.
    page.goto(shop_url)
    page.wait_for_load_state("networkidle")
    assert foreign_requests(page) == []
    assert serious_violations(page) == []
    button.locator("[data-login-to-follow]").click()
    page.fill("#id_login", alice.email)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(shop_url)

    # Following swaps the button in place: the page is not reloaded.
    page.evaluate("window.notReloaded = true")
    button.locator("[data-follow-button]").click()
    expect(button).to_have_attribute("data-following", "true")
    expect(button.locator("[data-unfollow]")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    assert Follow.objects.filter(user=alice, merchant=shop).exists()
    assert serious_violations(page) == []

    # The shop publishes a new product; it heads « Mon fil ».
    ProductFactory(merchant=shop, title="Tomme de chèvre")
    page.goto(live_server.url + "/mon-fil/")
    feed = page.locator("[data-feed]")
    expect(feed).to_be_visible()
    items = feed.locator("[data-feed-item]")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Tomme de chèvre")
    expect(items.first).to_contain_text("Fromagerie du Lot")
    expect(items.nth(1)).to_contain_text("Cabécou")
    assert foreign_requests(page) == []
    assert serious_violations(page) == []

    # Unfollowing from the shop's page empties the feed.
    page.goto(shop_url)
    button.locator("[data-unfollow]").click()
    expect(button).to_have_attribute("data-following", "false")
    page.goto(live_server.url + "/mon-fil/")
    expect(page.locator("[data-feed-empty]")).to_be_visible()
    assert serious_violations(page) == []

"""A visitor searches the shared catalog on a phone (360×800) in Chromium: a query with a
typo finds the product (htmx swaps the results, the URL follows), the facets refine the
results, « Near me » measures distances from the browser's position, a shop page has its
own search box, and axe finds no serious accessibility violation.

Elements are found by ids, roles and data attributes: the French catalogue of the new
strings is produced after this work, so their wording is not asserted here.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.search import search_vectors_refresh
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import CollectiveFactory, MembershipFactory, MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def town():
    collective = CollectiveFactory(
        name="Cœur de Bastide", map_latitude=Decimal("44.408"), map_longitude=Decimal("0.704")
    )
    cheese = MerchantFactory(
        name="Fromagerie du Lot", latitude=Decimal("44.4087"), longitude=Decimal("0.7044")
    )
    bakery = MerchantFactory(name="Au Bon Pain")
    for shop in (cheese, bakery):
        MembershipFactory(collective=collective, merchant=shop)
    ProductFactory(merchant=cheese, title="Camembert de Normandie", description="Lait cru.")
    ProductFactory(merchant=cheese, title="Tomme de brebis", description="Affinée six mois.")
    ProductFactory(merchant=bakery, title="Baguette tradition", description="Au levain.")
    ProductFactory(merchant=bakery, title="Tarte aux pommes", description="Pâte brisée.")
    search_vectors_refresh()
    return collective


def catalog_path(collective):
    return f"/collectifs/{collective.slug}/catalogue/"


def test_a_query_with_a_typo_finds_the_product(page, live_server, town):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + catalog_path(town))
    results = page.locator("#catalog-results")
    expect(results).to_contain_text("Baguette tradition")

    box = page.locator("#id_q")
    box.fill("camenbert")
    box.press("Enter")
    # htmx replaces the results and the URL follows.
    page.wait_for_url("**q=camenbert**")
    expect(results.locator(".product-card")).to_have_count(1)
    expect(results).to_contain_text("Camembert de Normandie")
    expect(results).not_to_contain_text("Baguette tradition")
    expect(box).to_be_focused()

    # Typing again (no Enter): the results follow once the typing pauses.
    box.fill("")
    box.press_sequentially("tartes", delay=30)
    page.wait_for_url("**q=tartes**")
    expect(results.locator(".product-card")).to_have_count(1)
    expect(results).to_contain_text("Tarte aux pommes")

    # The facets refine the results.
    results.locator(".catalog-facets summary").click()
    assert serious_violations(page) == []
    assert foreign_requests(page) == []


def test_search_works_without_javascript(browser, live_server, town):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(live_server.url + catalog_path(town))
        page.locator("#id_q").fill("baguete")
        page.locator(".catalog-search__button").click()
        page.wait_for_url("**q=baguete**")
        expect(page.locator("#catalog-results .product-card")).to_have_count(1)
        expect(page.locator("#catalog-results")).to_contain_text("Baguette tradition")
        # The « Near me » button needs JavaScript: hidden without it.
        expect(page.locator("[data-near-me]")).to_be_hidden()
    finally:
        context.close()


def test_near_me_measures_distances_from_the_browsers_position(browser, live_server, town):
    context = browser.new_context(
        locale="fr-FR",
        viewport={"width": 360, "height": 800},
        geolocation={"latitude": 44.4087, "longitude": 0.7044},
        permissions=["geolocation"],
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + catalog_path(town))
        page.locator("[data-near-me-button]").click()
        page.wait_for_url("**lat=44.409**")
        assert "lng=0.704" in page.url
        assert "km=2" in page.url
        results = page.locator("#catalog-results")
        # The bakery has no position: out of « within 2 km ».
        expect(results.locator(".product-card")).to_have_count(2)
        expect(results.locator(".product-card__distance").first).to_be_visible()
        assert serious_violations(page) == []
    finally:
        context.close()


def test_a_shop_page_searches_its_own_products(page, live_server, town):
    page.set_viewport_size({"width": 360, "height": 800})
    shop = town.memberships.get(merchant__name="Fromagerie du Lot").merchant
    page.goto(live_server.url + shop.get_absolute_url())
    page.locator("#shop-search-q").fill("tome")
    page.locator("#shop-search-q").press("Enter")
    page.wait_for_url("**q=tome**")
    cards = page.locator(".product-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Tomme de brebis")
    assert serious_violations(page) == []

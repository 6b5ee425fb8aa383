"""A visitor on a collective's page and its shared catalog, in Chromium at 360×800: nothing
leaves Halle until the map is asked for, the catalog filters, and axe finds no serious
accessibility violation."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Category
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import (
    CollectiveFactory,
    MembershipFactory,
    MerchantFactory,
    OpeningHoursFactory,
    ProductFactory,
    StoryFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

# New strings show in English until the French catalogue is updated (locale/ is not ours).
SEE_THE_MAP = re.compile("Voir la carte|See the map")
TRADE = re.compile("^(Activité|Métier|Trade)$")
SHOW = re.compile("^(Afficher|Show)$")


@pytest.fixture
def town():
    collective = CollectiveFactory(
        name="Les Commerçants de Villeneuve",
        description="Les boutiques du centre, ensemble.",
        charter="Nous vendons ce que nous faisons ou choisissons nous-mêmes.",
    )
    cheese_cat = Category.objects.create(name="Fromages navigateur", slug="fromages-nav")
    books_cat = Category.objects.create(name="Livres navigateur", slug="livres-nav")
    cheese = MerchantFactory(
        name="Fromagerie du Lot",
        trade="cheese",
        latitude=Decimal("44.408700"),
        longitude=Decimal("0.704400"),
    )
    books = MerchantFactory(name="Librairie des Arcades", trade="books")
    for shop in (cheese, books):
        MembershipFactory(collective=collective, merchant=shop)
        OpeningHoursFactory(merchant=shop)
    ProductFactory(merchant=cheese, title="Tomme de brebis", category=cheese_cat)
    ProductFactory(merchant=books, title="Atlas des Landes", category=books_cat)
    StoryFactory(merchant=cheese, title="L'affinage en cave")
    return collective


def phone(page):
    page.set_viewport_size({"width": 360, "height": 800})


def test_collective_page_loads_nothing_outside_halle_until_the_map_is_asked_for(
    page, live_server, town
):
    phone(page)
    page.goto(live_server.url + town.get_absolute_url())
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == town.name
    assert foreign_requests(page) == []
    assert not any("leaflet" in url for url in page.requests)

    page.get_by_role("button", name=SEE_THE_MAP).click()
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    # Only now are the tiles asked for (they fail here: the network is closed).
    assert any("tile.openstreetmap.org" in url for url in foreign_requests(page))

    # Remembered for the tab: the next visit opens the map straight away.
    page.reload()
    expect(page.locator(".leaflet-container")).to_be_visible()


def test_directory_filter_by_trade_works_without_javascript(browser, live_server, town):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(live_server.url + town.get_absolute_url())
        page.get_by_label(TRADE).select_option("books")
        page.get_by_role("button", name=SHOW).click()
        page.wait_for_url("**metier=books**")
        shops = page.locator(".shop-card")
        expect(shops).to_have_count(1)
        expect(shops.first).to_contain_text("Librairie des Arcades")
    finally:
        context.close()


def test_catalog_filters_by_category_and_the_results_change(page, live_server, town):
    phone(page)
    page.goto(live_server.url + f"/collectifs/{town.slug}/catalogue/")
    results = page.locator("#catalog-results")
    expect(results).to_contain_text("Tomme de brebis")
    expect(results).to_contain_text("Atlas des Landes")

    page.get_by_label("Catégorie").select_option("livres-nav")
    # htmx replaces the results and the URL follows.
    page.wait_for_url("**categorie=livres-nav**")
    expect(page.locator("#catalog-results")).not_to_contain_text("Tomme de brebis")
    expect(page.locator("#catalog-results")).to_contain_text("Atlas des Landes")
    assert foreign_requests(page) == []


@pytest.mark.parametrize("which", ["collective", "catalog"])
def test_collective_pages_have_no_serious_accessibility_violation(page, live_server, town, which):
    phone(page)
    path = {
        "collective": town.get_absolute_url(),
        "catalog": f"/collectifs/{town.slug}/catalogue/",
    }[which]
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    assert foreign_requests(page) == []

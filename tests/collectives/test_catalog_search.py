"""The shared catalog's search box, « open now », distance and facets (issue 5, item 1), on
the page itself: French queries, relevance as the default order, facets with counts that
apply a filter, distances shown on the cards, and a query count that does not grow."""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import translation

import catalog.search
from catalog.models import Category, Label, Product
from catalog.search import search_vectors_refresh
from tests.factories import (
    ClosureFactory,
    CollectiveFactory,
    MembershipFactory,
    MerchantFactory,
    OpeningHoursFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


def member(collective, **kwargs):
    shop = MerchantFactory(**kwargs)
    MembershipFactory(collective=collective, merchant=shop)
    return shop


def catalog_url(collective, lang="", **params):
    # French URLs (an /en/ request leaves English active in the thread).
    with translation.override("fr"):
        url = lang + reverse("collectives:catalog", kwargs={"slug": collective.slug})
    return f"{url}?{urlencode(params)}" if params else url


def titles(response):
    return [p.title for p in response.context["products"]]


# Tuesday 6 January 2026, 10:00 in Paris (UTC+1 in winter).
TUESDAY_10H_PARIS = dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def town():
    """Two member shops with positions and hours, one without; a non-member's products."""
    collective = CollectiveFactory(
        map_latitude=Decimal("44.400000"), map_longitude=Decimal("0.700000")
    )
    food = Category.objects.create(name="Épicerie test", slug="epicerie-test")
    dairy = Category.objects.create(name="Crèmerie test", slug="cremerie-test", parent=food)
    bakery = member(
        collective, name="Au Bon Pain", latitude=Decimal("44.405000"), longitude=Decimal("0.700000")
    )
    cheese = member(
        collective,
        name="Fromagerie du Lot",
        latitude=Decimal("44.440000"),
        longitude=Decimal("0.700000"),
    )
    market = member(collective, name="Ferme sans adresse")
    OpeningHoursFactory(merchant=bakery, weekday=1, opens=dt.time(7), closes=dt.time(13))
    OpeningHoursFactory(merchant=cheese, weekday=1, opens=dt.time(9), closes=dt.time(19))
    ClosureFactory(merchant=cheese, starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 1, 10))
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for shop, title, description, category, labels, age in [
        (bakery, "Baguette tradition", "Farine locale.", food, ["local"], 1),
        (bakery, "Tarte aux pommes", "Pâte brisée.", food, ["local", "organic"], 2),
        (bakery, "Pain aux noix", "Avec des noix du Périgord.", food, [], 3),
        (cheese, "Camembert fermier", "Lait cru.", dairy, ["organic"], 4),
        (cheese, "Pâté de campagne", "Recette du village.", food, ["local"], 5),
        (cheese, "Panier du fromager", "Un camembert, une tarte salée.", dairy, [], 6),
        (market, "Pommes de terre", "Du champ d'à côté.", None, ["local"], 7),
    ]:
        ProductFactory(
            merchant=shop,
            title=title,
            description=description,
            category=category,
            labels=labels,
            published_at=now - dt.timedelta(days=age),
        )
    stranger = MerchantFactory()
    ProductFactory(merchant=stranger, title="Tarte d'ailleurs")
    search_vectors_refresh()
    return SimpleNamespace(
        collective=collective,
        food=food,
        dairy=dairy,
        bakery=bakery,
        cheese=cheese,
        market=market,
    )


# --- The search box ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("pate", "Pâté de campagne"),
        ("Pâtés", "Pâté de campagne"),
        ("tartes", "Tarte aux pommes"),
        ("baguete", "Baguette tradition"),
        ("camenbert", "Camembert fermier"),
        ("tartte", "Tarte aux pommes"),
    ],
)
def test_search_box_finds_french_words_with_accents_plurals_and_typos(client, town, query, first):
    """Rule: the catalog's search is accent-insensitive, stemmed and typo-tolerant."""
    found = titles(client.get(catalog_url(town.collective, q=query)))
    assert found[0] == first
    assert "Tarte d'ailleurs" not in found  # another town's shop


def test_with_a_query_the_default_order_is_relevance(client, town):
    """Rule: with q the default sort is relevance — a title match above a description match."""
    response = client.get(catalog_url(town.collective, q="camembert"))
    assert titles(response) == ["Camembert fermier", "Panier du fromager"]
    # An explicit sort still applies to the matches.
    response = client.get(catalog_url(town.collective, q="camembert", tri="recent"))
    assert titles(response) == ["Camembert fermier", "Panier du fromager"]
    response = client.get(catalog_url(town.collective, q="tarte", tri="titre"))
    assert titles(response) == ["Panier du fromager", "Tarte aux pommes"]


def test_without_a_query_the_existing_order_stays(client, town):
    """Rule: an empty q keeps the catalog's sorts (newest first by default)."""
    response = client.get(catalog_url(town.collective, q="  "))
    assert titles(response)[:3] == ["Baguette tradition", "Tarte aux pommes", "Pain aux noix"]
    assert len(titles(response)) == 7


def test_query_combines_with_the_filters(client, town):
    """Rule: the search and the filters narrow together."""
    response = client.get(catalog_url(town.collective, q="tarte", boutique=town.bakery.slug))
    assert titles(response) == ["Tarte aux pommes"]
    response = client.get(catalog_url(town.collective, q="pommes", label="organic"))
    assert titles(response) == ["Tarte aux pommes"]


def test_result_count_names_the_query_and_no_match_says_so(client, town):
    content = client.get(catalog_url(town.collective, lang="/en", q="camembert")).content
    assert "2 products for « camembert »" in content.decode()
    content = client.get(catalog_url(town.collective, lang="/en", q="zzzzzz")).content.decode()
    assert "No product matches « zzzzzz » with these filters." in content


def test_search_box_keeps_the_query(client, town):
    content = client.get(catalog_url(town.collective, q="pâté")).content.decode()
    assert re.search(r'<input type="search" name="q" value="pâté"', content)


# --- Open now -------------------------------------------------------------------------------


def test_open_now_keeps_the_shops_open_at_this_moment(client, town, monkeypatch):
    """Rule: « open now » = weekly hours contain the Paris time and no closure covers today
    (the cheese shop has hours but is on holiday; the farm has no hours)."""
    monkeypatch.setattr(catalog.search, "timezone", SimpleNamespace(now=lambda: TUESDAY_10H_PARIS))
    response = client.get(catalog_url(town.collective, ouvert="on"))
    assert sorted(titles(response)) == ["Baguette tradition", "Pain aux noix", "Tarte aux pommes"]
    response = client.get(catalog_url(town.collective, ouvert="on", q="camembert"))
    assert titles(response) == []


# --- Distance -------------------------------------------------------------------------------


def test_distance_from_the_url_point_filters_and_shows_on_cards(client, town):
    """Rule: lat, lng and km in the URL alone filter by distance (haversine); shops without
    a position are left out; each card shows its distance."""
    params = {"lat": "44.4", "lng": "0.7", "km": "1"}
    response = client.get(catalog_url(town.collective, lang="/en", **params))
    assert sorted(titles(response)) == ["Baguette tradition", "Pain aux noix", "Tarte aux pommes"]
    content = response.content.decode()
    assert content.count('class="product-card__distance">0.6 km</span>') == 3
    assert "Forget my position" in content
    response = client.get(catalog_url(town.collective, **{**params, "km": "5"}))
    assert "Pommes de terre" not in titles(response)  # the farm has no position
    assert len(titles(response)) == 6


def test_distance_without_a_point_is_measured_from_the_collective_centre(client, town):
    """Rule: the collective's map centre is the default point."""
    response = client.get(catalog_url(town.collective, km="2", tri="distance"))
    assert titles(response) == ["Baguette tradition", "Pain aux noix", "Tarte aux pommes"]
    assert response.context["show_distance"]
    assert "Forget my position" not in response.content.decode()


def test_nearest_first_with_a_point_puts_shops_without_position_last(client, town):
    response = client.get(catalog_url(town.collective, lat="44.44", lng="0.7", tri="distance"))
    found = titles(response)
    assert set(found[:3]) == {"Camembert fermier", "Pâté de campagne", "Panier du fromager"}
    assert found[-1] == "Pommes de terre"


@pytest.mark.parametrize(
    "params", [{"lat": "120", "lng": "0.7", "km": "2"}, {"km": "3"}, {"lat": "x", "lng": "y"}]
)
def test_invalid_point_or_distance_is_dropped(client, town, params):
    """Rule: a bad latitude or an unknown distance is ignored, the other filters kept."""
    response = client.get(catalog_url(town.collective, **params))
    assert response.status_code == 200
    if params.get("km") == "2":
        # The point is dropped, the distance applies from the centre.
        assert "Pommes de terre" not in titles(response)
    else:
        assert len(titles(response)) == 7


def test_distance_is_ignored_when_the_collective_has_no_centre(client, town):
    town.collective.map_latitude = town.collective.map_longitude = None
    town.collective.save()
    assert len(titles(client.get(catalog_url(town.collective, km="1")))) == 7


# --- Facets ---------------------------------------------------------------------------------


def facet(response, name):
    group = next(g for g in response.context["facet_groups"] if g.name == name)
    return {choice.label: choice.count for choice in group.choices}


def test_facets_count_categories_shops_and_labels_of_the_results(client, town):
    """Rule: the results page has facets with counts, each over the other filters."""
    response = client.get(catalog_url(town.collective, q="tarte"))
    # Top-level categories count their sub-categories' products.
    assert facet(response, "categorie") == {"Épicerie test": 2, "Crèmerie test": 1}
    assert facet(response, "boutique") == {"Au Bon Pain": 1, "Fromagerie du Lot": 1}
    assert facet(response, "label") == {str(Label.LOCAL.label): 1, str(Label.ORGANIC.label): 1}

    response = client.get(catalog_url(town.collective, q="tarte", boutique=town.cheese.slug))
    assert titles(response) == ["Panier du fromager"]
    # The shop facet still offers the other shop; the others follow the shop filter.
    assert facet(response, "boutique") == {"Au Bon Pain": 1, "Fromagerie du Lot": 1}
    assert facet(response, "categorie") == {"Épicerie test": 1, "Crèmerie test": 1}
    assert "label" not in {g.name for g in response.context["facet_groups"]}


def test_a_facet_link_applies_its_filter_and_the_chosen_one_removes_it(client, town):
    response = client.get(catalog_url(town.collective, q="tarte", page="1"))
    group = next(g for g in response.context["facet_groups"] if g.name == "boutique")
    bakery = next(c for c in group.choices if c.label == "Au Bon Pain")
    assert "page=" not in bakery.url
    response = client.get(catalog_url(town.collective) + bakery.url)
    assert titles(response) == ["Tarte aux pommes"]
    group = next(g for g in response.context["facet_groups"] if g.name == "boutique")
    chosen = next(c for c in group.choices if c.selected)
    assert chosen.label == "Au Bon Pain"
    assert "boutique=" not in chosen.url
    assert "q=tarte" in chosen.url
    content = response.content.decode()
    assert 'aria-current="true"' in content
    assert "(1)" in content


# --- Query count --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "tartte"},
        {"q": "pain", "ouvert": "on", "km": "5", "lat": "44.4", "lng": "0.7"},
        {"q": "pain", "categorie": "alim-qc", "label": "local", "tri": "distance", "km": "10"},
    ],
)
def test_search_page_query_count_is_the_same_at_10_and_200_products(
    client, django_assert_max_num_queries, monkeypatch, params
):
    """Rule: the search results page (facets included) costs a constant number of queries:
    collective, categories, member shops, facets and total, page of products, photos."""
    monkeypatch.setattr(catalog.search, "timezone", SimpleNamespace(now=lambda: TUESDAY_10H_PARIS))
    food = Category.objects.create(name="Alimentation qc", slug="alim-qc")
    counts = []
    for size in (10, 200):
        collective = CollectiveFactory(
            map_latitude=Decimal("44.400000"), map_longitude=Decimal("0.700000")
        )
        shops = [
            member(collective, latitude=Decimal("44.41"), longitude=Decimal("0.70")),
            member(collective, latitude=Decimal("44.42"), longitude=Decimal("0.71")),
        ]
        for shop in shops:
            OpeningHoursFactory(merchant=shop, weekday=1, opens=dt.time(9), closes=dt.time(19))
        for index in range(size):
            ProductFactory(
                merchant=shops[index % 2],
                category=food,
                title=f"Pain n° {index}" if index % 2 else f"Tarte n° {index}",
                labels=["local"],
            )
        search_vectors_refresh(products=Product.objects.filter(merchant__in=shops))
        with django_assert_max_num_queries(6) as captured:
            response = client.get(catalog_url(collective, **params))
        assert response.status_code == 200
        assert len(response.context["products"]) == min(size // 2, 24)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_htmx_search_request_gets_the_results_and_facets(client, town):
    response = client.get(catalog_url(town.collective, q="tarte"), headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'id="catalog-results"' in content
    assert "catalog-facets" in content
    assert titles(response) == ["Tarte aux pommes", "Panier du fromager"]

"""The public collective page (directory, map data, JSON-LD, latest products and stories) and
the shared catalog (filters, order, pages, what never shows, constant query counts)."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Category, ProductImage
from tests.factories import (
    CategoryFactory,
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    OpeningHoursFactory,
    ProductFactory,
    ProductImageFactory,
    SelectionFactory,
    SelectionItemFactory,
    StoryFactory,
    StoryImageFactory,
)

pytestmark = pytest.mark.django_db


def member(collective, **kwargs):
    shop = MerchantFactory(**kwargs)
    MembershipFactory(collective=collective, merchant=shop)
    return shop


def catalog_url(collective, **params):
    from urllib.parse import urlencode

    url = reverse("collectives:catalog", kwargs={"slug": collective.slug})
    return f"{url}?{urlencode(params)}" if params else url


def titles(response):
    return [p.title for p in response.context["products"]]


def ready_image(product):
    return ProductImageFactory(
        product=product,
        status=ProductImage.Status.READY,
        position=0,
        renditions={"320": {"width": 320, "height": 320, "webp": "a.webp", "jpeg": "a.jpg"}},
    )


# --- The collective page ---------------------------------------------------------------------


@pytest.fixture
def town():
    collective = CollectiveFactory(name="Les Commerçants de Villeneuve", town="Villeneuve")
    bakery = member(
        collective,
        name="Au Bon Pain",
        trade="bakery",
        latitude=Decimal("44.408700"),
        longitude=Decimal("0.704400"),
    )
    OpeningHoursFactory(merchant=bakery)
    cheese = member(collective, name="Fromagerie du Lot", trade="cheese")
    books = member(
        collective,
        name="Librairie <Page>",
        trade="books",
        latitude=Decimal("44.409000"),
        longitude=Decimal("0.705000"),
    )
    return collective, bakery, cheese, books


def test_directory_is_filtered_by_trade_in_the_url(client, town):
    collective, _bakery, _cheese, _books = town
    response = client.get(collective.get_absolute_url(), {"metier": "cheese"})
    listed = [shop.name for shop, _state in response.context["shops"]]
    assert listed == ["Fromagerie du Lot"]
    content = response.content.decode()
    assert "1 boutique" in content or "1 shop" in content
    # The filter offers the trades present, the chosen one selected.
    assert '<option value="cheese" selected>' in content
    assert 'value="bakery"' in content


def test_directory_without_filter_lists_every_member_with_address_and_link(client, town):
    collective, bakery, cheese, books = town
    content = client.get(collective.get_absolute_url()).content.decode()
    assert "3 boutiques" in content or "3 shops" in content
    for shop in (bakery, cheese, books):
        assert f'href="{shop.get_absolute_url()}"' in content
    assert "1 rue de la Halle, 47300 Villeneuve" in content


def test_unknown_trade_shows_every_shop(client, town):
    collective, *_shops = town
    response = client.get(collective.get_absolute_url(), {"metier": "nonsense"})
    assert len(response.context["shops"]) == 3
    assert response.context["trade"] == ""


def test_map_markers_are_the_shops_with_a_position_and_their_details(client, town):
    collective, bakery, _cheese, _books = town
    content = client.get(collective.get_absolute_url()).content.decode()
    match = re.search(
        r'<script id="collective-map-data" type="application/json">(.*?)</script>', content
    )
    assert match, "the page carries the map's data"
    data = json.loads(match.group(1))
    markers = {m["name"]: m for m in data["markers"]}
    assert set(markers) == {"Au Bon Pain", "Librairie <Page>"}  # not the cheese shop
    bread = markers["Au Bon Pain"]
    assert bread["url"] == bakery.get_absolute_url()
    assert bread["lat"] == pytest.approx(44.4087)
    assert bread["lng"] == pytest.approx(0.7044)
    assert bread["trade"] in ("Boulangerie", "Bakery")
    assert bread["open"]  # it has hours: « Ouvert … » or « Fermé … »
    assert markers["Librairie <Page>"]["open"] == ""  # no hours published
    # Leaflet is not on the page until the visitor asks for the map.
    assert "leaflet.js" not in re.sub(r'data-leaflet-js="[^"]*"', "", content)
    assert "tile.openstreetmap.org" not in content


def test_map_follows_the_trade_filter_and_is_absent_without_positions(client, town):
    collective, *_shops = town
    content = client.get(collective.get_absolute_url(), {"metier": "cheese"}).content.decode()
    assert "data-collective-map" not in content  # the only cheese shop has no position


def test_organization_json_ld_parses_and_names_the_members(client, town):
    collective, bakery, cheese, books = town
    content = client.get(collective.get_absolute_url()).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    assert match
    assert "<Page>" not in match.group(1)  # escaped inside the <script>
    data = json.loads(match.group(1))
    assert data["@type"] == "Organization"
    assert data["name"] == collective.name
    assert data["url"] == "http://testserver" + collective.get_absolute_url()
    assert data["address"]["addressLocality"] == "Villeneuve"
    members = {m["name"]: m["url"] for m in data["member"]}
    assert members == {
        "Au Bon Pain": "http://testserver" + bakery.get_absolute_url(),
        "Fromagerie du Lot": "http://testserver" + cheese.get_absolute_url(),
        "Librairie <Page>": "http://testserver" + books.get_absolute_url(),
    }


def test_latest_products_and_stories_show_only_public_things(client, town):
    collective, bakery, cheese, _books = town
    ProductFactory(merchant=bakery, title="Baguette tradition")
    ProductFactory(merchant=bakery, title="Brouillon", status="draft", published_at=None)
    ProductFactory(merchant=bakery, title="Archivé", status="archived")
    outsider = MerchantFactory(name="Hors collectif")
    ProductFactory(merchant=outsider, title="Produit d'ailleurs")
    StoryFactory(merchant=cheese, title="L'affinage en cave")
    StoryFactory(merchant=cheese, title="Histoire brouillon", status="draft", published_at=None)
    StoryFactory(merchant=outsider, title="Histoire d'ailleurs")
    left = MerchantFactory(name="Partie")
    MembershipFactory(collective=collective, merchant=left, status="left", left_at=timezone.now())
    StoryFactory(merchant=left, title="Histoire d'une partante")
    ProductFactory(merchant=left, title="Produit d'une partante")

    content = client.get(collective.get_absolute_url()).content.decode()
    assert "Baguette tradition" in content
    assert "L&#x27;affinage en cave" in content
    for hidden in (
        "Brouillon",
        "Archivé",
        "Produit d&#x27;ailleurs",
        "Histoire brouillon",
        "Histoire d&#x27;ailleurs",
        "Histoire d&#x27;une partante",
        "Produit d&#x27;une partante",
    ):
        assert hidden not in content, hidden
    assert f'href="{catalog_url(collective)}"' in content


def test_latest_stories_are_the_three_newest(client, town):
    collective, bakery, *_shops = town
    now = timezone.now()
    for days in range(5):
        StoryFactory(
            merchant=bakery, title=f"Récit {days}", published_at=now - dt.timedelta(days=days)
        )
    stories = client.get(collective.get_absolute_url()).context["stories"]
    assert [t.story.title for t in stories] == ["Récit 0", "Récit 1", "Récit 2"]


def make_collective_page_data(collective, shops: int, products_per_shop: int):
    for index in range(shops):
        shop = member(
            collective,
            trade="bakery" if index % 2 else "cheese",
            latitude=Decimal("44.40"),
            longitude=Decimal("0.70"),
        )
        OpeningHoursFactory(merchant=shop)
        for product in ProductFactory.create_batch(products_per_shop, merchant=shop):
            ready_image(product)
        story = StoryFactory(merchant=shop)
        StoryImageFactory(story=story, position=0)
    # Events and selections grow with the shops: the page shows a few of each.
    products = list(shop.products.all())
    for index in range(shops):
        EventFactory(collective=collective, capacity=10)
        selection = SelectionFactory(collective=collective)
        for position, product in enumerate(products[: index + 1]):
            SelectionItemFactory(selection=selection, product=product, position=position)


@pytest.mark.parametrize("params", [{}, {"metier": "bakery"}])
def test_collective_page_query_count_does_not_grow(client, django_assert_max_num_queries, params):
    counts = []
    for shops, products in ((2, 2), (12, 15)):
        collective = CollectiveFactory()
        make_collective_page_data(collective, shops=shops, products_per_shop=products)
        # collective, shops, their hours, their closures, products, their photos, stories,
        # their photos; the next date of each event and the covers; the featured selections,
        # their covers, their products and the products' photos.
        with django_assert_max_num_queries(14) as captured:
            response = client.get(collective.get_absolute_url(), params)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_home_links_each_collective_to_its_catalog(client, town):
    collective, *_shops = town
    content = client.get(reverse("collectives:home")).content.decode()
    assert f'href="{catalog_url(collective)}"' in content


def test_sitemap_lists_each_active_collective_catalog(client, town):
    collective, *_shops = town
    hidden = CollectiveFactory(status="draft")
    body = client.get("/sitemap.xml").content.decode()
    assert f"http://testserver{catalog_url(collective)}</loc>" in body
    assert f"http://testserver{collective.get_absolute_url()}</loc>" in body
    assert catalog_url(hidden) not in body


# --- The shared catalog ----------------------------------------------------------------------


@pytest.fixture
def catalog_town():
    collective = CollectiveFactory(name="Villeneuve ensemble")
    food = Category.objects.create(name="Alimentation test", slug="alimentation-test")
    cheese_cat = Category.objects.create(name="Fromages test", slug="fromages-test", parent=food)
    books_cat = CategoryFactory(name="Livres test", slug="livres-test")
    cheese = member(collective, name="Fromagerie")
    books = member(collective, name="Librairie")
    now = timezone.now()
    products = {
        "Comté": ProductFactory(
            merchant=cheese,
            title="Comté",
            price=Decimal("32.40"),
            category=cheese_cat,
            labels=["local"],
            published_at=now - dt.timedelta(days=3),
        ),
        "Panier garni": ProductFactory(
            merchant=cheese,
            title="Panier garni",
            price=Decimal("12.50"),
            category=food,
            stock=0,
            published_at=now - dt.timedelta(days=2),
        ),
        "Atlas": ProductFactory(
            merchant=books,
            title="Atlas",
            price=Decimal("9.90"),
            category=books_cat,
            labels=["second_hand", "local"],
            stock=3,
            published_at=now - dt.timedelta(days=1),
        ),
        "Éclair au café": ProductFactory(
            merchant=books,
            title="Éclair au café",
            price=Decimal("2.10"),
            published_at=now,
        ),
    }
    return collective, {"food": food, "cheese": cheese_cat, "books": books_cat}, products


def test_catalog_lists_every_published_product_of_active_members_newest_first(client, catalog_town):
    collective, _categories, _products = catalog_town
    assert titles(client.get(catalog_url(collective))) == [
        "Éclair au café",
        "Atlas",
        "Panier garni",
        "Comté",
    ]


def test_catalog_never_shows_products_outside_the_active_public_members(client, catalog_town):
    collective, _categories, _products = catalog_town
    shop = collective.memberships.first().merchant
    ProductFactory(merchant=shop, title="Brouillon", status="draft", published_at=None)
    ProductFactory(merchant=shop, title="Archivé", status="archived")
    suspended = MerchantFactory()
    MembershipFactory(collective=collective, merchant=suspended, status="suspended")
    ProductFactory(merchant=suspended, title="D'un membre suspendu")
    left = MerchantFactory()
    MembershipFactory(collective=collective, merchant=left, status="left", left_at=timezone.now())
    ProductFactory(merchant=left, title="D'un membre parti")
    draft_shop = member(collective, status="draft")
    ProductFactory(merchant=draft_shop, title="D'une boutique en préparation")
    closed_shop = member(collective, status="suspended")
    ProductFactory(merchant=closed_shop, title="D'une boutique suspendue")
    ProductFactory(title="D'une autre ville")

    response = client.get(catalog_url(collective))
    assert sorted(titles(response)) == ["Atlas", "Comté", "Panier garni", "Éclair au café"]
    # The draft and suspended shops are not offered in the « shop » filter either.
    shop_choices = [value for value, _label in response.context["form"].fields["boutique"].choices]
    assert draft_shop.slug not in shop_choices
    assert closed_shop.slug not in shop_choices


def test_top_level_category_includes_its_sub_categories(client, catalog_town):
    collective, _categories, _products = catalog_town
    response = client.get(catalog_url(collective, categorie="alimentation-test"))
    assert sorted(titles(response)) == ["Comté", "Panier garni"]
    response = client.get(catalog_url(collective, categorie="fromages-test"))
    assert titles(response) == ["Comté"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"boutique": "__shop_librairie__"}, ["Atlas", "Éclair au café"]),
        ({"label": "local"}, ["Atlas", "Comté"]),
        ({"label": "second_hand"}, ["Atlas"]),
        ({"prix_min": "12,50"}, ["Comté", "Panier garni"]),
        ({"prix_max": "12,50"}, ["Atlas", "Panier garni", "Éclair au café"]),
        ({"prix_min": "9.90", "prix_max": "12,50 €"}, ["Atlas", "Panier garni"]),
        ({"en_stock": "on"}, ["Atlas", "Comté", "Éclair au café"]),
        ({"label": "local", "en_stock": "on", "prix_max": "20"}, ["Atlas"]),
        ({"categorie": "alimentation-test", "en_stock": "on"}, ["Comté"]),
    ],
)
def test_catalog_filters(client, catalog_town, params, expected):
    collective, _categories, _products = catalog_town
    if params.get("boutique") == "__shop_librairie__":
        params = {"boutique": collective.memberships.get(merchant__name="Librairie").merchant.slug}
    assert sorted(titles(client.get(catalog_url(collective, **params)))) == sorted(expected)


def test_invalid_filters_are_dropped_and_the_error_shown(client, catalog_town):
    collective, _categories, _products = catalog_town
    response = client.get(
        catalog_url(collective, prix_min="abc", label="local", boutique="partie-ailleurs")
    )
    # The bad price and the unknown shop are ignored; the label still applies.
    assert sorted(titles(response)) == ["Atlas", "Comté"]
    assert response.context["form"].errors["prix_min"]
    response = client.get(catalog_url(collective, prix_min="20", prix_max="10"))
    assert response.context["form"].errors["prix_max"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("recent", ["Éclair au café", "Atlas", "Panier garni", "Comté"]),
        ("prix", ["Éclair au café", "Atlas", "Panier garni", "Comté"]),
        ("-prix", ["Comté", "Panier garni", "Atlas", "Éclair au café"]),
        ("titre", ["Atlas", "Comté", "Éclair au café", "Panier garni"]),
    ],
)
def test_catalog_sorting(client, catalog_town, sort, expected):
    collective, _categories, _products = catalog_town
    assert titles(client.get(catalog_url(collective, tri=sort))) == expected


def test_no_match_says_so_with_a_reset_link(client, catalog_town):
    collective, _categories, _products = catalog_town
    content = client.get(catalog_url(collective, prix_min="1000")).content.decode()
    assert "Aucun produit ne correspond" in content
    assert f'<a href="{catalog_url(collective)}">' in content


def test_pages_of_24_and_page_links_keep_the_filters(client):
    collective = CollectiveFactory()
    shop = member(collective)
    ProductFactory.create_batch(30, merchant=shop, labels=["local"])
    ProductFactory.create_batch(5, merchant=shop)
    response = client.get(catalog_url(collective, label="local", tri="titre"))
    assert len(response.context["products"]) == 24
    content = response.content.decode()
    next_link = re.search(r'<a [^>]*rel="next" href="([^"]+)"', content).group(1)
    assert "label=local" in next_link
    assert "tri=titre" in next_link
    assert "page=2" in next_link
    second = client.get(catalog_url(collective) + next_link.replace("&amp;", "&"))
    assert len(second.context["products"]) == 6
    assert 'rel="prev"' in second.content.decode()


@pytest.mark.parametrize("params", [{}, {"categorie": "alimentation-t", "en_stock": "on"}])
def test_catalog_query_count_is_the_same_at_10_and_200_products(
    client, django_assert_max_num_queries, params
):
    food = Category.objects.create(name="Alimentation t", slug="alimentation-t")
    counts = []
    for size in (10, 200):
        collective = CollectiveFactory()
        shops = [member(collective) for _ in range(2)]
        for index in range(size):
            product = ProductFactory(merchant=shops[index % 2], category=food)
            if index < 30:
                ready_image(product)
        # collective, categories, member shops, count, page of products, their photos.
        with django_assert_max_num_queries(6) as captured:
            response = client.get(catalog_url(collective, **params))
        assert response.status_code == 200
        assert len(response.context["products"]) == min(size, 24)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_catalog_of_a_draft_collective_is_404(client):
    collective = CollectiveFactory(status="draft")
    assert client.get(catalog_url(collective)).status_code == 404


def test_catalog_htmx_request_gets_the_results(client, catalog_town):
    collective, _categories, _products = catalog_town
    response = client.get(catalog_url(collective, label="local"), headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'id="catalog-results"' in content
    assert sorted(titles(response)) == ["Atlas", "Comté"]


def test_the_collective_page_gives_partner_sites_the_widget_code(client):
    """Issue 6: the copy-paste snippet of the widget is on the collective's page."""
    collective = CollectiveFactory()
    content = client.get(collective.get_absolute_url()).content.decode()
    widget = reverse("widget:collective", kwargs={"slug": collective.slug})
    assert f"&lt;iframe src=&quot;http://testserver{widget}?show=events,products&quot;" in content
    assert "js/halle-widget.js" in content
    # The widget it points to answers, framed.
    assert client.get(widget).status_code == 200

"""French product search (catalog/search.py): accents, plurals and typos, relevance, the
search vector kept up to date by every service that writes what it is made of, « open
now » and distances in SQL, facets in one query, and the shop page's search box."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import services
from catalog.models import Product
from catalog.search import (
    GeoPoint,
    ProductFilters,
    filter_products,
    product_facets,
    product_search,
    search_vectors_refresh,
)
from tests.factories import (
    CategoryFactory,
    ClosureFactory,
    MerchantFactory,
    OpeningHoursFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

ORDERS = {"title": ("title", "pk")}


def search(scope, q, **filters):
    """The titles matching ``q`` in ``scope``, most relevant first."""
    result = product_search(scope, ProductFilters(q=q, **filters), orders=ORDERS, default="title")
    return [product.title for product in result.products]


def add(owner, title, *, description="", category=None, publish=True):
    """A product written the way shopkeepers write them: through the services."""
    product = services.product_create(
        actor=owner,
        merchant=owner.shop,
        title=title,
        price=Decimal("5.00"),
        description=description,
        category=category,
    )
    return services.product_publish(actor=owner, product=product) if publish else product


@pytest.fixture
def shop(owner):
    """A delicatessen's shelf, through the services; returns the owner and the scope."""
    fine_food = CategoryFactory(name="Épicerie fine", slug="epicerie-fine-test")
    for title, description, category in [
        ("Pâté de campagne", "Au poivre vert.", None),
        ("Tarte aux pommes", "Pâte brisée pur beurre.", None),
        ("Baguette tradition", "Farine de blé Label Rouge.", None),
        ("Camembert de Normandie", "Lait cru, moulé à la louche.", None),
        ("Crème fraîche épaisse", "", None),
        ("Œufs frais", "Poules élevées en plein air.", None),
        ("Patates douces", "De Lot-et-Garonne.", None),
        ("Huile d'olive", "Première pression à froid.", fine_food),
        ("Panier gourmand", "Une tarte, un pot de miel et du cidre.", None),
    ]:
        add(owner, title, description=description, category=category)
    return owner, Product.objects.published().for_merchant(owner.shop)


# --- French ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Accents either way, and case.
        ("pate", "Pâté de campagne"),
        ("Pâtés", "Pâté de campagne"),
        ("PATE", "Pâté de campagne"),
        ("creme fraiche", "Crème fraîche épaisse"),
        ("oeufs", "Œufs frais"),
        # Plurals and other inflections (French stemming).
        ("tartes", "Tarte aux pommes"),
        ("baguettes", "Baguette tradition"),
        ("camemberts normands", "Camembert de Normandie"),
        # Typos: near spellings of a title.
        ("baguete", "Baguette tradition"),
        ("camenbert", "Camembert de Normandie"),
        ("tartte", "Tarte aux pommes"),
        ("huile d'olives", "Huile d'olive"),
        # The category's name.
        ("epicerie", "Huile d'olive"),
    ],
)
def test_french_queries_find_the_product_first(shop, query, expected):
    """Rule: accent-insensitive, stemmed, typo-tolerant search, best match first."""
    _owner, scope = shop
    found = search(scope, query)
    assert found, f"nothing found for {query!r}"
    assert found[0] == expected


def test_a_near_spelling_is_not_a_match_when_it_is_another_word(shop):
    """Rule: the trigram threshold (0.5) keeps « Patates » out of « pate »."""
    _owner, scope = shop
    assert "Patates douces" not in search(scope, "pate")


def test_title_match_ranks_above_description_match(shop):
    """Rule: relevance puts a match in the title above a match in the description."""
    _owner, scope = shop
    found = search(scope, "tarte")
    assert found.index("Tarte aux pommes") < found.index("Panier gourmand")
    # « pâte » is in a description, « pâté » in a title: both are 'pat'.
    found = search(scope, "pâte")
    assert found[:2] == ["Pâté de campagne", "Tarte aux pommes"]


def test_category_match_ranks_between_title_and_description(owner):
    """Rule: weights title A > category B > description C."""
    honey = CategoryFactory(name="Miellerie", slug="miellerie-test")
    add(owner, "Pot de sucre", description="Le goût du miel sans miel.")
    add(owner, "Bougie parfumée", category=honey)
    add(owner, "Miel de lavande")
    scope = Product.objects.published().for_merchant(owner.shop)
    assert search(scope, "miellerie") == ["Bougie parfumée"]
    assert search(scope, "miel")[0] == "Miel de lavande"


def test_near_spellings_are_added_only_when_the_full_text_finds_little(owner):
    """Rule: the trigram fallback applies when the full text finds fewer than 3 products."""
    add(owner, "Tartelette aux fraises")
    add(owner, "Tarte au citron")
    scope = Product.objects.published().for_merchant(owner.shop)
    # One full-text match: the look-alike title comes too, after it.
    assert search(scope, "tarte") == ["Tarte au citron", "Tartelette aux fraises"]
    add(owner, "Tarte aux poires")
    add(owner, "Tarte Tatin")
    # Three full-text matches: no look-alikes.
    assert sorted(search(scope, "tarte")) == sorted(
        ["Tarte au citron", "Tarte Tatin", "Tarte aux poires"]
    )


def test_search_words_are_anded_and_a_query_of_stop_words_finds_nothing(shop):
    """Rule: every word must match (websearch syntax); « le de la » alone matches nothing."""
    _owner, scope = shop
    assert search(scope, "tarte pommes") == ["Tarte aux pommes"]
    assert search(scope, "tarte -pommes") == ["Panier gourmand"]
    assert search(scope, "le de la") == []


def test_search_stays_in_its_scope(shop):
    """Rule: a search never reaches outside the catalog it is given (tenancy)."""
    _owner, scope = shop
    elsewhere = ProductFactory(title="Pâté en croûte")
    search_vectors_refresh(products=[elsewhere.pk])
    assert "Pâté en croûte" not in search(scope, "pate")
    assert "Pâté en croûte" in search(Product.objects.published(), "pate")


# --- The vector follows every write ------------------------------------------------------------


def test_update_refreshes_the_vector(owner):
    """Rule: product_update keeps the search vector in step with the title."""
    product = add(owner, "Confiture de fraises")
    services.product_update(actor=owner, product=product, title="Gelée de coings")
    scope = Product.objects.published().for_merchant(owner.shop)
    assert search(scope, "coing") == ["Gelée de coings"]
    assert search(scope, "confiture") == []


def test_bulk_category_change_refreshes_the_vectors(owner):
    """Rule: the category's name is searchable as soon as products are moved to it."""
    products = [add(owner, "Bocal A"), add(owner, "Bocal B")]
    other = ProductFactory(title="Bocal d'une autre boutique")
    conserves = CategoryFactory(name="Conserverie", slug="conserverie-test")
    services.products_bulk_set_category(
        actor=owner,
        merchant=owner.shop,
        product_ids=[p.pk for p in products] + [other.pk],
        category=conserves,
    )
    scope = Product.objects.published()
    assert sorted(search(scope, "conserverie")) == ["Bocal A", "Bocal B"]


def test_publishing_makes_a_product_written_elsewhere_searchable(owner):
    """Rule: a product written without the services (no vector yet) is indexed when
    published, one at a time or in bulk."""
    one = ProductFactory(merchant=owner.shop, title="Cidre brut", status="draft", published_at=None)
    two = ProductFactory(merchant=owner.shop, title="Cidre doux", status="draft", published_at=None)
    assert Product.objects.get(pk=one.pk).search_vector is None
    services.product_publish(actor=owner, product=one)
    services.products_bulk_publish(actor=owner, merchant=owner.shop, product_ids=[two.pk])
    scope = Product.objects.published().for_merchant(owner.shop)
    assert sorted(search(scope, "cidres")) == ["Cidre brut", "Cidre doux"]


def test_duplicate_is_searchable(owner):
    """Rule: product_duplicate writes the copy's vector."""
    product = add(owner, "Savon au lait d'ânesse")
    copy = services.product_duplicate(actor=owner, product=product)
    services.product_publish(actor=owner, product=copy)
    scope = Product.objects.published().for_merchant(owner.shop)
    assert len(search(scope, "savons")) == 2


def test_imported_products_are_searchable(owner):
    """Rule: a CSV import refreshes the vectors of the rows it writes (one UPDATE a chunk)."""
    data = "reference;titre;description;prix;statut\nR-1;Rillettes d'oie;Du Périgord;6,50;publié\n"
    upload = SimpleUploadedFile("produits.csv", data.encode(), content_type="text/csv")
    job = services.import_job_create(actor=owner, merchant=owner.shop, upload=upload)
    services.import_job_confirm(actor=owner, job=job, language="fr")
    scope = Product.objects.published().for_merchant(owner.shop)
    assert search(scope, "rillette") == ["Rillettes d'oie"]
    assert search(scope, "perigord") == ["Rillettes d'oie"]


def test_refresh_is_one_statement_and_counts_its_rows(owner):
    """Rule: the refresh is set-based (one UPDATE whatever the number of products)."""
    products = ProductFactory.create_batch(5, merchant=owner.shop)
    with CaptureQueriesContext(connection) as captured:
        assert search_vectors_refresh(products=[p.pk for p in products]) == 5
        assert search_vectors_refresh(products=Product.objects.filter(merchant=owner.shop)) == 5
        assert search_vectors_refresh(products=[]) == 0
    assert len(captured.captured_queries) == 2
    assert search_vectors_refresh() >= 5


# --- Open now and distance, in SQL ----------------------------------------------------------

# Tuesday 6 January 2026; Paris is UTC+1 in winter.
TUESDAY_0930_PARIS = dt.datetime(2026, 1, 6, 8, 30, tzinfo=dt.UTC)
TUESDAY_0830_PARIS = dt.datetime(2026, 1, 6, 7, 30, tzinfo=dt.UTC)
TUESDAY_1230_PARIS = dt.datetime(2026, 1, 6, 11, 30, tzinfo=dt.UTC)


def titles_of(queryset):
    return sorted(product.title for product in queryset)


def test_open_now_reads_the_hours_in_paris_time_and_the_closures():
    """Rule: « open now » = a range of today contains the time in Paris, and no closure
    covers the day (opens ≤ now < closes, like the shop page's label)."""
    bakery = MerchantFactory()
    OpeningHoursFactory(merchant=bakery, weekday=1, opens=dt.time(9), closes=dt.time(12, 30))
    on_holiday = MerchantFactory()
    OpeningHoursFactory(merchant=on_holiday, weekday=1, opens=dt.time(8), closes=dt.time(19))
    ClosureFactory(merchant=on_holiday, starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 1, 6))
    no_hours = MerchantFactory()
    for merchant, title in [(bakery, "Pain"), (on_holiday, "Fermé"), (no_hours, "Sans horaires")]:
        ProductFactory(merchant=merchant, title=title)
    scope = Product.objects.all()

    def open_at(moment):
        return titles_of(
            filter_products(scope, ProductFilters(open_now=True, now=moment), scope=scope)
        )

    assert open_at(TUESDAY_0930_PARIS) == ["Pain"]
    assert open_at(TUESDAY_0830_PARIS) == []  # 8:30 in Paris: not yet (7:30 UTC)
    assert open_at(TUESDAY_1230_PARIS) == []  # closes at 12:30: closed at 12:30
    assert open_at(TUESDAY_0930_PARIS + dt.timedelta(days=1)) == []  # Wednesday: no hours


# Two shops on the same meridian, about 1.1 km and 5.6 km north of the point.
POINT = GeoPoint(latitude=44.4000, longitude=0.7000)


@pytest.fixture
def spread_shops():
    near = MerchantFactory(latitude=Decimal("44.410000"), longitude=Decimal("0.700000"))
    far = MerchantFactory(latitude=Decimal("44.450000"), longitude=Decimal("0.700000"))
    nowhere = MerchantFactory()  # no position
    for merchant, title in [(near, "Proche"), (far, "Loin"), (nowhere, "Sans position")]:
        ProductFactory(merchant=merchant, title=title)
    return Product.objects.all()


@pytest.mark.parametrize(
    ("km", "expected"),
    [("1", []), ("2", ["Proche"]), ("5", ["Proche"]), ("10", ["Loin", "Proche"])],
)
def test_distance_filter_is_haversine_and_leaves_out_shops_without_position(
    spread_shops, km, expected
):
    """Rule: « within N km » of the point, great-circle distance; unknown positions out."""
    scope = spread_shops
    filters = ProductFilters(near=POINT, km=Decimal(km))
    assert titles_of(filter_products(scope, filters, scope=scope)) == expected


def test_distances_are_annotated_and_nearest_first_sorts_by_them(spread_shops):
    """Rule: with a point, each product carries its shop's distance; shops without a
    position come last when sorting by distance (and are kept without a distance filter)."""
    result = product_search(
        spread_shops, ProductFilters(near=POINT), sort="distance", orders=ORDERS, default="title"
    )
    products = list(result.products)
    assert [p.title for p in products] == ["Proche", "Loin", "Sans position"]
    assert products[0].distance_km == pytest.approx(1.112, abs=0.01)
    assert products[1].distance_km == pytest.approx(5.56, abs=0.02)
    assert products[2].distance_km is None


def test_sorts_fall_back_when_they_cannot_apply(shop):
    """Rule: with a query the default sort is relevance; relevance without a query and
    nearest without a point fall back to the page's default."""
    _owner, scope = shop
    assert (
        product_search(scope, ProductFilters(q="tarte"), orders=ORDERS, default="title").sort
        == "pertinence"
    )
    assert product_search(scope, ProductFilters(), orders=ORDERS, default="title").sort == "title"
    assert (
        product_search(
            scope, ProductFilters(), sort="pertinence", orders=ORDERS, default="title"
        ).sort
        == "title"
    )
    assert (
        product_search(
            scope, ProductFilters(), sort="distance", orders=ORDERS, default="title"
        ).sort
        == "title"
    )


# --- Facets -------------------------------------------------------------------------------------


def test_facets_count_each_choice_over_the_other_filters_in_one_query():
    """Rule: facets come from one GROUP BY query; a facet's counts ignore its own filter
    (choosing a category still shows the others) but follow the other filters."""
    cheese, bread = CategoryFactory(), CategoryFactory()
    dairy, bakery = MerchantFactory(), MerchantFactory()
    ProductFactory(merchant=dairy, category=cheese, labels=["local", "organic"], title="Tomme")
    ProductFactory(merchant=dairy, category=cheese, labels=["local"], title="Brebis")
    ProductFactory(merchant=bakery, category=bread, labels=["organic"], title="Pain bio")
    ProductFactory(merchant=bakery, category=None, title="Sac en tissu")
    scope = Product.objects.all()

    with CaptureQueriesContext(connection) as captured:
        facets = product_facets(scope, ProductFilters(category=cheese))
    assert len(captured.captured_queries) == 1
    assert facets.total == 2
    assert facets.categories == {cheese.pk: 2, bread.pk: 1}
    assert facets.shops == {dairy.pk: 2}
    assert facets.labels == {"local": 2, "organic": 1}

    facets = product_facets(scope, ProductFilters(label="organic", shop=bakery))
    assert facets.total == 1
    assert facets.labels == {"organic": 1}  # the shop filter applies to the labels' counts
    assert facets.shops == {dairy.pk: 1, bakery.pk: 1}  # the label applies to the shops'
    assert facets.categories == {bread.pk: 1}


def test_facets_follow_the_search(shop):
    """Rule: facets count the products matching the query, typo fallback included."""
    _owner, scope = shop
    facets = product_facets(scope, ProductFilters(q="camenbert"))
    assert facets.total == 1
    facets = product_facets(scope, ProductFilters(q="tarte"))
    assert facets.total == 2


# --- The shop page's search box ----------------------------------------------------------------


def shop_url(merchant, **params):
    from urllib.parse import urlencode

    url = reverse("catalog:shop", kwargs={"slug": merchant.slug})
    return f"{url}?{urlencode(params)}" if params else url


def test_shop_page_search_lists_the_matching_products_most_relevant_first(client, shop):
    """Rule: the shop page's search box searches that shop's products only."""
    owner, _scope = shop
    ProductFactory(title="Tarte d'une autre boutique")
    response = client.get(shop_url(owner.shop, q="tartes"))
    assert [p.title for p in response.context["products"]] == [
        "Tarte aux pommes",
        "Panier gourmand",
    ]
    content = response.content.decode()
    assert 'type="search"' in content
    assert 'value="tartes"' in content
    assert "Tarte d&#x27;une autre boutique" not in content


def test_shop_page_search_shows_drafts_to_the_team_only(client, owner):
    """Rule: searching does not widen what the actor may see (drafts for the team only)."""
    add(owner, "Galette des rois", publish=False)
    assert list(client.get(shop_url(owner.shop, q="galette")).context["products"]) == []
    client.force_login(owner)
    found = client.get(shop_url(owner.shop, q="galette")).context["products"]
    assert [p.title for p in found] == ["Galette des rois"]


def test_shop_page_without_match_says_so(client, shop):
    owner, _scope = shop
    response = client.get("/en" + shop_url(owner.shop, q="zzzz"))
    content = response.content.decode()
    assert "No product of this shop matches" in content
    assert f'{owner.shop.slug}/#products-title">See all the products</a>' in content


@pytest.mark.parametrize("size", [5, 60])
def test_shop_page_search_query_count_is_constant(client, django_assert_max_num_queries, size):
    """Rule: the shop page's search costs the same queries whatever the number of products."""
    merchant = MerchantFactory()
    ProductFactory.create_batch(size, merchant=merchant, title="Pain de seigle")
    search_vectors_refresh(products=Product.objects.filter(merchant=merchant))
    # shop, hours, closures, matching products, their photos, stories.
    with django_assert_max_num_queries(6):
        response = client.get(shop_url(merchant, q="pains"))
    assert len(response.context["products"]) == size


def test_an_edit_in_the_admin_keeps_the_product_findable(client):
    """The platform operator fixes a title in the admin, which bypasses the services."""
    from django.urls import reverse

    from catalog.models import Product
    from catalog.search import matching
    from tests.factories import ProductFactory, UserFactory

    product = ProductFactory(title="Pain de mie")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:catalog_product_change", args=[product.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, (list, tuple))
    }
    data.update(
        {
            "title": "Fougasse aux olives",
            "labels": [],
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    scope = Product.objects.all()
    assert list(scope.filter(matching("fougasse", scope=scope))) == [product]

"""The read endpoints of the partner API: what each returns (shape, money as strings with the
currency, times with their offset, absolute picture URLs, links), what it never returns
(drafts, archived rows, inactive shops and collectives, former members), the filters and
their validation, cursor pagination, the OpenAPI schema and docs, and the query count of
every list at two sizes."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from catalog.models import Category, Product, ProductImage
from catalog.search import search_vectors_refresh
from collectives.models import Event, Membership
from collectives.services.events import event_cancel, event_create, event_publish, occurrence_cancel
from merchants.models import Story
from tests.factories import (
    CategoryFactory,
    ClosureFactory,
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    OpeningHoursFactory,
    OrganiserFactory,
    ProductFactory,
    ProductImageFactory,
    StoryFactory,
    StoryImageFactory,
)

pytestmark = pytest.mark.django_db

# ISO 8601 with an explicit offset (Paris: +01:00 or +02:00).
WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")
RENDITIONS = {
    "320": {"width": 320, "height": 240, "webp": "products/320.webp", "jpeg": "products/320.jpg"},
    "800": {"width": 800, "height": 600, "webp": "products/800.webp", "jpeg": "products/800.jpg"},
}


def api(name, *args):
    return reverse(f"api:{name}", args=args)


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def slugs(body):
    return [row["slug"] for row in body["results"]]


def member(collective, **fields):
    shop = MerchantFactory(**fields)
    MembershipFactory(collective=collective, merchant=shop)
    return shop


def ready_photo(product, position=0, **fields):
    return ProductImageFactory(
        product=product,
        position=position,
        status=ProductImage.Status.READY,
        renditions=RENDITIONS,
        **fields,
    )


def saturday(weeks_ahead=1, hour=8):
    day = timezone.localdate() + dt.timedelta(weeks=weeks_ahead)
    day += dt.timedelta(days=(5 - day.weekday()) % 7)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def collective():
    return CollectiveFactory(slug="villeneuve", name="Les Commerçants de Villeneuve")


@pytest.fixture
def bakery(collective):
    return member(collective, slug="au-bon-pain", name="Au Bon Pain", trade="bakery")


# --- Collectives ---------------------------------------------------------------------------


def test_a_collective_has_its_links_member_count_and_offset_times(client, collective, bakery):
    member(collective, status="draft")  # a shop not public yet is not counted
    left = member(collective)
    Membership.objects.filter(merchant=left).update(status="left", left_at=timezone.now())
    CollectiveFactory(slug="en-projet", status="draft")
    body = get(client, api("collective_list"))
    assert slugs(body) == ["villeneuve"]
    data = get(client, api("collective_detail", "villeneuve"))
    assert data == body["results"][0]
    assert data["member_count"] == 1
    assert data["url"] == "http://testserver/collectifs/villeneuve/"
    assert data["api_url"] == "http://testserver/api/v1/collectives/villeneuve/"
    assert data["products_url"] == "http://testserver/api/v1/collectives/villeneuve/products/"
    assert data["events_url"].endswith("/api/v1/collectives/villeneuve/events/")
    assert data["calendar_url"] == "http://testserver/collectifs/villeneuve/agenda.ics"
    assert WITH_OFFSET.match(data["updated_at"])
    assert data["map"] == {"latitude": None, "longitude": None, "zoom": 15}


def test_public_page_links_stay_french_whatever_the_language_asked(client, collective):
    data = client.get(api("collective_detail", "villeneuve"), HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["url"] == "http://testserver/collectifs/villeneuve/"


# --- Shops ---------------------------------------------------------------------------------


def test_a_collectives_shops_are_its_active_public_members_with_hours(client, collective, bakery):
    OpeningHoursFactory(merchant=bakery, weekday=1, opens=dt.time(9), closes=dt.time(12, 30))
    ClosureFactory(merchant=bakery, reason="Congés")
    ClosureFactory(
        merchant=bakery,
        starts_on=timezone.localdate() - dt.timedelta(days=20),
        ends_on=timezone.localdate() - dt.timedelta(days=10),
    )
    member(collective, slug="brouillon", status="draft")
    suspended = member(collective, slug="suspendue")
    Membership.objects.filter(merchant=suspended).update(status="suspended")
    MerchantFactory(slug="ailleurs")
    body = get(client, api("collective_merchants", "villeneuve"))
    assert slugs(body) == ["au-bon-pain"]
    shop = body["results"][0]
    assert shop["trade"] == "bakery"
    assert shop["opening_hours"] == [{"weekday": 1, "opens": "09:00", "closes": "12:30"}]
    assert [c["reason"] for c in shop["closures"]] == ["Congés"]
    assert shop["address"]["postcode"] == "47300"
    assert shop["url"] == "http://testserver/boutiques/au-bon-pain/"
    assert shop["products_url"] == "http://testserver/api/v1/merchants/au-bon-pain/products/"


def test_a_shop_lists_its_active_collectives(client, collective, bakery):
    other = CollectiveFactory(slug="autre", status="archived")
    MembershipFactory(collective=other, merchant=bakery)
    data = get(client, api("merchant_detail", "au-bon-pain"))
    assert [c["slug"] for c in data["collectives"]] == ["villeneuve"]
    assert WITH_OFFSET.match(data["updated_at"])


def test_a_shop_that_is_not_active_is_not_found(client, collective):
    member(collective, slug="brouillon", status="draft")
    assert client.get(api("merchant_detail", "brouillon")).status_code == 404
    assert client.get(api("merchant_products", "brouillon")).status_code == 404


# --- Products ------------------------------------------------------------------------------


def test_a_product_has_money_as_strings_offsets_and_absolute_photo_urls(client, bakery):
    food = CategoryFactory(name="Boulangerie test", name_en="Bakery", slug="boulangerie-test")
    bread = CategoryFactory(name="Pains", slug="pains-test", parent=food)
    product = ProductFactory(
        merchant=bakery,
        title="Pain au levain",
        slug="pain-au-levain",
        price=Decimal("12.5"),
        compare_at_price=Decimal("15"),
        vat_rate=Decimal("5.50"),
        stock=4,
        labels=["organic", "local"],
        category=bread,
    )
    ready_photo(product, position=1, alt_text="La mie")
    ProductImageFactory(product=product, position=0)  # still being processed: left out
    data = get(client, api("product_detail", product.pk))
    assert data["price"] == "12.50"
    assert data["compare_at_price"] == "15.00"
    assert data["currency"] == "EUR"
    assert data["vat_rate"] == "5.50"
    assert (data["stock"], data["in_stock"]) == (4, True)
    assert data["labels"] == ["organic", "local"]
    assert data["category"] == {
        "slug": "pains-test",
        "name": "Pains",
        "name_en": "",
        "parent": {"slug": "boulangerie-test", "name": "Boulangerie test", "name_en": "Bakery"},
    }
    assert data["merchant"]["slug"] == "au-bon-pain"
    assert WITH_OFFSET.match(data["published_at"])
    assert WITH_OFFSET.match(data["updated_at"])
    assert data["url"] == "http://testserver/boutiques/au-bon-pain/pain-au-levain/"
    assert data["api_url"] == f"http://testserver/api/v1/products/{product.pk}/"
    [photo] = data["images"]
    assert photo["alt_text"] == "La mie"
    assert photo["renditions"] == [
        {
            "width": 320,
            "height": 240,
            "jpeg": "http://testserver/media/products/320.jpg",
            "webp": "http://testserver/media/products/320.webp",
        },
        {
            "width": 800,
            "height": 600,
            "jpeg": "http://testserver/media/products/800.jpg",
            "webp": "http://testserver/media/products/800.webp",
        },
    ]
    listed = get(client, api("merchant_products", "au-bon-pain"))["results"]
    assert listed == [data]


def test_untracked_stock_is_null_and_available(client, bakery):
    product = ProductFactory(merchant=bakery, stock=None)
    data = get(client, api("product_detail", product.pk))
    assert (data["stock"], data["in_stock"]) == (None, True)


def test_only_published_products_of_active_members_are_listed(client, collective, bakery):
    shown = ProductFactory(merchant=bakery, slug="publie")
    ProductFactory(merchant=bakery, slug="brouillon", status="draft", published_at=None)
    archived = ProductFactory(merchant=bakery, slug="archive", status="archived")
    gone = member(collective, slug="partie")
    ProductFactory(merchant=gone, slug="de-la-boutique-partie")
    Membership.objects.filter(merchant=gone).update(status="left", left_at=timezone.now())
    suspended_shop = member(collective, slug="suspendue")
    ProductFactory(merchant=suspended_shop, slug="de-la-boutique-suspendue")
    suspended_shop.status = "suspended"
    suspended_shop.save()
    assert slugs(get(client, api("collective_products", "villeneuve"))) == ["publie"]
    assert client.get(api("product_detail", shown.pk)).status_code == 200
    assert client.get(api("product_detail", archived.pk)).status_code == 404


def make_catalog(collective, bakery):
    cheese_shop = member(collective, slug="fromagerie", name="Fromagerie")
    food = CategoryFactory(name="Épicerie test", slug="epicerie-test")
    cheese = CategoryFactory(name="Fromages test", slug="fromages-test", parent=food)
    products = {
        "pate": ProductFactory(
            merchant=bakery, title="Pâté de campagne", slug="pate", price=Decimal("6.00"), stock=0
        ),
        "camembert": ProductFactory(
            merchant=cheese_shop,
            title="Camembert de Normandie",
            slug="camembert",
            price=Decimal("8.50"),
            category=cheese,
            labels=["local"],
            stock=3,
        ),
        "pain": ProductFactory(
            merchant=bakery,
            title="Pain de seigle",
            slug="pain",
            price=Decimal("3.20"),
            category=food,
            labels=["organic"],
        ),
    }
    search_vectors_refresh()  # what the catalog services do after each write
    return products


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "pates"}, {"pate"}),  # French stemming, accents ignored
        ({"q": "camenbert"}, {"camembert"}),  # a near spelling of a title
        ({"category": "epicerie-test"}, {"camembert", "pain"}),  # with its sub-categories
        ({"category": "fromages-test"}, {"camembert"}),
        ({"merchant": "fromagerie"}, {"camembert"}),
        ({"label": "organic"}, {"pain"}),
        ({"min_price": "6"}, {"pate", "camembert"}),
        ({"max_price": "6.00"}, {"pate", "pain"}),
        ({"min_price": "4", "max_price": "7"}, {"pate"}),
        ({"in_stock": "true"}, {"camembert", "pain"}),  # untracked stock is available
        ({"in_stock": "false"}, {"pate"}),
        ({"q": "pain", "label": "organic", "max_price": "5"}, {"pain"}),
    ],
)
def test_product_filters(client, collective, bakery, params, expected):
    make_catalog(collective, bakery)
    assert set(slugs(get(client, api("collective_products", "villeneuve"), **params))) == expected


def test_a_shops_products_take_the_same_filters(client, collective, bakery):
    make_catalog(collective, bakery)
    url = api("merchant_products", "au-bon-pain")
    assert set(slugs(get(client, url))) == {"pate", "pain"}
    assert slugs(get(client, url, q="seigle")) == ["pain"]
    response = client.get(url, {"merchant": "fromagerie"})
    assert response.status_code == 400
    assert "merchant" in response.json()["error"]["fields"]


def test_a_search_is_sorted_by_relevance(client, collective, bakery):
    ProductFactory(merchant=bakery, title="Tarte", slug="titre", description="")
    ProductFactory(merchant=bakery, title="Gâteau", slug="description", description="une tarte")
    search_vectors_refresh()
    assert slugs(get(client, api("collective_products", "villeneuve"), q="tarte")) == [
        "titre",
        "description",
    ]


def test_updated_since_keeps_the_products_changed_since(client, collective, bakery):
    old = ProductFactory(merchant=bakery, slug="ancien")
    ProductFactory(merchant=bakery, slug="recent")
    long_ago = timezone.now() - dt.timedelta(days=30)
    Product.objects.filter(pk=old.pk).update(updated_at=long_ago)
    url = api("collective_products", "villeneuve")
    since = (timezone.now() - dt.timedelta(days=1)).replace(microsecond=0)
    assert slugs(get(client, url, updated_since=since.isoformat())) == ["recent"]
    # A « + » that was not URL-encoded arrives as a space; a date is that day in Paris.
    paris = timezone.localtime(since).isoformat()
    unencoded = client.get(f"{url}?updated_since={paris}")
    assert [r["slug"] for r in unencoded.json()["results"]] == ["recent"]
    day = timezone.localdate() - dt.timedelta(days=40)
    assert set(slugs(get(client, url, updated_since=day.isoformat()))) == {"ancien", "recent"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_price": "abc"}, "min_price"),
        ({"min_price": "-1"}, "min_price"),
        ({"max_price": "12,50"}, "max_price"),
        ({"min_price": "9", "max_price": "3"}, "max_price"),
        ({"label": "cheap"}, "label"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"category": "nope"}, "category"),
        ({"merchant": "nope"}, "merchant"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_filter_values_answer_400_with_the_field(client, collective, bakery, params, field):
    response = client.get(api("collective_products", "villeneuve"), params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]
    assert all(isinstance(message, str) for message in error["fields"][field])


# --- Pagination ----------------------------------------------------------------------------


def walk(client, url, direction="next"):
    """Every page from ``url`` following ``direction``: the slugs of each page."""
    pages = []
    while url:
        body = client.get(url).json()
        pages.append(slugs(body))
        url = body[direction]
    return pages


def test_cursor_pagination_goes_forward_and_back_without_gaps(client, collective, bakery):
    for n in range(5):
        ProductFactory(merchant=bakery, slug=f"p{n}", published_at=timezone.now())
    first = get(client, api("collective_products", "villeneuve"), page_size=2)
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/collectives/villeneuve/products/")
    forward = walk(client, first["next"])
    assert [first["results"][0]["slug"], first["results"][1]["slug"]] == ["p4", "p3"]
    assert forward == [["p2", "p1"], ["p0"]]
    last = client.get(first["next"]).json()
    last = client.get(last["next"]).json()
    assert last["next"] is None
    assert walk(client, last["previous"], "previous") == [["p2", "p1"], ["p4", "p3"]]
    back_to_first = client.get(client.get(last["previous"]).json()["previous"]).json()
    assert back_to_first["previous"] is None
    assert back_to_first["next"] is not None


def test_search_results_are_paginated_by_relevance(client, collective, bakery):
    for n in range(5):
        ProductFactory(merchant=bakery, title=f"Tarte {n}", slug=f"tarte-{n}")
    search_vectors_refresh()
    first = get(client, api("collective_products", "villeneuve"), q="tarte", page_size=2)
    pages = [slugs(first), *walk(client, first["next"])]
    seen = [slug for page in pages for slug in page]
    assert sorted(seen) == [f"tarte-{n}" for n in range(5)]
    # A search's cursor means nothing without the search.
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    response = client.get(api("collective_products", "villeneuve"), {"cursor": cursor})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["cursor"]


# --- Events --------------------------------------------------------------------------------


@pytest.fixture
def organiser(collective):
    return OrganiserFactory(collective=collective, role="organiser")


def weekly_market(organiser):
    start = saturday(1)
    event = event_create(
        actor=organiser.user,
        collective=organiser.collective,
        title="Marché du samedi",
        kind=Event.Kind.MARKET,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=5),
        place_name="Place de la Halle",
        recurrence="FREQ=WEEKLY;BYDAY=SA",
    )
    return event_publish(actor=organiser.user, event=event)


def test_events_come_with_their_rule_and_dates_in_range(client, collective, organiser):
    market = weekly_market(organiser)
    dates = list(market.occurrences.order_by("starts_at"))
    occurrence_cancel(actor=organiser.user, occurrence=dates[1])
    start = dates[0].starts_at - dt.timedelta(hours=1)
    end = dates[2].starts_at + dt.timedelta(hours=1)
    body = get(
        client,
        api("collective_events", "villeneuve"),
        **{"from": start.isoformat(), "to": end.isoformat()},
    )
    [event] = body["results"]
    assert event["recurrence"] == "FREQ=WEEKLY;BYDAY=SA"
    assert event["timezone"] == "Europe/Paris"
    assert event["kind"] == "market"
    assert (event["status"], event["is_cancelled"]) == ("published", False)
    assert [d["id"] for d in event["dates"]] == [d.pk for d in dates[:3]]
    assert [d["is_cancelled"] for d in event["dates"]] == [False, True, False]
    assert event["dates"][1]["status"] == "cancelled"
    assert all(WITH_OFFSET.match(d["starts_at"]) for d in event["dates"])
    assert event["starts_at"].endswith(("+01:00", "+02:00"))
    assert event["url"] == f"http://testserver/collectifs/villeneuve/evenements/{market.slug}/"
    assert event["calendar_url"].endswith(f"/evenements/{market.slug}.ics")
    # The event's own endpoint lists its dates for the year to come.
    detail = get(client, api("event_detail", market.pk))
    assert len(detail["dates"]) >= 50
    assert (
        get(client, api("event_detail", market.pk), to=end.isoformat())["dates"] == event["dates"]
    )


def test_a_cancelled_event_stays_listed_and_flagged_drafts_never(client, collective, organiser):
    market = weekly_market(organiser)
    event_cancel(actor=organiser.user, event=market, reason="Travaux place de la Halle")
    EventFactory(collective=collective, slug="brouillon", status="draft", published_at=None)
    [event] = get(client, api("collective_events", "villeneuve"))["results"]
    assert (event["status"], event["is_cancelled"]) == ("cancelled", True)
    assert event["cancellation_reason"] == "Travaux place de la Halle"
    assert all(d["is_cancelled"] for d in event["dates"])
    draft = Event.objects.get(slug="brouillon")
    assert client.get(api("event_detail", draft.pk)).status_code == 404


def test_events_filter_by_kind_and_range(client, collective):
    soon = EventFactory(collective=collective, slug="atelier", kind="workshop")
    later = EventFactory(
        collective=collective,
        slug="nocturne",
        kind="late_opening",
        starts_at=saturday(8, hour=18),
        ends_at=saturday(8, hour=22),
    )
    EventFactory(
        collective=collective,
        slug="passe",
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=3, hours=-2),
    )
    url = api("collective_events", "villeneuve")
    assert slugs(get(client, url)) == ["atelier", "nocturne"]  # from now, soonest first
    assert slugs(get(client, url, kind="late_opening")) == ["nocturne"]
    to = (soon.ends_at + dt.timedelta(days=1)).date().isoformat()
    assert slugs(get(client, url, to=to)) == ["atelier"]
    day = timezone.localtime(later.starts_at).date().isoformat()
    assert slugs(get(client, url, **{"from": day, "to": day})) == ["nocturne"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "demain"}, "from"),
        ({"to": "2025-13-01"}, "to"),
        ({"kind": "party"}, "kind"),
        ({"from": "2030-06-02", "to": "2030-06-01"}, "to"),
        ({"from": "2030-01-01", "to": "2031-06-01"}, "to"),  # more than 400 days at once
    ],
)
def test_bad_event_filters_answer_400(client, collective, params, field):
    response = client.get(api("collective_events", "villeneuve"), params)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


# --- Stories -------------------------------------------------------------------------------


def test_stories_are_published_ones_with_html_photos_and_public_products(
    client, collective, bakery
):
    story = StoryFactory(merchant=bakery, slug="le-levain", body="Nous *pétrissons* à la main.")
    StoryImageFactory(story=story, status="ready", renditions=RENDITIONS)
    shown = ProductFactory(merchant=bakery, slug="levain")
    hidden = ProductFactory(merchant=bakery, slug="cache", status="draft", published_at=None)
    shown.stories.add(story)
    hidden.stories.add(story)
    StoryFactory(merchant=bakery, slug="brouillon", status=Story.Status.DRAFT, published_at=None)
    [data] = get(client, api("collective_stories", "villeneuve"))["results"]
    assert data["slug"] == "le-levain"
    assert data["body_html"] == "<p>Nous <em>pétrissons</em> à la main.</p>"
    assert [p["slug"] for p in data["products"]] == ["levain"]
    assert data["images"][0]["renditions"][0]["jpeg"].startswith("http://testserver/media/")
    assert data["url"] == "http://testserver/boutiques/au-bon-pain/histoires/le-levain/"
    assert WITH_OFFSET.match(data["published_at"])


# --- Query counts --------------------------------------------------------------------------


def build(kind, collective, size):
    """``size`` rows of ``kind`` in ``collective``, with what their serializer reads."""
    if kind == "merchants":
        for _ in range(size):
            OpeningHoursFactory(merchant=member(collective))
        return
    shop = member(collective)
    for n in range(size):
        if kind == "products":
            ready_photo(ProductFactory(merchant=shop, category=Category.objects.first()))
        elif kind == "events":
            EventFactory(collective=collective, starts_at=saturday(1) + dt.timedelta(hours=n))
        elif kind == "stories":
            story = StoryFactory(merchant=shop)
            StoryImageFactory(story=story, status="ready", renditions=RENDITIONS)
            ProductFactory(merchant=shop).stories.add(story)
        elif kind == "collectives":
            CollectiveFactory()


# Queries per list (anonymous): the collective, the page, then one per prefetch.
BUDGETS = {
    "collectives": 1,
    "merchants": 4,  # shops, hours, closures
    "products": 3,  # rows with shop and category, photos
    "events": 4,  # events, covers, dates
    "stories": 4,  # stories with shop, photos, products
}


@pytest.mark.parametrize("kind", BUDGETS)
def test_every_list_reads_a_constant_number_of_queries(client, django_assert_max_num_queries, kind):
    CategoryFactory()
    counts = []
    for size in (10, 200):
        collective = CollectiveFactory()
        build(kind, collective, size)
        url = (
            api("collective_list")
            if kind == "collectives"
            else api(f"collective_{kind}", collective.slug)
        )
        with django_assert_max_num_queries(BUDGETS[kind]) as captured:
            response = client.get(url, {"page_size": 100})
        assert response.status_code == 200
        assert len(response.json()["results"]) >= min(size, 100) - (kind == "collectives")
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_filtered_product_lists_read_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    counts = []
    for size in (10, 200):
        collective = CollectiveFactory()
        build("products", collective, size)
        shop = Membership.objects.filter(collective=collective).first().merchant
        params = {"q": "produit", "merchant": shop.slug, "category": Category.objects.first().slug}
        with django_assert_max_num_queries(5) as captured:
            response = client.get(api("collective_products", collective.slug), params)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- Schema and docs -----------------------------------------------------------------------

CONTRACT_PATHS = {
    "/api/v1/collectives/": {"get"},
    "/api/v1/collectives/{slug}/": {"get"},
    "/api/v1/collectives/{slug}/merchants/": {"get"},
    "/api/v1/merchants/{slug}/": {"get"},
    "/api/v1/collectives/{slug}/products/": {"get"},
    "/api/v1/merchants/{slug}/products/": {"get", "post"},
    "/api/v1/products/{id}/": {"get", "patch"},
    "/api/v1/collectives/{slug}/events/": {"get"},
    "/api/v1/events/{id}/": {"get"},
    "/api/v1/collectives/{slug}/stories/": {"get"},
    "/api/v1/merchants/{slug}/stock/": {"post"},
}


def test_the_schema_is_openapi_3_and_lists_the_contract(client):
    response = client.get(api("schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Halle API"
    for path, methods in CONTRACT_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
    products = schema["paths"]["/api/v1/collectives/{slug}/products/"]["get"]
    parameters = {p["name"] for p in products["parameters"]}
    assert {"q", "category", "merchant", "label", "min_price", "max_price"} <= parameters
    assert {"in_stock", "updated_since", "cursor", "page_size"} <= parameters
    events = schema["paths"]["/api/v1/collectives/{slug}/events/"]["get"]
    assert {"from", "to", "kind"} <= {p["name"] for p in events["parameters"]}
    assert "Error" in schema["components"]["schemas"]
    assert "partnerKey" in schema["components"]["securitySchemes"]
    as_json = client.get(api("schema"), {"format": "json"})
    assert as_json.json()["paths"].keys() == schema["paths"].keys()


def test_the_docs_load_nothing_from_another_site(client):
    response = client.get(api("docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts
    assert all(src.startswith("/") for src in scripts)
    init = client.get(api("docs"), {"script": ""})
    assert init.status_code == 200
    assert "/api/schema/" in init.content.decode()
    assert not re.search(r"https?://(?!testserver)", init.content.decode())
    for src in scripts:
        if src.startswith("/static/"):  # shipped by drf-spectacular-sidecar, not a CDN
            assert finders.find(src.removeprefix("/static/")), src


@pytest.mark.parametrize(
    ("url", "params", "status"),
    [
        ("/api/v1/products/99999999999999999999999/", {}, 404),
        ("/api/v1/events/99999999999999999999999/", {}, 404),
        ("/api/v1/collectives/villeneuve/events/", {"from": "0001-01-01T00:00:00+14:00"}, 400),
        ("/api/v1/collectives/villeneuve/events/", {"from": "9999-12-31T00:00:00Z"}, 400),
        (
            "/api/v1/collectives/villeneuve/products/",
            {"updated_since": "9999-12-31T23:59:59-12:00"},
            400,  # beyond what a Paris clock can show
        ),
        ("/api/v1/collectives/villeneuve/products/", {"q": "a\x00b"}, 400),
        ("/api/v1/collectives/villeneuve/products/", {"page_size": "9" * 30}, 400),
        ("/api/v1/collectives/villeneuve/products/", {"min_price": "1e400"}, 400),
        ("/api/v1/collectives/villeneuve/products/", {"cursor": "eyJvIjoibmV3ZXN0In0"}, 400),
    ],
)
def test_extreme_values_are_refused_never_a_server_error(client, collective, url, params, status):
    assert client.get(url, params).status_code == status

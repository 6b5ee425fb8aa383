"""Counting without tracking (insights.counting, the /compter/ clicks and the attribution
links): views, searches and clicks go to Redis in one round-trip and never to the database
during the request; bots are not counted; Redis down costs nothing but the count; nothing
about the visitor is kept; product links say where the visitor came from, and the
reservation records it."""

import datetime as dt
from decimal import Decimal

import pytest
import redis
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from insights import counting
from insights.counting import count_search, count_view, normalise_query
from merchants.models import Merchant, Story
from notifications.services.newsletters import newsletter_draft
from orders.models import Reservation, Source
from orders.selectors.reservations import pickup_choices
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OpeningHoursFactory,
    OrganiserFactory,
    ProductFactory,
    SelectionFactory,
    SelectionItemFactory,
    StoryFactory,
)
from tests.insights.counters import BROWSER, no_counters, pending_searches, pending_views

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_counters")]
__all__ = ["no_counters"]


@pytest.fixture
def shop():
    return MerchantFactory(
        latitude=Decimal("44.4"), longitude=Decimal("0.7"), phone="05 53 00 00 00"
    )


@pytest.fixture
def product(shop):
    return ProductFactory(merchant=shop, title="Tomme", slug="tomme")


def get(client, url, **headers):
    return client.get(url, HTTP_USER_AGENT=headers.pop("ua", BROWSER), **headers)


# --- Page views -----------------------------------------------------------------------------


def test_a_product_page_view_is_counted_with_whose_figure_it_is(client, product):
    assert get(client, product.get_absolute_url()).status_code == 200
    get(client, product.get_absolute_url())
    assert pending_views() == {f"product:{product.pk}:{product.merchant_id}:": 2}


def test_counting_never_writes_to_the_database_during_the_request(client, product):
    """Rule: no database write per view — and the page makes exactly the queries it made
    before counting existed (measured with a bot, which is not counted)."""
    url = product.get_absolute_url()
    get(client, url, ua="Googlebot/2.1")  # warm caches (content types, sessions…)
    with CaptureQueriesContext(connection) as not_counted:
        get(client, url, ua="Googlebot/2.1")
    with CaptureQueriesContext(connection) as counted:
        get(client, url)
    assert pending_views() == {f"product:{product.pk}:{product.merchant_id}:": 1}
    assert len(counted) == len(not_counted)
    statements = [q["sql"].upper() for q in counted.captured_queries]
    assert not [s for s in statements if "INSIGHTS_" in s]
    assert not [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]


class _CountingConnection(redis.Connection):
    sent: list[int] = []

    def send_packed_command(self, command, check_health=True):
        type(self).sent.append(1)
        return super().send_packed_command(command, check_health)


def test_a_view_is_one_redis_round_trip(monkeypatch, product):
    """Rule: one round-trip per counted view (MULTI/HINCRBY/EXPIRE/EXEC sent at once)."""
    _CountingConnection.sent = []
    client = redis.Redis(
        connection_pool=redis.ConnectionPool.from_url(
            counting.redis_url(), connection_class=_CountingConnection
        )
    )
    client.ping()
    _CountingConnection.sent = []
    monkeypatch.setattr(counting, "request_client", lambda: client)
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    assert count_view(request, kind="product", object_id=product.pk, merchant_id=1)
    assert len(_CountingConnection.sent) == 1
    assert pending_views() == {f"product:{product.pk}:1:": 1}
    assert counting.request_client is not None
    ttl = client.ttl(counting.views_key(counting.paris_today()))
    assert 0 < ttl <= counting.COUNTS_TTL_SECONDS


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp)",
        "facebookexternalhit/1.1",
        "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/126.0 Safari/537.36",
        "UptimeRobot/2.0",
        "curl/8.5.0",
        "python-requests/2.32",
    ],
)
def test_bots_are_not_counted(client, product, user_agent):
    assert get(client, product.get_absolute_url(), ua=user_agent).status_code == 200
    assert pending_views() == {}


def test_head_requests_and_prefetches_are_not_counted(client, product):
    client.head(product.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    get(client, product.get_absolute_url(), HTTP_SEC_PURPOSE="prefetch")
    assert pending_views() == {}


def test_redis_down_the_page_still_renders_and_is_not_counted(client, settings, product):
    settings.INSIGHTS_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    started = timezone.now()
    response = get(client, product.get_absolute_url())
    assert response.status_code == 200
    assert "Tomme" in response.content.decode()
    assert (timezone.now() - started) < dt.timedelta(seconds=5)
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    assert count_view(request, kind="shop", object_id=1) is False
    assert count_search(request, collective_id=1, query="pain", found=True) is False


def test_nothing_about_the_visitor_is_kept(client, customer, product):
    """Rule: no cookie, no IP, no user id: the counter holds what was seen, nothing else."""
    client.force_login(customer)
    get(client, product.get_absolute_url(), REMOTE_ADDR="203.0.113.9")
    keys = [k.decode() for k in counting.request_client().scan_iter(f"{counting.namespace()}:*")]
    assert keys == [counting.views_key(counting.paris_today())]
    (field,) = pending_views()
    assert "203.0.113" not in field
    assert field.split(":") == ["product", str(product.pk), str(product.merchant_id), ""]
    assert str(customer.pk) not in field.split(":")[2:]


def test_an_unknown_kind_is_a_programming_error():
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    with pytest.raises(ValueError, match="basket"):
        count_view(request, kind="basket", object_id=1)


def test_shop_story_event_and_collective_pages_are_counted(client, shop):
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=shop)
    story = StoryFactory(merchant=shop, status=Story.Status.PUBLISHED)
    event = EventFactory(collective=collective)
    for url in (
        shop.get_absolute_url(),
        reverse("catalog:story", kwargs={"merchant_slug": shop.slug, "slug": story.slug}),
        event.get_absolute_url(),
        collective.get_absolute_url(),
    ):
        assert get(client, url).status_code == 200
    assert pending_views() == {
        f"shop:{shop.pk}:{shop.pk}:": 1,
        f"story:{story.pk}:{shop.pk}:": 1,
        f"event:{event.pk}::{collective.pk}": 1,
        f"collective:{collective.pk}::{collective.pk}": 1,
    }


def test_the_shop_team_and_drafts_are_not_counted(client, shop):
    """Rule: a figure counts visits — not the team looking at its own page or its drafts."""
    seller = MerchantMemberFactory(merchant=shop, role="staff").user
    draft = ProductFactory(merchant=shop, status=Product.Status.DRAFT, published_at=None)
    client.force_login(seller)
    assert get(client, shop.get_absolute_url()).status_code == 200
    assert get(client, draft.get_absolute_url()).status_code == 200
    assert pending_views() == {}


# --- Searches -------------------------------------------------------------------------------


def test_normalised_query():
    assert normalise_query("  Tomates   CERISE ") == "tomates cerise"
    assert len(normalise_query("a" * 300)) == 100
    assert normalise_query("   ") == ""


def test_catalog_searches_are_counted_with_found_or_not(client, shop):
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=shop)
    ProductFactory(merchant=shop, title="Tomme de brebis")
    url = reverse("collectives:catalog", kwargs={"slug": collective.slug})
    assert get(client, url + "?q=Tomme").status_code == 200
    get(client, url + "?q=tomme")
    get(client, url + "?q=parapluie%20bleu")
    get(client, url + "?q=tomme&page=2")  # the next page of a search is not a new search
    get(client, url)  # no words: nothing to count
    assert pending_searches() == {
        f"{collective.pk}:1:tomme": 2,
        f"{collective.pk}:0:parapluie bleu": 1,
    }


def test_an_empty_search_is_not_counted():
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    assert count_search(request, collective_id=1, query="  ", found=False) is False
    assert pending_searches() == {}


# --- Clicks on « itinéraire » / « appeler » -------------------------------------------------


def test_the_shop_page_links_go_through_the_counter(client, shop):
    html = get(client, shop.get_absolute_url()).content.decode()
    assert f'href="{reverse("count:directions", args=[shop.pk])}"' in html
    assert f'href="{reverse("count:call", args=[shop.pk])}"' in html


def test_directions_click_is_counted_and_redirects_to_openstreetmap(client, shop):
    response = get(client, reverse("count:directions", args=[shop.pk]))
    assert response.status_code == 302
    assert (
        response["Location"] == "https://www.openstreetmap.org/directions?to=44.400000%2C0.700000"
    )
    assert not response.cookies
    assert pending_views() == {f"directions:{shop.pk}:{shop.pk}:": 1}


def test_directions_without_a_position_search_the_address(client):
    shop = MerchantFactory(street="3 rue des Cornières", postcode="47300", city="Villeneuve")
    response = get(client, reverse("count:directions", args=[shop.pk]))
    assert response["Location"].startswith("https://www.openstreetmap.org/search?query=3%20rue")


def test_call_click_is_counted_and_redirects_to_the_phone(client, shop):
    response = get(client, reverse("count:call", args=[shop.pk]))
    assert response.status_code == 302
    assert response["Location"] == "tel:0553000000"
    assert not response.cookies
    assert pending_views() == {f"call:{shop.pk}:{shop.pk}:": 1}


def test_clicks_on_unknown_or_non_public_shops_are_404(client):
    draft = MerchantFactory(status=Merchant.Status.DRAFT, phone="0553000000")
    no_phone = MerchantFactory(phone="")
    assert get(client, reverse("count:call", args=[draft.pk])).status_code == 404
    assert get(client, reverse("count:directions", args=[draft.pk])).status_code == 404
    assert get(client, reverse("count:call", args=[999999])).status_code == 404
    assert get(client, reverse("count:call", args=[no_phone.pk])).status_code == 404
    assert client.post(reverse("count:call", args=[no_phone.pk])).status_code == 405
    assert pending_views() == {}


# --- Attribution (?source=) -----------------------------------------------------------------


def test_product_links_say_where_they_come_from(client, shop, product):
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=shop)
    selection = SelectionFactory(collective=collective)
    SelectionItemFactory(selection=selection, product=product)
    event = EventFactory(collective=collective)
    event.featured_products.add(product)
    link = product.get_absolute_url()
    catalog = get(client, reverse("collectives:catalog", kwargs={"slug": collective.slug}))
    assert f'href="{link}?source=catalog"' in catalog.content.decode()
    assert (
        f'href="{link}?source=selection"'
        in get(client, selection.get_absolute_url()).content.decode()
    )
    assert f'href="{link}?source=event"' in get(client, event.get_absolute_url()).content.decode()
    # The shop's own page is a direct visit: no source.
    assert f'href="{link}"' in get(client, shop.get_absolute_url()).content.decode()


def test_newsletter_product_links_say_newsletter(shop, product):
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=shop)
    organiser = OrganiserFactory(collective=collective).user
    letter = newsletter_draft(actor=organiser, collective=collective)
    assert f"{product.get_absolute_url()}?source=newsletter>" in letter.body


@pytest.mark.parametrize(
    "source", [Source.CATALOG, Source.SELECTION, Source.EVENT, Source.NEWSLETTER]
)
def test_the_source_of_the_link_flows_into_the_reservation(client, customer, shop, source):
    for weekday in range(7):
        OpeningHoursFactory(
            merchant=shop, weekday=weekday, opens=dt.time(0), closes=dt.time(23, 30)
        )
    cheese = ProductFactory(merchant=shop, stock=5)
    client.force_login(customer)
    page = get(client, f"{cheese.get_absolute_url()}?source={source}").content.decode()
    assert f'name="source" value="{source}"' in page
    key = pickup_choices(merchant=shop)[0].key
    response = client.post(
        reverse("reservations:reserve", args=[shop.slug, cheese.slug]),
        {"quantity": "1", "pickup": key, "note": "", "phone": "", "source": source},
    )
    assert response.status_code == 302
    assert Reservation.objects.get().source == source

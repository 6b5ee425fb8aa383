"""The dashboards: a shop's (its team only) and a collective's (organisers: totals only).

Rules protected: the figures shown equal the daily rows (totals, trend, pickup rate, top
products, searches without results); the collective's median is shown only with at least
five active shops; an organiser never sees one shop's figures; another shop's team and
organisers get a 404 on a shop's dashboard; query counts do not grow with the period's rows.
Texts are checked on the English pages (/en/…) or as data."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from insights.selectors.dashboards import MEDIAN_MIN_SHOPS, collective_dashboard, shop_dashboard
from tests.factories import (
    CollectiveFactory,
    MembershipFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
)
from tests.insights.dashboard_rows import collective_day, product_views, search, shop_day

pytestmark = pytest.mark.django_db


def en(name, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def shop_owner():
    return MerchantMemberFactory(role="owner")


def test_totals_trend_and_pickup_rate_equal_the_rows(shop_owner):
    shop = shop_owner.merchant
    shop_day(
        shop,
        0,
        views=30,
        reservations_collected=6,
        reservations_expired=2,
        amount_reserved=Decimal("12.50"),
    )
    shop_day(shop, 29, views=10, reservations_collected=3, amount_reserved=Decimal("7.50"))
    shop_day(shop, 30, views=20)  # the previous period
    shop_day(shop, 60, views=999)  # before both periods: not counted

    data = shop_dashboard(merchant=shop, days=30)

    assert data.figures["views"].value == 40
    assert data.figures["views"].previous == 20
    assert data.figures["views"].trend == 100.0
    assert data.figures["amount_reserved"].value == Decimal("20.00")
    assert data.pickup_rate == 81.8  # 9 collected / (9 + 2 expired)
    assert len(data.series) == 30
    assert sum(p.values["views"] for p in data.series) == 40

    page = shop_owner.user
    from django.test import Client

    client = Client()
    client.force_login(page)
    response = client.get(en("shop_insights:dashboard", shop.slug))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="insights__value">40</span>' in html
    assert "100.0 % vs previous period" in html
    assert "81.8 %" in html
    assert 'role="img"' in html
    assert '<title id="chart-views-title">' in html
    assert '<table class="insights__table" id="table-series">' in html


def test_weekly_series_for_a_year(shop_owner):
    shop = shop_owner.merchant
    shop_day(shop, 0, views=1)
    shop_day(shop, 300, views=2)
    data = shop_dashboard(merchant=shop, days=365)
    assert data.period.weekly
    assert all(point.start.weekday() == 0 for point in data.series)
    assert sum(p.values["views"] for p in data.series) == 3


def test_top_products_and_searches_without_results(shop_owner):
    shop = shop_owner.merchant
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=shop)
    jam, honey = (
        ProductFactory(merchant=shop, title="Confiture"),
        ProductFactory(merchant=shop, title="Miel"),
    )
    product_views(jam, 0, 5)
    product_views(jam, 1, 4)
    product_views(honey, 0, 12)
    search(collective, 0, "cidre", 7)
    search(collective, 1, "cidre", 2)
    search(collective, 0, "pain", 3, found=True)  # found: not demand left unmet
    search(CollectiveFactory(), 0, "ailleurs", 50)  # another collective

    data = shop_dashboard(merchant=shop, days=30)

    assert data.top_products == [("Miel", 12), ("Confiture", 9)]
    assert data.searches_without_results == [("cidre", 9)]


def _collective_of(n_shops, shop, views_each=10):
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=shop)
    for i in range(n_shops - 1):
        other = MembershipFactory(collective=collective).merchant
        shop_day(other, 0, views=views_each * (i + 1), reservations_created=i)
    return collective


def test_median_shown_with_five_active_shops(shop_owner):
    shop = shop_owner.merchant
    shop_day(shop, 0, views=100)
    _collective_of(MEDIAN_MIN_SHOPS, shop)  # others: 10, 20, 30, 40 → with 100: median 30

    (median,) = shop_dashboard(merchant=shop, days=30).medians

    assert median.shown
    assert median.shops == 5
    assert median.views == 30
    assert median.reservations == 1  # 0, 0, 1, 2, 3


def test_median_hidden_below_five_shops(shop_owner, client):
    shop = shop_owner.merchant
    shop_day(shop, 0, views=100)
    collective = _collective_of(MEDIAN_MIN_SHOPS - 1, shop)

    (median,) = shop_dashboard(merchant=shop, days=30).medians
    assert not median.shown
    assert median.views is None
    assert median.reservations is None
    assert median.amount is None

    client.force_login(shop_owner.user)
    html = client.get(en("shop_insights:dashboard", shop.slug)).content.decode()
    assert f"{collective.name}: 4 active shops, too few to show a median." in html
    assert "data-median-hidden" in html


def test_organiser_sees_totals_never_a_shop(client):
    collective = CollectiveFactory()
    organiser = OrganiserFactory(collective=collective).user
    shops = [MembershipFactory(collective=collective).merchant for _ in range(3)]
    shop_day(shops[0], 0, views=98765)  # a distinctive number, only in ShopDay
    collective_day(
        collective,
        0,
        views=111111,
        event_registrations=20,
        event_attendance=15,
        newsletter_recipients=400,
        by_source={"event": 4, "widget": 1},
    )

    client.force_login(organiser)
    html = client.get(en("organiser_insights:dashboard", collective.slug)).content.decode()
    assert "111111" in html
    assert "98765" not in html
    assert "15 / 20" in html
    assert "400" in html
    for shop in shops:
        assert shop.name not in html
    for table in ("totals", "series", "searches", "sources"):
        for fmt in ("csv", "xlsx"):
            response = client.get(en("organiser_insights:export", collective.slug, table, fmt))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert response.status_code == 200
            assert b"98765" not in body
            for shop in shops:
                assert shop.name.encode() not in body
    # no per-shop tables exist for organisers
    for table in ("products", "comparison"):
        url = en("organiser_insights:export", collective.slug, table, "csv")
        assert client.get(url).status_code == 404
    data = collective_dashboard(collective=collective, days=30)
    assert data.by_source == [("event", 4), ("widget", 1)]


def test_shop_dashboard_is_404_for_another_shop_and_for_organisers(client, shop_owner):
    shop = shop_owner.merchant
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=shop)
    organiser = OrganiserFactory(collective=collective).user
    other_staff = MerchantMemberFactory(role="staff").user
    for user in (organiser, other_staff):
        client.force_login(user)
        assert client.get(en("shop_insights:dashboard", shop.slug)).status_code == 404
        url = en("shop_insights:export", shop.slug, "totals", "csv")
        assert client.get(url).status_code == 404


def test_staff_see_their_shops_figures(client):
    staff = MerchantMemberFactory(role="staff")
    client.force_login(staff.user)
    assert client.get(en("shop_insights:dashboard", staff.merchant.slug)).status_code == 200


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("days", [30, 365])
def test_query_counts_do_not_grow_with_rows(client, shop_owner, days):
    shop = shop_owner.merchant
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=shop)
    organiser = OrganiserFactory(collective=collective).user
    shop_url = en("shop_insights:dashboard", shop.slug) + f"?periode={days}"
    org_url = en("organiser_insights:dashboard", collective.slug) + f"?periode={days}"

    def add_rows(first, last):
        for n in range(first, last):
            shop_day(shop, n, views=n, by_source={"event": 1})
            collective_day(collective, n, views=n, by_source={"direct": 2})
            product_views(ProductFactory(merchant=shop), n, n + 1)
            search(collective, n, f"mot {n}", 1)

    add_rows(0, 10)
    client.force_login(shop_owner.user)
    small_shop = _count_queries(client, shop_url)
    client.force_login(organiser)
    small_org = _count_queries(client, org_url)

    add_rows(10, 365)
    client.force_login(shop_owner.user)
    assert _count_queries(client, shop_url) == small_shop
    client.force_login(organiser)
    assert _count_queries(client, org_url) == small_org

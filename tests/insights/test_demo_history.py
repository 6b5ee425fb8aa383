"""The demo's year of history (insights/demo_data.py)."""

import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from insights.demo_data import seed_history
from insights.models import CollectiveDay, DailyCount, SearchCount, ShopDay
from tests.factories import CollectiveFactory, MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def collective():
    collective = CollectiveFactory()
    for _ in range(3):
        membership = MembershipFactory(collective=collective)
        ProductFactory(merchant=membership.merchant)
    return collective


def _snapshot() -> list[tuple]:
    return sorted(
        (row.merchant_id, row.day, row.views, row.reservations_created, row.amount_reserved)
        for row in ShopDay.objects.all()
    )


def test_history_is_plausible_and_consistent(collective):
    """Rule: a year of history, Saturdays busier than Mondays, searches that found nothing
    among the searches, and collective views = its shops' views + its own page's."""
    written = seed_history(collectives=[collective], days=70, seed=7)
    assert written > 0
    days = CollectiveDay.objects.filter(collective=collective)
    assert days.count() == 70
    saturdays = days.filter(day__week_day=7).aggregate(v=Sum("views"))["v"]
    mondays = days.filter(day__week_day=2).aggregate(v=Sum("views"))["v"]
    assert saturdays > 1.5 * mondays
    assert SearchCount.objects.filter(found=False, query="cidre").exists()
    day = days.order_by("day")[35]
    shop_views = ShopDay.objects.filter(day=day.day).aggregate(v=Sum("views"))["v"] or 0
    assert day.views == shop_views + DailyCount.objects.get(day=day.day, kind="collective").count
    counted = (
        DailyCount.objects.filter(day=day.day, merchant__isnull=False)
        .exclude(kind__in=["directions", "call"])
        .aggregate(v=Sum("count"))["v"]
    )
    assert counted == shop_views
    assert max(days.values_list("day", flat=True)) == timezone.localdate() - dt.timedelta(days=1)


def test_history_is_deterministic_and_written_once(collective):
    """Rule: a seed gives the same year; a second call writes nothing."""
    seed_history(collectives=[collective], days=30, seed=1)
    first = _snapshot()
    assert seed_history(collectives=[collective], days=30, seed=1) == 0
    ShopDay.objects.all().delete()
    CollectiveDay.objects.all().delete()
    DailyCount.objects.all().delete()
    SearchCount.objects.all().delete()
    seed_history(collectives=[collective], days=30, seed=1)
    assert _snapshot() == first

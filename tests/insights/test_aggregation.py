"""The nightly aggregation (insights/services/aggregation.py): a fixture day whose figures
are computed by hand, idempotence, members only while active, the nightly task and the
rebuild command."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Model

from collectives.models import Follow, Membership, Registration
from insights.models import CollectiveDay, DailyCount, SearchCount, ShopDay
from insights.services.aggregation import aggregate_day, aggregate_range
from insights.tasks_aggregation import aggregate_yesterday
from notifications.models import Newsletter, NewsletterDelivery
from orders.models import GroupBuy, Reservation
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.orders.factories import (
    GroupBuyFactory,
    PledgeFactory,
    ReservationFactory,
    ReservationLineFactory,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
DAY = dt.date(2025, 3, 14)  # winter time: Paris is UTC+1


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    """An instant of the fixture day, Paris time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def stamp(obj: Model, **fields: object) -> None:
    """Set auto_now_add timestamps (the factories cannot)."""
    type(obj)._default_manager.filter(pk=obj.pk).update(**fields)


def reservation(shop, *, made, quantities, total, source="direct", **fields):
    booking = ReservationFactory(merchant=shop, total=Decimal(total), source=source, **fields)
    for quantity in quantities:
        ReservationLineFactory(reservation=booking, quantity=quantity)
    stamp(booking, created_at=made)
    return booking


@pytest.fixture
def town():
    """Two member shops (A, B), a shop that left (L), and a day of activity on each."""
    collective = CollectiveFactory()
    a, b, left = MerchantFactory(), MerchantFactory(), MerchantFactory()
    MembershipFactory(collective=collective, merchant=a)
    MembershipFactory(collective=collective, merchant=b)
    MembershipFactory(
        collective=collective, merchant=left, status=Membership.Status.LEFT, left_at=at(8)
    )

    # Reservations made on the day: A 2 (one at 00:30 Paris = 23:30 UTC the day before),
    # B 1; plus one made the day before (not counted as made, but collected on the day).
    reservation(a, made=at(0, 30), quantities=[2, 1], total="12.50")
    reservation(a, made=at(10), quantities=[4], total="20.00", source="event")
    reservation(
        b,
        made=at(18),
        quantities=[1],
        total="7.25",
        status=Reservation.Status.EXPIRED,
        closed_at=at(23, 45),
    )
    reservation(
        a,
        made=at(23, 30, DAY - dt.timedelta(days=1)),
        quantities=[9],
        total="99.00",
        status=Reservation.Status.COLLECTED,
        collected_at=at(11),
    )
    reservation(left, made=at(9), quantities=[5], total="50.00")
    # The next day (Paris) although still the 14th in UTC until 23:00: not counted.
    reservation(b, made=at(0, 15, DAY + dt.timedelta(days=1)), quantities=[1], total="1.00")

    # A group buy of B: one pledge on the day (from the newsletter), closed succeeded.
    group_buy = GroupBuyFactory(
        merchant=b, collective=collective, status=GroupBuy.Status.SUCCEEDED, closed_at=at(20)
    )
    pledge = PledgeFactory(group_buy=group_buy, source="newsletter")
    stamp(pledge, created_at=at(12))

    # Views and clicks (counted by the flush), searches.
    DailyCount.objects.bulk_create(
        [
            DailyCount(day=DAY, kind="shop", object_id=a.pk, merchant=a, count=10),
            DailyCount(day=DAY, kind="product", object_id=901, merchant=a, count=5),
            DailyCount(day=DAY, kind="directions", object_id=a.pk, merchant=a, count=3),
            DailyCount(day=DAY, kind="call", object_id=a.pk, merchant=a, count=1),
            DailyCount(day=DAY, kind="shop", object_id=b.pk, merchant=b, count=7),
            DailyCount(day=DAY, kind="shop", object_id=left.pk, merchant=left, count=100),
            DailyCount(
                day=DAY, kind="collective", object_id=collective.pk, collective=collective, count=4
            ),
            DailyCount(
                day=DAY - dt.timedelta(days=1), kind="shop", object_id=a.pk, merchant=a, count=50
            ),
        ]
    )
    SearchCount.objects.bulk_create(
        [
            SearchCount(day=DAY, collective=collective, query="miel", found=True, count=6),
            SearchCount(day=DAY, collective=collective, query="cidre", found=False, count=2),
        ]
    )

    # Follows: 2 of shop A, 1 of the collective.
    for target in ({"merchant": a}, {"merchant": a}, {"collective": collective}):
        stamp(Follow.objects.create(user=UserFactory(), **target), created_at=at(15))

    # Event: 2 registrations confirmed on the day for a date that ended on the day; one of
    # them cancelled since (registered, not attending).
    event = EventFactory(collective=collective, starts_at=at(14), ends_at=at(16))
    occurrence = event.occurrences.get()
    RegistrationFactory(occurrence=occurrence, confirmed_at=at(9))
    RegistrationFactory(
        occurrence=occurrence,
        confirmed_at=at(9, 5),
        status=Registration.Status.CANCELLED,
        cancelled_at=at(13),
    )

    # A newsletter sent to 2 people on the day (a third one failed).
    letter = Newsletter.objects.create(collective=collective, subject="Cette semaine", body=".")
    for status in ("sent", "sent", "failed"):
        NewsletterDelivery.objects.create(
            newsletter=letter,
            user=UserFactory(),
            status=status,
            sent_at=at(8) if status == "sent" else None,
        )
    return collective, a, b, left


def shop_figures(shop) -> dict:
    row = ShopDay.objects.get(merchant=shop, day=DAY)
    return {
        field: getattr(row, field)
        for field in (
            "views",
            "directions",
            "calls",
            "reservations_created",
            "reservations_collected",
            "reservations_expired",
            "items_reserved",
            "amount_reserved",
            "pledges",
            "group_buys_succeeded",
            "group_buys_failed",
            "followers_gained",
            "by_source",
        )
    }


def test_fixture_day_shop_figures_equal_hand_computed(town):
    """Rule: every ShopDay column equals the figure counted by hand, on Paris days."""
    _collective, a, b, left = town
    aggregate_day(day=DAY)

    assert shop_figures(a) == {
        "views": 15,
        "directions": 3,
        "calls": 1,
        "reservations_created": 2,
        "reservations_collected": 1,
        "reservations_expired": 0,
        "items_reserved": 7,
        "amount_reserved": Decimal("32.50"),
        "pledges": 0,
        "group_buys_succeeded": 0,
        "group_buys_failed": 0,
        "followers_gained": 2,
        "by_source": {"direct": 1, "event": 1},
    }
    assert shop_figures(b) == {
        "views": 7,
        "directions": 0,
        "calls": 0,
        "reservations_created": 1,
        "reservations_collected": 0,
        "reservations_expired": 1,
        "items_reserved": 1,
        "amount_reserved": Decimal("7.25"),
        "pledges": 1,
        "group_buys_succeeded": 1,
        "group_buys_failed": 0,
        "followers_gained": 0,
        "by_source": {"direct": 1, "newsletter": 1},
    }
    # The shop that left still has its own figures.
    assert shop_figures(left)["views"] == 100


def test_fixture_day_collective_figures_equal_hand_computed(town):
    """Rule: CollectiveDay = sums over the active member shops + the collective's own
    pages, follows, searches, events and newsletters; a shop that left is not in them."""
    collective, _a, _b, _left = town
    aggregate_day(day=DAY)

    row = CollectiveDay.objects.get(collective=collective, day=DAY)
    assert {
        field: getattr(row, field)
        for field in (
            "views",
            "reservations_created",
            "reservations_collected",
            "reservations_expired",
            "items_reserved",
            "amount_reserved",
            "pledges",
            "group_buys_succeeded",
            "group_buys_failed",
            "followers_gained",
            "searches",
            "searches_without_results",
            "event_registrations",
            "event_attendance",
            "newsletter_recipients",
            "by_source",
        )
    } == {
        "views": 15 + 7 + 4,
        "reservations_created": 3,
        "reservations_collected": 1,
        "reservations_expired": 1,
        "items_reserved": 8,
        "amount_reserved": Decimal("39.75"),
        "pledges": 1,
        "group_buys_succeeded": 1,
        "group_buys_failed": 0,
        "followers_gained": 3,
        "searches": 8,
        "searches_without_results": 2,
        "event_registrations": 2,
        "event_attendance": 1,
        "newsletter_recipients": 2,
        "by_source": {"direct": 2, "event": 1, "newsletter": 1},
    }


def _rows() -> list[tuple]:
    return sorted(
        [
            tuple(v for k, v in row.items() if k not in {"id", "computed_at"})
            for row in ShopDay.objects.values()
        ],
        key=repr,
    ) + sorted(
        [
            tuple(v for k, v in row.items() if k not in {"id", "computed_at"})
            for row in CollectiveDay.objects.values()
        ],
        key=repr,
    )


def test_rerunning_a_day_gives_the_same_rows_and_drops_stale_ones(town):
    """Rule: idempotent — a second run rewrites the same rows; a figure that went away
    (every DailyCount of the shop that left deleted) leaves no stale row."""
    _collective, _a, _b, left = town
    aggregate_day(day=DAY)
    first = _rows()
    assert aggregate_day(day=DAY) == (3, 1)
    assert _rows() == first

    Reservation.objects.filter(merchant=left).delete()
    DailyCount.objects.filter(merchant=left).delete()
    aggregate_day(day=DAY)
    assert not ShopDay.objects.filter(merchant=left).exists()


def test_rerunning_one_day_leaves_the_other_days_alone(town):
    """Rule: incremental — recomputing a day touches only that day's rows."""
    _collective, a, _b, _left = town
    aggregate_range(start=DAY - dt.timedelta(days=1), end=DAY)
    before = ShopDay.objects.get(merchant=a, day=DAY - dt.timedelta(days=1))
    assert (before.views, before.reservations_created) == (50, 1)

    DailyCount.objects.filter(day=DAY - dt.timedelta(days=1)).delete()
    aggregate_day(day=DAY)
    assert ShopDay.objects.get(pk=before.pk).views == 50


def test_a_shop_that_left_is_not_in_its_former_collective(town):
    """Rule: a collective's figures follow its *active* members — a shop leaving takes its
    figures out of the collective's totals at the next computation."""
    collective, _a, b, _left = town
    Membership.objects.filter(merchant=b).update(status=Membership.Status.LEFT, left_at=at(8))
    aggregate_day(day=DAY)
    row = CollectiveDay.objects.get(collective=collective, day=DAY)
    assert row.views == 15 + 4
    assert row.reservations_created == 2
    assert row.amount_reserved == Decimal("32.50")


def test_nightly_task_computes_yesterday_and_today(settings, monkeypatch):
    """Rule: the 02:30 task recomputes yesterday (Paris) and today so far."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: DAY + dt.timedelta(days=1))
    shop = MerchantFactory()
    DailyCount.objects.create(day=DAY, kind="shop", object_id=shop.pk, merchant=shop, count=3)
    DailyCount.objects.create(
        day=DAY + dt.timedelta(days=1), kind="shop", object_id=shop.pk, merchant=shop, count=1
    )
    DailyCount.objects.create(
        day=DAY - dt.timedelta(days=1), kind="shop", object_id=shop.pk, merchant=shop, count=9
    )

    aggregate_yesterday.apply()

    assert dict(ShopDay.objects.values_list("day", "views")) == {
        DAY: 3,
        DAY + dt.timedelta(days=1): 1,
    }
    assert (
        settings.CELERY_BEAT_SCHEDULE["insights-aggregate-yesterday"]["task"]
        == "insights.tasks_aggregation.aggregate_yesterday"
    )


def test_rebuild_command_recomputes_a_range(town):
    """Rule: ``rebuild_insights --from --to`` rewrites every day of the range."""
    collective, a, _b, _left = town
    call_command("rebuild_insights", "--from", "2025-03-01", "--to", "2025-04-30")
    assert set(ShopDay.objects.filter(merchant=a).values_list("day", flat=True)) == {
        DAY - dt.timedelta(days=1),
        DAY,
    }
    assert CollectiveDay.objects.get(collective=collective, day=DAY).reservations_created == 3

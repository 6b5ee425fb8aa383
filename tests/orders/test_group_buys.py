"""Group buys (orders.services.group_buys, orders.tasks_group_buys): who may open and cancel
one and on what, the rules of tiers, deadline, maximum and pickup; pledging, changing and
withdrawing; closing at the deadline (success at the final tier's price, failure), once;
the e-mails, each sent at most once; and the issue's rule that the pledged total is exact
when 200 customers pledge at the same instant."""

import datetime as dt
import random
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from orders import tasks_group_buys as tasks
from orders.models import GroupBuy, Pledge, Reservation, Source
from orders.services.group_buys import (
    TierRequest,
    discounted_price,
    group_buy_cancel,
    group_buy_close,
    group_buy_open,
    group_buys_close_due,
    pledge_outcome_notice_send,
    pledge_place,
    pledge_tier_notice_send,
    pledge_withdraw,
)
from tests.factories import (
    EventFactory,
    EventParticipationFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
    UserFactory,
)
from tests.orders.factories import GroupBuyFactory, PledgeFactory

pytestmark = pytest.mark.django_db

G = GroupBuy.Status
P = Pledge.Status
TIERS = [TierRequest(10, Decimal("10")), TierRequest(30, Decimal("20"))]


def in_days(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def make_due(group_buy: GroupBuy) -> None:
    """Move the deadline a minute into the past, as if the time had come."""
    GroupBuy.objects.filter(pk=group_buy.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )


def reload(group_buy: GroupBuy) -> GroupBuy:
    return GroupBuy.objects.get(pk=group_buy.pk)


@pytest.fixture
def queued(monkeypatch):
    """The fan-out tasks queued after commit, as (task name, arguments), not run."""
    calls: list[tuple[str, tuple]] = []
    for name in ("notify_group_buy_tier", "notify_group_buy_outcome"):
        monkeypatch.setattr(
            getattr(tasks, name), "delay", lambda *args, name=name: calls.append((name, args))
        )
    return calls


@pytest.fixture
def run_tasks(monkeypatch):
    """Every queued task runs at once, as the worker would run it."""
    for name in tasks.__all__:
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "delay", lambda *args, task=task: task(*args))


@pytest.fixture
def shop():
    return MerchantFactory(name="Épicerie Lafayette", email="")


@pytest.fixture
def owner(shop):
    return MerchantMemberFactory(merchant=shop, role="owner", user__email="patron@example.org").user


@pytest.fixture
def product(shop):
    return ProductFactory(merchant=shop, title="Huile de noix", price=Decimal("12.10"), stock=5)


def open_group_buy(actor, product, **fields) -> GroupBuy:
    arguments = {"tiers": TIERS, "deadline": in_days(7), **fields}
    return group_buy_open(actor=actor, product=product, **arguments)


@pytest.fixture
def group_buy(owner, product):
    return open_group_buy(owner, product, max_quantity=50)


def pledge(group_buy, quantity, customer=None, **extra) -> Pledge:
    return pledge_place(
        actor=customer or UserFactory(), group_buy=group_buy, quantity=quantity, **extra
    )


# --- Opening: who ----------------------------------------------------------------------------


def test_an_owner_opens_a_group_buy_at_the_products_price_with_its_tiers(owner, product):
    group_buy = open_group_buy(owner, product, max_quantity=40, description=" Récolte 2024 ")
    assert group_buy.status == G.OPEN
    assert group_buy.merchant == product.merchant
    assert group_buy.collective is None
    assert group_buy.opened_by == owner
    assert group_buy.unit_price == Decimal("12.10")
    assert group_buy.description == "Récolte 2024"
    assert [(t.min_quantity, t.discount) for t in group_buy.tiers.all()] == [
        (10, Decimal("10.00")),
        (30, Decimal("20.00")),
    ]
    assert group_buy.pledged_quantity == 0


def test_staff_without_manage_rights_cannot_open_one(shop, product):
    """Opening commits the shop to a price: owners only."""
    staff = MerchantMemberFactory(merchant=shop, role="staff").user
    with pytest.raises(PermissionDenied):
        open_group_buy(staff, product)


def test_a_shop_cannot_open_a_group_buy_on_another_shops_product(owner):
    other = ProductFactory()
    with pytest.raises(PermissionDenied):
        open_group_buy(owner, other)
    assert not GroupBuy.objects.exists()


def test_an_organiser_opens_one_for_a_member_shop_and_it_is_the_collectives(product, shop):
    organiser = OrganiserFactory(role="organiser")
    MembershipFactory(collective=organiser.collective, merchant=shop)
    group_buy = open_group_buy(organiser.user, product, collective=organiser.collective)
    assert group_buy.collective == organiser.collective
    assert group_buy.merchant == shop
    assert group_buy.opened_by == organiser.user


@pytest.mark.parametrize("membership", [None, "left", "invited", "suspended"])
def test_an_organiser_opens_only_for_active_member_shops(product, shop, membership):
    organiser = OrganiserFactory()
    if membership:
        MembershipFactory(
            collective=organiser.collective,
            merchant=shop,
            status=membership,
            joined_at=None if membership == "invited" else timezone.now(),
            left_at=timezone.now() if membership == "left" else None,
        )
    with pytest.raises(PermissionDenied):
        open_group_buy(organiser.user, product, collective=organiser.collective)


def test_an_organiser_of_another_collective_cannot_open_for_this_one(product, shop):
    collective = MembershipFactory(merchant=shop).collective
    stranger = OrganiserFactory()  # organises another collective
    with pytest.raises(PermissionDenied):
        open_group_buy(stranger.user, product, collective=collective)


def test_customers_only_pledge_they_neither_open_nor_cancel(product, group_buy):
    customer = UserFactory()
    with pytest.raises(PermissionDenied):
        open_group_buy(customer, product)
    with pytest.raises(PermissionDenied):
        group_buy_cancel(actor=customer, group_buy=group_buy)
    assert pledge(group_buy, 2, customer).status == P.ACTIVE


# --- Opening: rules --------------------------------------------------------------------------


def tiers_of(*pairs):
    return [TierRequest(quantity, Decimal(discount)) for quantity, discount in pairs]


@pytest.mark.parametrize(
    "tiers",
    [
        [],
        tiers_of((1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5"), (6, "6")),
        tiers_of((10, "10"), (10, "20")),
        tiers_of((30, "10"), (10, "20")),
        tiers_of((10, "20"), (30, "20")),
        tiers_of((10, "20"), (30, "15")),
        tiers_of((10, "0")),
        tiers_of((10, "100")),
        tiers_of((10, "-5")),
        tiers_of((10, "10.555")),
        tiers_of((0, "10")),
    ],
    ids=[
        "none",
        "six",
        "same-quantity",
        "quantity-down",
        "same-discount",
        "discount-down",
        "zero-discount",
        "full-discount",
        "negative-discount",
        "three-decimals",
        "zero-quantity",
    ],
)
def test_tiers_are_one_to_five_strictly_increasing_with_a_discount_between_0_and_100(
    owner, product, tiers
):
    with pytest.raises(ValidationError) as caught:
        open_group_buy(owner, product, tiers=tiers)
    assert "tiers" in caught.value.error_dict
    assert not GroupBuy.objects.exists()


def test_five_increasing_tiers_are_accepted(owner, product):
    tiers = tiers_of((5, "5"), (10, "7.5"), (20, "10"), (40, "15"), (80, "25.25"))
    assert open_group_buy(owner, product, tiers=tiers).tiers.count() == 5


@pytest.mark.parametrize("deadline", [-1, 0, 91], ids=["past", "now", "beyond-90-days"])
def test_the_deadline_is_in_the_future_and_at_most_90_days_ahead(owner, product, deadline):
    with pytest.raises(ValidationError) as caught:
        open_group_buy(owner, product, deadline=timezone.now() + dt.timedelta(days=deadline))
    assert "deadline" in caught.value.error_dict


def test_the_maximum_is_at_least_the_first_tier(owner, product):
    with pytest.raises(ValidationError) as caught:
        open_group_buy(owner, product, max_quantity=9)
    assert "max_quantity" in caught.value.error_dict
    assert open_group_buy(owner, product, max_quantity=10).max_quantity == 10


@pytest.mark.parametrize("change", ["draft", "archived", "shop-suspended"])
def test_only_a_published_product_of_an_active_shop_can_be_offered(owner, product, shop, change):
    if change == "shop-suspended":
        shop.status = "suspended"
        shop.save()
    else:
        product.status = change
        product.save()
    with pytest.raises(ValidationError) as caught:
        open_group_buy(owner, product)
    assert "product" in caught.value.error_dict


def test_one_group_buy_at_a_time_per_product(owner, product, group_buy):
    with pytest.raises(ValidationError) as caught:
        open_group_buy(owner, product)
    assert "product" in caught.value.error_dict
    group_buy_cancel(actor=owner, group_buy=group_buy)
    assert open_group_buy(owner, product).status == G.OPEN


def test_tracked_stock_does_not_cap_the_maximum(owner, product):
    """The goods are ordered for the group buy: 5 on the shelf, 200 may be pledged."""
    assert open_group_buy(owner, product, max_quantity=200).max_quantity == 200


# --- Opening: pickup at an event -------------------------------------------------------------


@pytest.fixture
def market(shop):
    """A market day in 20 days, of a collective the shop belongs to and takes part in."""
    collective = MembershipFactory(merchant=shop).collective
    event = EventFactory(collective=collective, starts_at=in_days(20), registration_open=False)
    EventParticipationFactory(
        event=event, merchant=shop, status="accepted", answered_at=timezone.now()
    )
    return event.occurrences.get()


def test_pickup_can_be_a_date_of_an_event_the_shop_takes_part_in(owner, product, market):
    group_buy = open_group_buy(owner, product, pickup_occurrence=market)
    assert group_buy.pickup_occurrence == market


def test_pickup_at_an_event_the_shop_does_not_take_part_in_is_refused(owner, product, shop):
    collective = MembershipFactory(merchant=shop).collective
    occurrence = EventFactory(collective=collective, starts_at=in_days(20)).occurrences.get()
    EventParticipationFactory(event=occurrence.event, merchant=shop, status="invited")
    with pytest.raises(ValidationError) as caught:
        open_group_buy(owner, product, pickup_occurrence=occurrence)
    assert "pickup_occurrence" in caught.value.error_dict


def test_pickup_must_come_after_the_deadline(owner, product, market):
    with pytest.raises(ValidationError) as caught:
        open_group_buy(owner, product, pickup_occurrence=market, deadline=in_days(25))
    assert "pickup_occurrence" in caught.value.error_dict


def test_a_cancelled_date_is_no_pickup(owner, product, market):
    market.status = "cancelled"
    market.cancelled_at = timezone.now()
    market.save()
    with pytest.raises(ValidationError) as caught:
        open_group_buy(owner, product, pickup_occurrence=market)
    assert "pickup_occurrence" in caught.value.error_dict


def test_an_organisers_group_buy_picks_up_only_at_its_own_collectives_events(product, shop, market):
    organiser = OrganiserFactory()
    MembershipFactory(collective=organiser.collective, merchant=shop)
    with pytest.raises(ValidationError) as caught:
        open_group_buy(
            organiser.user, product, collective=organiser.collective, pickup_occurrence=market
        )
    assert "pickup_occurrence" in caught.value.error_dict
    OrganiserFactory(collective=market.event.collective, user=organiser.user)
    group_buy = open_group_buy(
        organiser.user, product, collective=market.event.collective, pickup_occurrence=market
    )
    assert group_buy.pickup_occurrence == market


# --- Pledges ---------------------------------------------------------------------------------


def test_a_customer_pledges_then_changes_the_quantity_one_active_pledge(group_buy):
    customer = UserFactory()
    first = pledge(group_buy, 3, customer, source=Source.SELECTION)
    again = pledge(group_buy, 5, customer)
    assert again.pk == first.pk
    assert again.quantity == 5
    assert again.source == Source.SELECTION  # where they first came from
    assert Pledge.objects.filter(group_buy=group_buy, customer=customer).count() == 1
    assert reload(group_buy).pledged_quantity == 5
    pledge(group_buy, 2, customer)
    assert reload(group_buy).pledged_quantity == 2


def test_the_counter_is_the_sum_of_the_active_pledges(group_buy):
    customers = [UserFactory() for _ in range(3)]
    pledge(group_buy, 4, customers[0])
    pledge(group_buy, 6, customers[1])
    second = pledge(group_buy, 1, customers[2])
    pledge_withdraw(actor=customers[2], pledge=second)
    active = Pledge.objects.filter(group_buy=group_buy, status=P.ACTIVE)
    assert reload(group_buy).pledged_quantity == active.aggregate(s=Sum("quantity"))["s"] == 10


def test_above_the_maximum_the_error_says_how_many_units_are_left(owner, product):
    group_buy = open_group_buy(owner, product, max_quantity=12)
    customer = UserFactory()
    pledge(group_buy, 9, customer)
    with pytest.raises(ValidationError) as caught:
        pledge(group_buy, 4)
    refusal = caught.value.error_dict["quantity"][0]
    assert refusal.code == "max_reached"
    assert "3" in refusal.messages[0]
    assert reload(group_buy).pledged_quantity == 9
    # Changing one's own pledge counts one's own units as available.
    assert pledge(group_buy, 12, customer).quantity == 12
    with pytest.raises(ValidationError) as caught:
        pledge(group_buy, 1)
    assert caught.value.error_dict["quantity"][0].code == "max_reached"


@pytest.mark.parametrize("quantity", [0, -1, 1000])
def test_a_pledge_is_between_1_and_999_units(group_buy, quantity):
    with pytest.raises(ValidationError) as caught:
        pledge(group_buy, quantity)
    assert "quantity" in caught.value.error_dict


def test_no_pledge_after_the_deadline_or_once_closed(owner, group_buy, product):
    make_due(group_buy)
    with pytest.raises(ValidationError) as caught:
        pledge(group_buy, 1)
    assert caught.value.code == "closed"
    other = open_group_buy(owner, ProductFactory(merchant=product.merchant))
    group_buy_cancel(actor=owner, group_buy=other)
    with pytest.raises(ValidationError):
        pledge(other, 1)


def test_no_pledge_once_the_product_is_unpublished(group_buy, product):
    product.status = "draft"
    product.save()
    with pytest.raises(ValidationError):
        pledge(group_buy, 1)


def test_a_pledger_withdraws_until_the_deadline(group_buy):
    customer = UserFactory()
    mine = pledge(group_buy, 4, customer)
    withdrawn = pledge_withdraw(actor=customer, pledge=mine)
    assert withdrawn.status == P.WITHDRAWN
    assert reload(group_buy).pledged_quantity == 0
    assert pledge_withdraw(actor=customer, pledge=mine).status == P.WITHDRAWN  # twice: nothing
    assert reload(group_buy).pledged_quantity == 0
    # Pledging again after withdrawing is a new pledge.
    again = pledge(group_buy, 2, customer)
    assert again.pk != mine.pk
    make_due(group_buy)
    with pytest.raises(ValidationError) as caught:
        pledge_withdraw(actor=customer, pledge=again)
    assert caught.value.code == "deadline_passed"
    assert reload(group_buy).pledged_quantity == 2


def test_nobody_withdraws_someone_elses_pledge(group_buy, owner):
    theirs = pledge(group_buy, 4)
    with pytest.raises(PermissionDenied):
        pledge_withdraw(actor=owner, pledge=theirs)


def test_the_database_refuses_a_total_above_the_maximum(group_buy):
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupBuy.objects.filter(pk=group_buy.pk).update(pledged_quantity=51)


def test_crossing_a_tier_queues_the_notice_once_for_the_highest_tier(
    group_buy, queued, django_capture_on_commit_callbacks
):
    tiers = list(group_buy.tiers.order_by("min_quantity"))
    with django_capture_on_commit_callbacks(execute=True):
        pledge(group_buy, 9)
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        pledge(group_buy, 1)  # 10: the first tier
    assert queued == [("notify_group_buy_tier", (group_buy.pk, tiers[0].pk))]
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pledge(group_buy, 25)  # 35: past the second tier
    assert queued == [("notify_group_buy_tier", (group_buy.pk, tiers[1].pk))]


# --- Closing ---------------------------------------------------------------------------------


def test_discounted_prices_round_half_up_to_the_cent():
    assert discounted_price(Decimal("12.10"), Decimal("15")) == Decimal("10.29")  # 10.285
    assert discounted_price(Decimal("12.34"), Decimal("10")) == Decimal("11.11")  # 11.106
    assert discounted_price(Decimal("0.05"), Decimal("50")) == Decimal("0.03")  # 0.025


def test_a_group_buy_that_reaches_a_tier_succeeds_at_the_final_tiers_price(
    owner, product, market, queued, django_capture_on_commit_callbacks
):
    group_buy = open_group_buy(
        owner,
        product,
        tiers=tiers_of((10, "10"), (30, "15"), (60, "30")),
        pickup_occurrence=market,
    )
    customers = [UserFactory() for _ in range(4)]
    pledges = [
        pledge(group_buy, 10, customers[0], source=Source.EVENT),
        pledge(group_buy, 15, customers[1]),
        pledge(group_buy, 7, customers[2]),
    ]
    gone = pledge(group_buy, 3, customers[3])
    pledge_withdraw(actor=customers[3], pledge=gone)
    make_due(group_buy)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        closed = group_buy_close(group_buy_id=group_buy.pk)
    assert closed.status == G.SUCCEEDED
    assert closed.final_discount == Decimal("15.00")
    assert closed.closed_at is not None
    assert closed.pledged_quantity == 32
    reservations = Reservation.objects.filter(group_buy=group_buy).order_by("pk")
    assert reservations.count() == 3
    for item, reservation in zip(pledges, reservations, strict=True):
        item.refresh_from_db()
        assert item.status == P.CONFIRMED
        assert item.reservation == reservation
        assert reservation.customer == item.customer
        assert reservation.status == Reservation.Status.CONFIRMED
        assert reservation.confirmed_at is not None
        assert reservation.pickup_occurrence == market
        assert reservation.pickup_deadline == market.ends_at
        line = reservation.lines.get()
        assert line.product == product
        assert line.quantity == item.quantity
        assert line.unit_price == Decimal("10.29")  # 12.10 at −15 %, half up
        assert line.holds_stock is False
        assert reservation.total == Decimal("10.29") * item.quantity
    assert [r.source for r in reservations] == [Source.EVENT, Source.GROUP_BUY, Source.GROUP_BUY]
    gone.refresh_from_db()
    assert gone.status == P.WITHDRAWN
    assert gone.reservation is None
    # The goods are ordered for the group buy: the shelf stock is left as it is.
    product.refresh_from_db()
    assert product.stock == 5
    assert queued == [("notify_group_buy_outcome", (group_buy.pk,))]


def test_a_pickup_in_the_shop_is_due_two_weeks_after_the_deadline(group_buy):
    pledge(group_buy, 10)
    make_due(group_buy)
    group_buy_close(group_buy_id=group_buy.pk)
    reservation = Reservation.objects.get(group_buy=group_buy)
    assert reservation.pickup_occurrence is None
    deadline = timezone.localtime(reservation.pickup_deadline)
    assert deadline.date() == timezone.localdate() + dt.timedelta(days=14)
    assert deadline.time() == dt.time(19, 0)


def test_a_group_buy_below_its_first_tier_fails_and_every_pledge_is_released(
    group_buy, queued, django_capture_on_commit_callbacks
):
    pledges = [pledge(group_buy, 4), pledge(group_buy, 5)]
    make_due(group_buy)
    with django_capture_on_commit_callbacks(execute=True):
        closed = group_buy_close(group_buy_id=group_buy.pk)
    assert closed.status == G.FAILED
    assert closed.final_discount is None
    assert closed.pledged_quantity == 9
    assert not Reservation.objects.exists()
    assert {Pledge.objects.get(pk=p.pk).status for p in pledges} == {P.RELEASED}
    assert ("notify_group_buy_outcome", (group_buy.pk,)) in queued


def test_closing_is_idempotent_and_waits_for_the_deadline(group_buy):
    pledge(group_buy, 12)
    assert group_buy_close(group_buy_id=group_buy.pk).status == G.OPEN  # not due yet
    assert not Reservation.objects.exists()
    make_due(group_buy)
    first = group_buy_close(group_buy_id=group_buy.pk)
    second = group_buy_close(group_buy_id=group_buy.pk)
    assert first.status == second.status == G.SUCCEEDED
    assert second.closed_at == first.closed_at
    assert Reservation.objects.filter(group_buy=group_buy).count() == 1


def test_a_pledge_whose_account_was_deleted_is_released_at_closing_and_not_counted(group_buy):
    kept = pledge(group_buy, 10)
    orphan = pledge(group_buy, 25)
    Pledge.objects.filter(pk=orphan.pk).update(customer=None)
    make_due(group_buy)
    closed = group_buy_close(group_buy_id=group_buy.pk)
    assert closed.pledged_quantity == 10
    assert closed.final_discount == Decimal("10.00")  # not the 30-unit tier
    assert Pledge.objects.get(pk=kept.pk).status == P.CONFIRMED
    assert Pledge.objects.get(pk=orphan.pk).status == P.RELEASED
    assert Reservation.objects.filter(group_buy=group_buy).count() == 1


def test_the_beat_task_closes_the_due_group_buys_only(owner, shop, group_buy):
    pledge(group_buy, 10)
    make_due(group_buy)
    later = open_group_buy(owner, ProductFactory(merchant=shop))
    failed = GroupBuyFactory(status=G.FAILED)
    assert tasks.close_due_group_buys() == 1
    assert reload(group_buy).status == G.SUCCEEDED
    assert reload(later).status == G.OPEN
    assert reload(failed).status == G.FAILED
    assert group_buys_close_due() == 0  # a second run finds nothing to do


def test_the_beat_schedule_runs_the_closing_every_minute():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "orders.tasks_group_buys.close_due_group_buys"
    ]
    assert len(entries) == 1
    assert entries[0]["schedule"] <= 300
    assert tasks.close_due_group_buys.name == "orders.tasks_group_buys.close_due_group_buys"


# --- Cancelling ------------------------------------------------------------------------------


def test_the_shop_cancels_and_every_pledge_is_released(
    owner, group_buy, queued, django_capture_on_commit_callbacks
):
    pledges = [pledge(group_buy, 3), pledge(group_buy, 8)]
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = group_buy_cancel(actor=owner, group_buy=group_buy)
    assert cancelled.status == G.CANCELLED
    assert cancelled.closed_at is not None
    assert {Pledge.objects.get(pk=p.pk).status for p in pledges} == {P.RELEASED}
    assert queued == [("notify_group_buy_outcome", (group_buy.pk,))]
    assert group_buy_cancel(actor=owner, group_buy=group_buy).status == G.CANCELLED  # twice


def test_organisers_cancel_their_collectives_group_buys_only(product, shop, owner):
    organiser = OrganiserFactory(role="organiser")
    MembershipFactory(collective=organiser.collective, merchant=shop)
    theirs = open_group_buy(organiser.user, product, collective=organiser.collective)
    stranger = OrganiserFactory()
    with pytest.raises(PermissionDenied):
        group_buy_cancel(actor=stranger.user, group_buy=theirs)
    assert group_buy_cancel(actor=organiser.user, group_buy=theirs).status == G.CANCELLED
    # …and never the shop's own.
    own = open_group_buy(owner, product)
    with pytest.raises(PermissionDenied):
        group_buy_cancel(actor=organiser.user, group_buy=own)


def test_the_shop_also_cancels_a_group_buy_an_organiser_opened_on_its_product(product, shop, owner):
    organiser = OrganiserFactory()
    MembershipFactory(collective=organiser.collective, merchant=shop)
    theirs = open_group_buy(organiser.user, product, collective=organiser.collective)
    assert group_buy_cancel(actor=owner, group_buy=theirs).status == G.CANCELLED


def test_a_closed_group_buy_cannot_be_cancelled(owner, group_buy):
    pledge(group_buy, 10)
    make_due(group_buy)
    group_buy_close(group_buy_id=group_buy.pk)
    with pytest.raises(ValidationError) as caught:
        group_buy_cancel(actor=owner, group_buy=group_buy)
    assert caught.value.code == "closed"


# --- E-mails ---------------------------------------------------------------------------------


class FlakyBackend(EmailBackend):
    """A mail server that is unreachable for the first ``failures`` messages."""

    failures = 0

    def send_messages(self, email_messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("the mail server is down")  # an OSError
        return super().send_messages(email_messages)


def test_every_pledger_and_the_shop_hear_the_success_once(
    group_buy, owner, run_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    english = UserFactory(email="ann@example.org", preferred_language="en")
    french = UserFactory(email="bea@example.org", notification_email="bea.avis@example.org")
    pledge(group_buy, 6, english)
    pledge(group_buy, 5, french)
    make_due(group_buy)
    mailoutbox.clear()  # the « tier reached » e-mails
    with django_capture_on_commit_callbacks(execute=True):
        group_buy_close(group_buy_id=group_buy.pk)
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == ["ann@example.org", "bea.avis@example.org", "patron@example.org"]
    to_ann = next(m for m in mailoutbox if m.to == ["ann@example.org"])
    reservation = Reservation.objects.get(customer=english)
    assert reservation.code in to_ann.body
    assert "10.89" in to_ann.body or "10,89" in to_ann.body  # 12.10 at −10 %
    assert "/en/" in to_ann.body  # the link in her language
    to_shop = next(m for m in mailoutbox if m.to == ["patron@example.org"])
    assert "11" in to_shop.subject  # the units to order
    # The task queued again (a duplicate delivery) sends nothing more.
    tasks.notify_group_buy_outcome(group_buy.pk)
    assert len(mailoutbox) == 3


def test_pledgers_hear_the_failure_and_the_shop_too(
    group_buy, run_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    customer = UserFactory(email="carl@example.org")
    pledge(group_buy, 2, customer)
    make_due(group_buy)
    with django_capture_on_commit_callbacks(execute=True):
        group_buy_close(group_buy_id=group_buy.pk)
    assert sorted(m.to[0] for m in mailoutbox) == ["carl@example.org", "patron@example.org"]


def test_the_shops_own_address_gets_its_notice(
    owner, shop, group_buy, run_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    shop.email = "contact@epicerie.example"
    shop.save()
    with django_capture_on_commit_callbacks(execute=True):
        group_buy_cancel(actor=owner, group_buy=group_buy)
    assert [m.to for m in mailoutbox] == [["contact@epicerie.example"]]


def test_pledgers_hear_of_a_cancellation(
    owner, group_buy, run_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    pledge(group_buy, 2, UserFactory(email="dan@example.org"))
    withdrawn = pledge(group_buy, 2, UserFactory(email="eve@example.org"))
    pledge_withdraw(actor=withdrawn.customer, pledge=withdrawn)
    with django_capture_on_commit_callbacks(execute=True):
        group_buy_cancel(actor=owner, group_buy=group_buy)
    # Who withdrew is not in it any more and hears nothing.
    assert sorted(m.to[0] for m in mailoutbox) == ["dan@example.org", "patron@example.org"]


def test_the_tier_reached_notice_goes_to_every_pledger_once(
    group_buy, run_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    first = UserFactory(email="fay@example.org")
    second = UserFactory(email="gus@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        pledge(group_buy, 5, first)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        mine = pledge(group_buy, 5, second)  # 10: the first tier
    assert sorted(m.to[0] for m in mailoutbox) == ["fay@example.org", "gus@example.org"]
    # Dropping below the tier and crossing it again tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        pledge(group_buy, 4, second)
    with django_capture_on_commit_callbacks(execute=True):
        pledge(group_buy, 5, second)
    assert len(mailoutbox) == 2
    tier = group_buy.tiers.order_by("min_quantity").first()
    assert pledge_tier_notice_send(pledge_id=mine.pk, tier_id=tier.pk) is False


def test_a_failed_mail_server_releases_the_claim_for_the_retry(group_buy, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.orders.test_group_buys.FlakyBackend"
    mine = pledge(group_buy, 2, UserFactory(email="hal@example.org"))
    make_due(group_buy)
    group_buy_close(group_buy_id=group_buy.pk)
    FlakyBackend.failures = 1
    with pytest.raises(ConnectionRefusedError):
        pledge_outcome_notice_send(pledge_id=mine.pk)
    assert pledge_outcome_notice_send(pledge_id=mine.pk) is True
    assert pledge_outcome_notice_send(pledge_id=mine.pk) is False
    assert [m.to for m in mailoutbox] == [["hal@example.org"]]


def test_no_outcome_notice_while_the_group_buy_is_open(group_buy, mailoutbox):
    mine = PledgeFactory(group_buy=group_buy, status=P.RELEASED)
    assert pledge_outcome_notice_send(pledge_id=mine.pk) is False
    assert mailoutbox == []


# --- Concurrency -----------------------------------------------------------------------------

# PostgreSQL accepts 100 connections by default, shared with any other test run on the
# machine: the 200 threads start at the same instant, but at most this many hold a database
# connection at once (each pledge opens its own and closes it).
CONNECTIONS = 20


@pytest.mark.django_db(transaction=True)
def test_two_hundred_customers_pledging_at_once_keep_the_total_exact(monkeypatch):
    """The issue's rule: 200 concurrent pledges (200 threads, each its own transaction) of
    1 to 3 units on a group buy capped at 300 → the total equals the sum of the accepted
    pledges, never exceeds the maximum, and the others are refused with the units left."""
    monkeypatch.setattr(tasks.notify_group_buy_tier, "delay", lambda *args: None)
    member = MerchantMemberFactory(role="owner")
    owner, product = member.user, ProductFactory(merchant=member.merchant)
    group_buy = open_group_buy(owner, product, max_quantity=300)
    draws = random.Random(20240601)
    wishes = [(UserFactory(), draws.randint(1, 3)) for _ in range(200)]
    assert sum(quantity for _, quantity in wishes) > 300  # some must be refused
    barrier = threading.Barrier(len(wishes))
    gate = threading.BoundedSemaphore(CONNECTIONS)
    accepted: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def pledge_one(customer, quantity) -> None:
        try:
            barrier.wait(timeout=60)
            with gate:
                try:
                    accepted.append(
                        pledge_place(
                            actor=customer, group_buy=group_buy, quantity=quantity
                        ).quantity
                    )
                except ValidationError as error:
                    refused.append(error.error_dict["quantity"][0].code)
                finally:
                    connection.close()
        except BaseException as error:  # reported below: a thread's failure fails the test
            errors.append(error)

    threads = [threading.Thread(target=pledge_one, args=wish) for wish in wishes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(accepted) + len(refused) == 200
    assert refused
    assert set(refused) == {"max_reached"}
    group_buy.refresh_from_db()
    active = Pledge.objects.filter(group_buy=group_buy, status=P.ACTIVE)
    assert active.count() == len(accepted)
    assert group_buy.pledged_quantity == active.aggregate(s=Sum("quantity"))["s"] == sum(accepted)
    assert group_buy.pledged_quantity <= 300
    assert group_buy.pledged_quantity >= 298  # refused only when fewer units were left

"""Click & collect reservations: the services' rules (orders.services.reservations), the
pickup choices (orders.selectors.reservations), the e-mails sent at most once and the expiry
task (orders.tasks_reservations) — and the issue's concurrency rule: 100 customers reserving
the last 10 units at once get exactly 10 reservations, and the stock never goes below zero."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from catalog.models import Product
from collectives.models import Event, EventOccurrence, EventParticipation
from merchants.hours import PARIS
from orders import tasks_reservations
from orders.codes import ALPHABET, LENGTH
from orders.models import Reservation, ReservationLine, Source
from orders.selectors.reservations import pickup_choices
from orders.services.reservations import (
    reservation_cancel,
    reservation_collect,
    reservation_confirm,
    reservation_create,
    reservation_decline,
    reservation_expire_overdue,
    reservation_mark_ready,
    reservation_mark_seen,
    reservation_notice_send,
    reservation_release_stock,
)
from tests.factories import (
    ClosureFactory,
    EventFactory,
    EventParticipationFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OpeningHoursFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = Reservation.Status


# --- Helpers -------------------------------------------------------------------------------


def paris(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def open_every_day(merchant, opens=dt.time(9, 0), closes=dt.time(19, 0)) -> None:
    for weekday in range(7):
        OpeningHoursFactory(merchant=merchant, weekday=weekday, opens=opens, closes=closes)


def a_shop(**fields):
    """An active shop open every day 0:00–23:30, so a pickup day is always offered."""
    shop = MerchantFactory(**fields)
    open_every_day(shop, opens=dt.time(0, 0), closes=dt.time(23, 30))
    return shop


def staff_of(shop, role="staff"):
    return MerchantMemberFactory(merchant=shop, role=role).user


def reserve(customer, product, quantity=1, *, pickup=None, now=None, **extra) -> Reservation:
    """Reserve with the first pickup offered at ``now`` (computed at that same instant)."""
    now = now or timezone.now()
    key = (
        pickup if pickup is not None else pickup_choices(merchant=product.merchant, now=now)[0].key
    )
    return reservation_create(
        actor=customer, product=product, quantity=quantity, pickup=key, now=now, **extra
    )


def stock(product) -> int | None:
    return Product.objects.values_list("stock", flat=True).get(pk=product.pk)


@pytest.fixture
def queued(monkeypatch):
    """The notices queued after commit, as (reservation id, kind)."""
    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(
        tasks_reservations.send_reservation_notice, "delay", lambda *args: calls.append(args)
    )
    return calls


@pytest.fixture
def shop():
    return a_shop(name="Fromagerie Dupuy", street="3 rue des Cornières")


@pytest.fixture
def cheese(shop):
    return ProductFactory(merchant=shop, title="Tomme", price=Decimal("12.50"), stock=10)


# --- Pickup choices ------------------------------------------------------------------------


def test_pickup_days_are_the_next_opening_days_until_closing_time_outside_closures():
    """The rule: a pickup day is a day with opening hours, not closed, offered until its
    last closing time (Paris); today only while it closes at least an hour later."""
    shop = MerchantFactory()
    monday = dt.date(2030, 6, 3)  # a Monday
    assert monday.weekday() == 0
    OpeningHoursFactory(merchant=shop, weekday=1, opens=dt.time(9), closes=dt.time(12, 30))
    OpeningHoursFactory(merchant=shop, weekday=1, opens=dt.time(14), closes=dt.time(19))
    OpeningHoursFactory(merchant=shop, weekday=3, opens=dt.time(9), closes=dt.time(18))
    # Closed the first Thursday.
    ClosureFactory(merchant=shop, starts_on=dt.date(2030, 6, 6), ends_on=dt.date(2030, 6, 6))

    choices = pickup_choices(merchant=shop, now=paris(monday, 10))

    keys = [c.key for c in choices]
    assert keys[:4] == ["day:2030-06-04", "day:2030-06-11", "day:2030-06-13", "day:2030-06-18"]
    assert len(keys) == 6
    assert choices[0].deadline == paris(dt.date(2030, 6, 4), 19)
    assert choices[0].occurrence is None


def test_today_is_offered_while_there_is_time_to_prepare():
    shop = MerchantFactory()
    OpeningHoursFactory(merchant=shop, weekday=0, opens=dt.time(9), closes=dt.time(19))
    monday = dt.date(2030, 6, 3)
    assert pickup_choices(merchant=shop, now=paris(monday, 17, 59))[0].key == "day:2030-06-03"
    assert pickup_choices(merchant=shop, now=paris(monday, 18, 1))[0].key == "day:2030-06-10"


def test_a_shop_without_hours_offers_no_day():
    assert pickup_choices(merchant=MerchantFactory()) == []


def test_event_dates_are_offered_where_the_shop_has_an_accepted_stand():
    """The rule: a reservation may be for pickup at an event — a date of a published event
    where the shop's participation is accepted, until that date ends."""
    shop = MerchantFactory()
    now = timezone.now()
    starts = now + dt.timedelta(days=3)
    market = EventFactory(
        title="Marché du jeudi",
        kind=Event.Kind.MARKET,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=5),
    )
    EventParticipationFactory(
        event=market, merchant=shop, status=EventParticipation.Status.ACCEPTED, answered_at=now
    )
    MembershipFactory(collective=market.collective, merchant=shop)
    # A stand accepted in a collective the shop has since left is not offered.
    left = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    EventParticipationFactory(
        event=left, merchant=shop, status=EventParticipation.Status.ACCEPTED, answered_at=now
    )
    MembershipFactory(collective=left.collective, merchant=shop, status="left", left_at=now)
    invited = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    EventParticipationFactory(event=invited, merchant=shop)  # not accepted
    cancelled = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    EventParticipationFactory(
        event=cancelled, merchant=shop, status=EventParticipation.Status.ACCEPTED, answered_at=now
    )
    cancelled.occurrences.update(
        status=EventOccurrence.Status.CANCELLED, cancelled_at=timezone.now()
    )
    draft = EventFactory(
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        status=Event.Status.DRAFT,
        published_at=None,
    )
    EventParticipationFactory(
        event=draft, merchant=shop, status=EventParticipation.Status.ACCEPTED, answered_at=now
    )

    choices = pickup_choices(merchant=shop, now=now)

    occurrence = market.occurrences.get()
    assert [c.key for c in choices] == [f"event:{occurrence.pk}"]
    assert choices[0].deadline == occurrence.ends_at
    assert "Marché du jeudi" in choices[0].label


# --- Reserving -----------------------------------------------------------------------------


def test_a_reservation_holds_the_stock_and_freezes_the_price(
    shop, cheese, customer, queued, django_capture_on_commit_callbacks
):
    """The rules: units are held at reservation; lines keep the price of that moment; the
    total is the sum of the lines; the code is short and unambiguous; the shop is told."""
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        reservation = reserve(customer, cheese, 3, note=" Coupée en deux ", phone="0601020304")

    assert stock(cheese) == 7
    assert reservation.status == S.PENDING
    assert reservation.total == Decimal("37.50")
    assert len(reservation.code) == LENGTH
    assert set(reservation.code) <= set(ALPHABET)
    assert reservation.customer == customer
    assert reservation.customer_email == customer.email
    assert reservation.note == "Coupée en deux"
    assert reservation.customer_phone == "0601020304"
    assert reservation.source == Source.DIRECT
    assert reservation.pickup_deadline == pickup_choices(merchant=shop, now=now)[0].deadline
    line = reservation.lines.get()
    assert (line.product, line.quantity, line.unit_price, line.holds_stock) == (
        cheese,
        3,
        Decimal("12.50"),
        True,
    )
    assert queued == [(reservation.pk, "new")]

    Product.objects.filter(pk=cheese.pk).update(price=Decimal("15.00"))
    line.refresh_from_db()
    reservation.refresh_from_db()
    assert line.unit_price == Decimal("12.50")
    assert reservation.total == Decimal("37.50")


def test_a_reservation_at_an_event_is_due_when_the_date_ends(shop, cheese, customer):
    now = timezone.now()
    starts = now + dt.timedelta(days=2)
    market = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=4))
    EventParticipationFactory(
        event=market, merchant=shop, status=EventParticipation.Status.ACCEPTED, answered_at=now
    )
    MembershipFactory(collective=market.collective, merchant=shop)
    occurrence = market.occurrences.get()

    reservation = reserve(customer, cheese, pickup=f"event:{occurrence.pk}", now=now)

    assert reservation.pickup_occurrence == occurrence
    assert reservation.pickup_deadline == occurrence.ends_at


def test_a_product_whose_stock_is_not_counted_holds_nothing(shop, customer):
    bread = ProductFactory(merchant=shop, stock=None)
    reservation = reserve(customer, bread, 4)
    assert stock(bread) is None
    assert reservation.lines.get().holds_stock is False


def test_the_source_is_kept_and_a_group_buy_cannot_be_claimed(shop, cheese, customer):
    assert reserve(customer, cheese, source="live").source == Source.LIVE
    assert reserve(customer, cheese, source="group_buy").source == Source.DIRECT
    assert reserve(customer, cheese, source="nonsense").source == Source.DIRECT


@pytest.mark.parametrize("quantity", [0, -1, 21])
def test_the_quantity_is_between_one_and_twenty(shop, customer, quantity):
    product = ProductFactory(merchant=shop, stock=None)
    with pytest.raises(ValidationError) as error:
        reserve(customer, product, quantity)
    assert "quantity" in error.value.message_dict
    assert not Reservation.objects.exists()


def test_the_pickup_must_be_one_offered(shop, cheese, customer):
    """A stale or forged pickup (a closed day, a date far ahead, garbage) is refused."""
    far = (timezone.localdate() + dt.timedelta(days=200)).isoformat()
    for key in (f"day:{far}", "event:999999", "tomorrow", ""):
        with pytest.raises(ValidationError) as error:
            reserve(customer, cheese, pickup=key)
        assert "pickup" in error.value.message_dict
    assert stock(cheese) == 10
    assert not Reservation.objects.exists()


def test_only_published_products_of_active_shops_can_be_reserved(customer):
    shop = a_shop()
    draft = ProductFactory(merchant=shop, status=Product.Status.DRAFT, published_at=None)
    archived = ProductFactory(merchant=shop, status=Product.Status.ARCHIVED)
    suspended = a_shop(status="suspended")
    elsewhere = ProductFactory(merchant=suspended)
    for product in (draft, archived, elsewhere):
        key = "day:" + timezone.localdate().isoformat()
        with pytest.raises(ValidationError) as error:
            reservation_create(actor=customer, product=product, quantity=1, pickup=key)
        assert error.value.code == "not_public"


def test_not_enough_left_keeps_nothing(shop, customer):
    """The rule: stock never goes negative — asking for more than is left is refused and
    nothing is written (no reservation, no line, the stock untouched)."""
    product = ProductFactory(merchant=shop, stock=2, title="Comté 24 mois")
    with pytest.raises(ValidationError) as error:
        reserve(customer, product, 3)
    assert error.value.code == "insufficient_stock"
    assert "Comté 24 mois" in error.value.messages[0]
    assert stock(product) == 2
    assert not Reservation.objects.exists()
    assert not ReservationLine.objects.exists()


def test_an_anonymous_visitor_cannot_reserve(cheese):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        reservation_create(actor=AnonymousUser(), product=cheese, quantity=1, pickup="x")


def test_the_database_refuses_a_negative_stock(cheese):
    """The last line of defence behind the conditional UPDATE."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=cheese.pk).update(stock=-1)


# --- Transitions ---------------------------------------------------------------------------


def test_the_happy_path_pending_confirmed_ready_collected(
    shop, cheese, customer, queued, django_capture_on_commit_callbacks
):
    seller = staff_of(shop)
    reservation = reserve(customer, cheese, 2)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = reservation_confirm(actor=seller, reservation=reservation)
        ready = reservation_mark_ready(actor=seller, reservation=reservation)
        collected = reservation_collect(actor=seller, reservation=reservation)

    assert (confirmed.status, ready.status, collected.status) == (S.CONFIRMED, S.READY, S.COLLECTED)
    reservation.refresh_from_db()
    assert reservation.status == S.COLLECTED
    assert reservation.seen_at is not None
    assert reservation.confirmed_at is not None
    assert reservation.ready_at is not None
    assert reservation.collected_at is not None
    assert reservation.closed_at is None
    # Collected units are sold: they stay taken, and nothing can give them back any more.
    assert stock(cheese) == 8
    reservation_release_stock(reservation)
    assert stock(cheese) == 8
    assert queued == [(reservation.pk, "confirmed"), (reservation.pk, "ready")]


def test_a_waiting_reservation_may_go_straight_to_ready(shop, cheese, customer):
    reservation = reserve(customer, cheese)
    ready = reservation_mark_ready(actor=staff_of(shop), reservation=reservation)
    assert ready.status == S.READY
    assert ready.confirmed_at is not None


def test_a_double_tap_changes_nothing(
    shop, cheese, customer, queued, django_capture_on_commit_callbacks
):
    """Tapping « confirm » twice confirms once and tells the customer once."""
    seller = staff_of(shop)
    reservation = reserve(customer, cheese)
    with django_capture_on_commit_callbacks(execute=True):
        first = reservation_confirm(actor=seller, reservation=reservation)
        second = reservation_confirm(actor=seller, reservation=reservation)
    assert first.confirmed_at == second.confirmed_at
    assert queued == [(reservation.pk, "confirmed")]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.READY, "confirm"),
        (S.COLLECTED, "confirm"),
        (S.DECLINED, "confirm"),
        (S.CANCELLED, "ready"),
        (S.EXPIRED, "ready"),
        (S.COLLECTED, "ready"),
        (S.PENDING, "collect"),
        (S.DECLINED, "collect"),
        (S.EXPIRED, "collect"),
        (S.CONFIRMED, "decline"),
        (S.READY, "decline"),
        (S.COLLECTED, "decline"),
        (S.COLLECTED, "cancel"),
        (S.DECLINED, "cancel"),
        (S.EXPIRED, "cancel"),
    ],
)
def test_invalid_transitions_are_refused_with_a_clear_error(shop, cheese, customer, status, action):
    """The rule: pending → confirmed → ready → collected, or declined (while pending),
    cancelled (while open), expired; anything else is refused and nothing changes."""
    seller = staff_of(shop)
    reservation = reserve(customer, cheese)
    _move_to(reservation, status, seller)
    before = stock(cheese)
    calls = {
        "confirm": lambda: reservation_confirm(actor=seller, reservation=reservation),
        "ready": lambda: reservation_mark_ready(actor=seller, reservation=reservation),
        "collect": lambda: reservation_collect(actor=seller, reservation=reservation),
        "decline": lambda: reservation_decline(
            actor=seller, reservation=reservation, reason="Rupture"
        ),
        "cancel": lambda: reservation_cancel(actor=customer, reservation=reservation),
    }
    with pytest.raises(ValidationError) as error:
        calls[action]()
    assert error.value.code == "invalid_transition"
    assert str(reservation.__class__.Status(status).label) in error.value.messages[0]
    reservation.refresh_from_db()
    assert reservation.status == status
    assert stock(cheese) == before


def _move_to(reservation: Reservation, status: str, seller) -> None:
    """Bring a reservation to ``status`` through the services."""
    if status == S.PENDING:
        return
    if status == S.DECLINED:
        reservation_decline(actor=seller, reservation=reservation, reason="Plus en stock")
    elif status == S.CANCELLED:
        reservation_cancel(actor=seller, reservation=reservation)
    elif status == S.EXPIRED:
        Reservation.objects.filter(pk=reservation.pk).update(
            pickup_deadline=timezone.now() - dt.timedelta(minutes=1)
        )
        assert reservation_expire_overdue() == 1
    else:
        reservation_confirm(actor=seller, reservation=reservation)
        if status in (S.READY, S.COLLECTED):
            reservation_mark_ready(actor=seller, reservation=reservation)
        if status == S.COLLECTED:
            reservation_collect(actor=seller, reservation=reservation)
    reservation.refresh_from_db()
    assert reservation.status == status


def test_declining_needs_a_reason_and_gives_the_stock_back(
    shop, cheese, customer, queued, django_capture_on_commit_callbacks
):
    seller = staff_of(shop)
    reservation = reserve(customer, cheese, 4)
    assert stock(cheese) == 6
    with pytest.raises(ValidationError) as error:
        reservation_decline(actor=seller, reservation=reservation, reason="   ")
    assert "reason" in error.value.message_dict
    assert stock(cheese) == 6

    with django_capture_on_commit_callbacks(execute=True):
        declined = reservation_decline(
            actor=seller, reservation=reservation, reason=" Plus de tomme "
        )
    assert declined.status == S.DECLINED
    assert declined.decline_reason == "Plus de tomme"
    assert declined.closed_at is not None
    assert stock(cheese) == 10
    assert queued == [(reservation.pk, "declined")]
    # Declining again (or giving back again) gives nothing more.
    reservation_decline(actor=seller, reservation=reservation, reason="encore")
    reservation_release_stock(reservation)
    assert stock(cheese) == 10


def test_the_customer_cancels_and_the_shop_is_told(
    shop, cheese, customer, queued, django_capture_on_commit_callbacks
):
    reservation = reserve(customer, cheese, 2)
    reservation_confirm(actor=staff_of(shop), reservation=reservation)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = reservation_cancel(actor=customer, reservation=reservation)
    assert cancelled.status == S.CANCELLED
    assert stock(cheese) == 10
    assert queued == [(reservation.pk, "cancelled_by_customer")]


def test_the_shop_cancels_with_a_reason_and_the_customer_is_told(
    shop, cheese, customer, queued, django_capture_on_commit_callbacks
):
    reservation = reserve(customer, cheese, 2)
    seller = staff_of(shop)
    reservation_mark_ready(actor=seller, reservation=reservation)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = reservation_cancel(
            actor=seller, reservation=reservation, reason="Le frigo est tombé en panne"
        )
    assert cancelled.status == S.CANCELLED
    assert cancelled.decline_reason == "Le frigo est tombé en panne"
    assert stock(cheese) == 10
    assert queued == [(reservation.pk, "cancelled")]


def test_only_the_shop_team_answers_and_only_the_customer_or_the_shop_cancels(
    shop, cheese, customer
):
    """Tenancy: another shop's team, the customer, a stranger are refused (and nothing
    changes); a stranger cannot cancel somebody's reservation."""
    reservation = reserve(customer, cheese)
    other_shop_staff = staff_of(a_shop())
    stranger = UserFactory()
    for actor in (other_shop_staff, customer, stranger):
        with pytest.raises(PermissionDenied):
            reservation_confirm(actor=actor, reservation=reservation)
        with pytest.raises(PermissionDenied):
            reservation_decline(actor=actor, reservation=reservation, reason="Non")
        with pytest.raises(PermissionDenied):
            reservation_mark_seen(actor=actor, reservation=reservation)
    for actor in (other_shop_staff, stranger):
        with pytest.raises(PermissionDenied):
            reservation_cancel(actor=actor, reservation=reservation)
    reservation.refresh_from_db()
    assert reservation.status == S.PENDING
    assert reservation.seen_at is None
    assert stock(cheese) == 9
    # The owner may answer as well as the staff.
    owner = staff_of(shop, role="owner")
    assert reservation_confirm(actor=owner, reservation=reservation).status == S.CONFIRMED


def test_seen_once_by_the_shop(shop, cheese, customer):
    reservation = reserve(customer, cheese)
    seller = staff_of(shop)
    first = reservation_mark_seen(actor=seller, reservation=reservation).seen_at
    assert first is not None
    again = Reservation.objects.get(pk=reservation.pk)
    assert reservation_mark_seen(actor=seller, reservation=again).seen_at == first


# --- Expiry --------------------------------------------------------------------------------


def test_overdue_reservations_expire_and_give_their_stock_back(
    shop, cheese, customer, queued, django_capture_on_commit_callbacks
):
    """The rule: open reservations not collected by their deadline expire (beat task),
    their units go back on sale, the customer is told; the others are left alone. A second
    run changes nothing (idempotent)."""
    seller = staff_of(shop)
    pending = reserve(customer, cheese, 1)
    confirmed = reserve(customer, cheese, 2)
    reservation_confirm(actor=seller, reservation=confirmed)
    ready = reserve(customer, cheese, 3)
    reservation_mark_ready(actor=seller, reservation=ready)
    on_time = reserve(customer, cheese, 1)
    collected = reserve(customer, cheese, 1)
    reservation_mark_ready(actor=seller, reservation=collected)
    reservation_collect(actor=seller, reservation=collected)
    assert stock(cheese) == 2
    past = timezone.now() - dt.timedelta(minutes=5)
    Reservation.objects.exclude(pk=on_time.pk).update(pickup_deadline=past)
    queued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_reservations.expire_overdue_reservations() == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_reservations.expire_overdue_reservations() == 0

    statuses = dict(Reservation.objects.values_list("pk", "status"))
    assert statuses == {
        pending.pk: S.EXPIRED,
        confirmed.pk: S.EXPIRED,
        ready.pk: S.EXPIRED,
        on_time.pk: S.PENDING,
        collected.pk: S.COLLECTED,
    }
    assert stock(cheese) == 2 + 1 + 2 + 3
    assert sorted(queued) == sorted(
        [(pending.pk, "expired"), (confirmed.pk, "expired"), (ready.pk, "expired")]
    )
    assert Reservation.objects.get(pk=pending.pk).closed_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_reservation_being_handled_is_skipped_by_the_expiry_and_caught_next_time(queued):
    """The expiry never waits on a row the counter holds (SKIP LOCKED): that reservation is
    left to the next run, if it is still open then."""
    shop = a_shop()
    product = ProductFactory(merchant=shop, stock=5)
    reservation = reserve(UserFactory(), product, 2)
    Reservation.objects.filter(pk=reservation.pk).update(
        pickup_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    outcome: list[int] = []
    errors: list[BaseException] = []
    locked, done = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                Reservation.objects.select_for_update().get(pk=reservation.pk)
                locked.set()
                done.wait(timeout=30)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert locked.wait(timeout=30)
    try:
        outcome.append(reservation_expire_overdue())
    finally:
        done.set()
        holder.join(timeout=30)
    assert errors == []
    assert outcome == [0]
    assert stock(product) == 3
    assert reservation_expire_overdue() == 1
    assert stock(product) == 5


# --- E-mails -------------------------------------------------------------------------------


class FlakyBackend(EmailBackend):
    """A mail server that is unreachable for the first ``failures`` messages."""

    failures = 0

    def send_messages(self, email_messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("the mail server is down")  # an OSError
        return super().send_messages(email_messages)


def test_a_new_reservation_is_mailed_once_to_the_whole_team(shop, cheese, customer):
    owner = staff_of(shop, role="owner")
    seller = staff_of(shop)
    seller.notification_email = "boutique@example.org"
    seller.save()
    reservation = reserve(customer, cheese, 2, note="Bien affinée")

    assert reservation_notice_send(reservation_id=reservation.pk, kind="new") is True
    assert reservation_notice_send(reservation_id=reservation.pk, kind="new") is False

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([owner.email, "boutique@example.org"])
    assert reservation.code in message.subject
    assert "Tomme" in message.body
    assert "25,00 €" in message.body
    assert "Bien affinée" in message.body
    assert f"/mon-commerce/{shop.slug}/reservations/{reservation.pk}/" in message.body


def test_the_customer_is_told_each_step_once_in_their_language(shop, cheese):
    customer = UserFactory(preferred_language="en", notification_email="moi@example.org")
    seller = staff_of(shop)
    reservation = reserve(customer, cheese)
    reservation_confirm(actor=seller, reservation=reservation)
    assert reservation_notice_send(reservation_id=reservation.pk, kind="confirmed")
    reservation_mark_ready(actor=seller, reservation=reservation)
    assert reservation_notice_send(reservation_id=reservation.pk, kind="ready")
    assert not reservation_notice_send(reservation_id=reservation.pk, kind="ready")
    # Too late for « confirmed » now: it no longer applies (and was sent anyway).
    assert not reservation_notice_send(reservation_id=reservation.pk, kind="confirmed")

    assert [m.to for m in mail.outbox] == [["moi@example.org"], ["moi@example.org"]]
    assert mail.outbox[0].subject == "Fromagerie Dupuy confirmed your reservation"
    assert mail.outbox[1].subject == "Your order is ready at Fromagerie Dupuy"
    assert reservation.code in mail.outbox[1].body
    assert f"/en/reservations/{reservation.pk}/" in mail.outbox[1].body


def test_a_notice_that_no_longer_applies_is_not_sent(shop, cheese, customer):
    staff_of(shop, role="owner")
    reservation = reserve(customer, cheese)
    reservation_cancel(actor=customer, reservation=reservation)
    for kind in ("new", "confirmed", "declined", "expired"):
        assert not reservation_notice_send(reservation_id=reservation.pk, kind=kind)
    assert mail.outbox == []


def test_a_declined_reservation_tells_why(shop, cheese, customer):
    reservation = reserve(customer, cheese)
    reservation_decline(actor=staff_of(shop), reservation=reservation, reason="Plus de tomme")
    assert reservation_notice_send(reservation_id=reservation.pk, kind="declined")
    assert "Plus de tomme" in mail.outbox[0].body


def test_a_mail_server_failure_lets_the_retry_send_it(settings, shop, cheese, customer):
    settings.EMAIL_BACKEND = "tests.orders.test_reservations.FlakyBackend"
    FlakyBackend.failures = 1
    reservation = reserve(customer, cheese)
    Reservation.objects.filter(pk=reservation.pk).update(
        pickup_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    reservation_expire_overdue()
    with pytest.raises(OSError, match="mail server is down"):
        reservation_notice_send(reservation_id=reservation.pk, kind="expired")
    assert reservation_notice_send(reservation_id=reservation.pk, kind="expired") is True
    assert reservation_notice_send(reservation_id=reservation.pk, kind="expired") is False
    assert len(mail.outbox) == 1


def test_the_task_sends_through_the_service(shop, cheese, customer):
    staff_of(shop, role="owner")
    reservation = reserve(customer, cheese)
    assert tasks_reservations.send_reservation_notice(reservation.pk, "new") is True
    assert tasks_reservations.send_reservation_notice(reservation.pk, "new") is False
    assert len(mail.outbox) == 1


# --- Concurrency ---------------------------------------------------------------------------

# Simultaneous database connections the threads may hold. PostgreSQL accepts 100 clients by
# default, shared with the test's own connection and any other test run on the machine: the
# 100 threads start together (a barrier) and contend for the last units through this many
# connections at a time — real, simultaneous transactions, without exhausting the server.
DB_CONNECTIONS = 30


@pytest.mark.django_db(transaction=True)
def test_a_hundred_customers_reserving_the_last_ten_units_at_once(monkeypatch):
    """The issue's rule: 100 customers (100 threads, each with its own database connection
    and transaction) reserve 1 unit each of a product with 10 left, at the same moment →
    exactly 10 reservations, the stock at 0 and never below."""
    monkeypatch.setattr(tasks_reservations.send_reservation_notice, "delay", lambda *args: None)
    shop = a_shop()
    product = ProductFactory(merchant=shop, stock=10, price=Decimal("3.20"))
    customers = [UserFactory() for _ in range(100)]
    now = timezone.now()
    key = pickup_choices(merchant=shop, now=now)[0].key
    barrier = threading.Barrier(len(customers))
    gate = threading.BoundedSemaphore(DB_CONNECTIONS)
    reserved: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def reserve_one(customer) -> None:
        try:
            barrier.wait(timeout=60)
            with gate:
                try:
                    reservation = reservation_create(
                        actor=customer, product=product, quantity=1, pickup=key, now=now
                    )
                    reserved.append(reservation.pk)
                except ValidationError as error:
                    refused.append(str(error.code))
                finally:
                    connection.close()
        except BaseException as error:  # reported below: a thread's failure fails the test
            errors.append(error)

    threads = [threading.Thread(target=reserve_one, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(reserved) == 10
    assert refused == ["insufficient_stock"] * 90
    assert stock(product) == 0
    assert Reservation.objects.count() == 10
    assert ReservationLine.objects.filter(product=product, holds_stock=True).count() == 10
    assert len(set(Reservation.objects.values_list("customer_id", flat=True))) == 10

"""Event services: creating and editing events, keeping their dates in step with the rule,
one-date exceptions, publication and cancellation, participating shops and featured
products (collectives.services.events)."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog.models import Product
from collectives import tasks
from collectives.models import Event, EventOccurrence, EventParticipation, Registration
from collectives.services.events import (
    event_cancel,
    event_create,
    event_occurrences_extend,
    event_participation_answer,
    event_participation_invite,
    event_participation_remove,
    event_publish,
    event_set_featured_products,
    event_unpublish,
    event_update,
    occurrence_cancel,
    occurrence_move,
    occurrence_restore,
)
from collectives.services.registrations import registration_create
from tests.factories import (
    EventFactory,
    MembershipFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = EventOccurrence.Status
R = Registration.Status
WEEKLY = "FREQ=WEEKLY;BYDAY=SA"


@pytest.fixture
def organiser():
    return OrganiserFactory(role="organiser")


@pytest.fixture
def queued(monkeypatch):
    """The e-mails queued after commit, as (task name, registration id), instead of sent."""
    calls: list[tuple[str, int]] = []
    for name in ("send_cancellation_notice", "send_seat_freed", "send_event_reminder"):
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "delay", lambda pk, name=name: calls.append((name, pk)))
    return calls


@pytest.fixture
def clock(monkeypatch):
    """Stops « now » at a given moment, for the services and the rows they write."""

    def stop_at(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return stop_at


def saturday(weeks_ahead: int = 1, hour: int = 8) -> dt.datetime:
    """A Saturday at least ``weeks_ahead`` weeks away, at ``hour`` in Paris."""
    day = timezone.localdate() + dt.timedelta(weeks=weeks_ahead)
    day += dt.timedelta(days=(5 - day.weekday()) % 7)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def create(organiser, **fields) -> Event:
    start = fields.pop("starts_at", saturday())
    values = {
        "title": "Marché du samedi",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=5),
        "place_name": "Place de la Halle",
        **fields,
    }
    return event_create(actor=organiser.user, collective=organiser.collective, **values)


def published(organiser, **fields) -> Event:
    return event_publish(actor=organiser.user, event=create(organiser, **fields))


def dates(event: Event) -> list[EventOccurrence]:
    return list(event.occurrences.order_by("original_start"))


# --- Creating --------------------------------------------------------------------------------


def test_a_one_off_event_is_created_as_a_draft_with_its_one_date(organiser):
    start = saturday(2, hour=14)
    event = create(
        organiser,
        title="Atelier pain au levain",
        kind=Event.Kind.WORKSHOP,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        capacity=8,
        registration_open=True,
    )
    assert event.status == Event.Status.DRAFT
    assert event.slug == "atelier-pain-au-levain"
    assert event.created_by == organiser.user
    [date] = dates(event)
    assert (date.original_start, date.starts_at, date.ends_at) == (
        start,
        start,
        start + dt.timedelta(hours=3),
    )
    assert (date.capacity, date.seats_taken, date.status) == (8, 0, S.SCHEDULED)


def test_a_second_event_of_the_same_title_gets_its_own_slug(organiser):
    assert create(organiser).slug == "marche-du-samedi"
    assert create(organiser).slug == "marche-du-samedi-2"


def test_a_recurring_event_gets_one_date_per_saturday(organiser):
    event = create(organiser, recurrence="rrule:freq=weekly;byday=sa")
    assert event.recurrence == WEEKLY
    saturdays = dates(event)
    assert len(saturdays) >= 50
    assert [d.starts_at for d in saturdays[:3]] == [
        saturday(1),
        saturday(2),
        saturday(3),
    ]


def test_a_start_the_rule_does_not_give_is_a_field_error(organiser):
    friday = saturday() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        create(organiser, starts_at=friday, recurrence=WEEKLY)
    assert caught.value.error_dict["recurrence"][0].code == "start_not_in_rule"


def test_every_invalid_field_is_reported_at_once_on_its_field(organiser):
    start = saturday()
    with pytest.raises(ValidationError) as caught:
        create(
            organiser,
            starts_at=start,
            ends_at=start - dt.timedelta(hours=1),
            place_name="",
            capacity=0,
            latitude=Decimal("44.4"),
        )
    codes = {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}
    assert codes == {
        "ends_at": ["ends_before_start"],
        "place_name": ["place_required"],
        "capacity": ["capacity_positive"],
        "longitude": ["pin_pair"],
    }
    assert not Event.objects.exists()


def test_an_online_event_needs_its_link(organiser):
    with pytest.raises(ValidationError) as caught:
        create(organiser, is_online=True, place_name="")
    assert caught.value.error_dict["online_url"][0].code == "online_needs_link"
    event = create(organiser, is_online=True, place_name="", online_url="https://visio.example")
    assert event.is_online


def test_a_recurring_event_lasts_at_most_a_day_each_time(organiser):
    start = saturday()
    with pytest.raises(ValidationError) as caught:
        create(organiser, ends_at=start + dt.timedelta(days=2), recurrence=WEEKLY)
    assert caught.value.error_dict["ends_at"][0].code == "too_long"


def test_an_unknown_field_is_a_programming_error(organiser):
    with pytest.raises(TypeError):
        create(organiser, status="published")


# --- Permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["stranger", "organiser of another collective", "member shop owner"]
)
def test_only_the_collectives_organisers_manage_its_events(organiser, who):
    event = published(organiser, capacity=5, registration_open=True)
    date = dates(event)[0]
    if who == "stranger":
        actor = UserFactory()
    elif who == "organiser of another collective":
        actor = OrganiserFactory().user
    else:
        shop = MembershipFactory(collective=organiser.collective).merchant
        actor = MerchantMemberFactory(merchant=shop).user
    attempts = [
        lambda: event_create(
            actor=actor,
            collective=organiser.collective,
            title="Marché pirate",
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            place_name="Ailleurs",
        ),
        lambda: event_update(actor=actor, event=event, title="Pris"),
        lambda: event_publish(actor=actor, event=event),
        lambda: event_unpublish(actor=actor, event=event),
        lambda: event_cancel(actor=actor, event=event),
        lambda: occurrence_cancel(actor=actor, occurrence=date),
        lambda: occurrence_restore(actor=actor, occurrence=date),
        lambda: occurrence_move(
            actor=actor,
            occurrence=date,
            starts_at=date.starts_at + dt.timedelta(hours=1),
            ends_at=date.ends_at + dt.timedelta(hours=1),
        ),
        lambda: event_participation_invite(actor=actor, event=event, merchants=[]),
        lambda: event_set_featured_products(actor=actor, event=event, products=[]),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    event.refresh_from_db()
    assert (event.title, event.status) == ("Marché du samedi", Event.Status.PUBLISHED)
    assert dates(event)[0].status == S.SCHEDULED


# --- Editing re-plans the dates ----------------------------------------------------------------


def test_a_new_rule_replans_the_dates_to_come(
    organiser, queued, django_capture_on_commit_callbacks
):
    """Weekly → every other week: the dates the rule drops go (cancelled and their people told
    when someone registered, deleted otherwise); a date moved by hand keeps its times."""
    event = published(organiser, recurrence=WEEKLY, capacity=10, registration_open=True)
    first, second, third, fourth = dates(event)[:4]
    registration = registration_create(actor=UserFactory(), occurrence=second)
    occurrence_move(
        actor=organiser.user,
        occurrence=third,
        starts_at=third.starts_at + dt.timedelta(hours=2),
        ends_at=third.ends_at + dt.timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        event_update(
            actor=organiser.user, event=event, recurrence="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"
        )
    kept = {d.original_start: d for d in dates(event)}
    assert kept[first.original_start].status == S.SCHEDULED
    # The second Saturday had someone registered: kept, cancelled, the person told.
    second.refresh_from_db()
    assert (second.status, second.seats_taken) == (S.CANCELLED, 0)
    registration.refresh_from_db()
    assert registration.status == R.CANCELLED
    assert queued == [("send_cancellation_notice", registration.pk)]
    # The fourth had nobody: gone.
    assert fourth.original_start not in kept
    # The third is still in the rule, moved by hand: its own times stay.
    moved = kept[third.original_start]
    assert (moved.starts_at, moved.ends_at) == (
        third.starts_at + dt.timedelta(hours=2),
        third.ends_at + dt.timedelta(hours=1),
    )
    assert moved.status == S.SCHEDULED
    # After it, one Saturday in two, at 8 h in Paris.
    later = [
        timezone.localtime(d.starts_at)
        for start, d in sorted(kept.items())
        if start > third.original_start
    ]
    assert {(b.date() - a.date()).days for a, b in itertools.pairwise(later)} == {14}
    assert {t.time() for t in later} == {dt.time(8, 0)}


def test_a_longer_market_ends_later_on_every_date_except_those_moved_by_hand(organiser):
    event = create(organiser, recurrence=WEEKLY)
    first, second = dates(event)[:2]
    occurrence_move(
        actor=organiser.user,
        occurrence=second,
        starts_at=second.starts_at,
        ends_at=second.starts_at + dt.timedelta(hours=2),
    )
    event_update(actor=organiser.user, event=event, ends_at=event.starts_at + dt.timedelta(hours=6))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.ends_at - first.starts_at == dt.timedelta(hours=6)
    assert second.ends_at - second.starts_at == dt.timedelta(hours=2)  # the organiser's choice
    assert event.occurrences.count() == len(dates(event))


def test_dates_that_are_over_are_never_replanned(organiser, clock):
    """Three weeks later the market moves to 9 h: the Saturdays already held keep their
    8 h and their registrations; the Saturdays to come are at 9 h."""
    event = published(organiser, recurrence=WEEKLY, capacity=10, registration_open=True)
    held = dates(event)[:3]
    registration = registration_create(actor=UserFactory(), occurrence=held[0])
    clock(held[2].ends_at + dt.timedelta(days=1))
    event_update(
        actor=organiser.user,
        event=event,
        starts_at=event.starts_at + dt.timedelta(hours=1),
        ends_at=event.ends_at + dt.timedelta(hours=1),
    )
    for before in held:
        after = EventOccurrence.objects.get(pk=before.pk)
        assert (after.starts_at, after.ends_at, after.status) == (
            before.starts_at,
            before.ends_at,
            S.SCHEDULED,
        )
    registration.refresh_from_db()
    assert registration.status == R.CONFIRMED
    to_come = event.occurrences.filter(starts_at__gt=timezone.now())
    assert {timezone.localtime(d.starts_at).time() for d in to_come} == {dt.time(9, 0)}
    assert to_come.count() >= 50


def test_editing_a_one_off_event_moves_its_date_with_its_registrations(organiser):
    event = published(organiser, capacity=4, registration_open=True)
    registration = registration_create(actor=UserFactory(), occurrence=dates(event)[0])
    new_start = event.starts_at + dt.timedelta(days=1, hours=2)
    event_update(
        actor=organiser.user,
        event=event,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=1),
    )
    [date] = dates(event)
    assert (date.original_start, date.starts_at, date.ends_at) == (
        new_start,
        new_start,
        new_start + dt.timedelta(hours=1),
    )
    assert date.pk == registration.occurrence_id
    registration.refresh_from_db()
    assert registration.status == R.CONFIRMED


def test_a_one_off_event_that_becomes_weekly_keeps_its_first_date(organiser):
    event = published(organiser, capacity=4, registration_open=True)
    [date] = dates(event)
    registration_create(actor=UserFactory(), occurrence=date)
    event_update(actor=organiser.user, event=event, recurrence=WEEKLY)
    assert dates(event)[0].pk == date.pk
    assert len(dates(event)) >= 50
    event_update(actor=organiser.user, event=event, recurrence="")
    assert [d.pk for d in dates(event)] == [date.pk]


# --- Capacity --------------------------------------------------------------------------------


def test_the_capacity_cannot_go_below_the_seats_taken(organiser):
    event = published(organiser, capacity=3, registration_open=True)
    for _ in range(3):
        registration_create(actor=UserFactory(), occurrence=dates(event)[0])
    with pytest.raises(ValidationError) as caught:
        event_update(actor=organiser.user, event=event, capacity=2)
    assert caught.value.error_dict["capacity"][0].code == "capacity_below_registrations"
    event.refresh_from_db()
    assert event.capacity == 3
    assert dates(event)[0].capacity == 3
    event_update(actor=organiser.user, event=event, capacity=3, title="Marché de Noël")
    event.refresh_from_db()
    assert event.title == "Marché de Noël"


def test_more_seats_go_to_the_waiting_list_first_come_first_served(
    organiser, queued, django_capture_on_commit_callbacks
):
    event = published(organiser, capacity=1, registration_open=True)
    date = dates(event)[0]
    people = [registration_create(actor=UserFactory(), occurrence=date) for _ in range(4)]
    assert [r.status for r in people] == [R.CONFIRMED] + [R.WAITLISTED] * 3
    with django_capture_on_commit_callbacks(execute=True):
        event_update(actor=organiser.user, event=event, capacity=2)
    statuses = [Registration.objects.get(pk=r.pk).status for r in people]
    assert statuses == [R.CONFIRMED, R.CONFIRMED, R.WAITLISTED, R.WAITLISTED]
    assert queued == [("send_seat_freed", people[1].pk)]
    date.refresh_from_db()
    assert (date.capacity, date.seats_taken) == (2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        event_update(actor=organiser.user, event=event, capacity=None)
    assert Registration.objects.filter(status=R.CONFIRMED).count() == 4
    date.refresh_from_db()
    assert (date.capacity, date.seats_taken) == (None, 4)


def test_a_capacity_change_reaches_every_date_to_come_of_a_recurring_event(organiser):
    event = create(organiser, recurrence=WEEKLY, capacity=10)
    event_update(actor=organiser.user, event=event, capacity=20)
    assert set(event.occurrences.values_list("capacity", flat=True)) == {20}


# --- One date: cancel, restore, move ----------------------------------------------------------


def test_cancelling_a_date_cancels_its_registrations_and_tells_the_people(
    organiser, queued, django_capture_on_commit_callbacks
):
    event = published(organiser, recurrence=WEEKLY, capacity=1, registration_open=True)
    christmas, other = dates(event)[:2]
    confirmed = registration_create(actor=UserFactory(), occurrence=christmas)
    waiting = registration_create(actor=UserFactory(), occurrence=christmas)
    elsewhere = registration_create(actor=UserFactory(), occurrence=other)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        occurrence_cancel(actor=organiser.user, occurrence=christmas)
    assert queued == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert sorted(queued) == sorted(
        [("send_cancellation_notice", confirmed.pk), ("send_cancellation_notice", waiting.pk)]
    )
    christmas.refresh_from_db()
    assert (christmas.status, christmas.seats_taken) == (S.CANCELLED, 0)
    assert christmas.cancelled_at is not None
    assert Registration.objects.get(pk=confirmed.pk).status == R.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == R.CANCELLED
    assert Registration.objects.get(pk=elsewhere.pk).status == R.CONFIRMED
    # Cancelling again changes nothing and tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        occurrence_cancel(actor=organiser.user, occurrence=christmas)
    assert len(queued) == 2


def test_a_cancelled_date_can_be_restored(organiser):
    event = published(organiser, recurrence=WEEKLY, capacity=5, registration_open=True)
    date = dates(event)[0]
    registration = registration_create(actor=UserFactory(), occurrence=date)
    occurrence_cancel(actor=organiser.user, occurrence=date)
    restored = occurrence_restore(actor=organiser.user, occurrence=date)
    assert (restored.status, restored.cancelled_at, restored.seats_taken) == (S.SCHEDULED, None, 0)
    # The person was told it was off: their registration stays cancelled; they may come back.
    assert Registration.objects.get(pk=registration.pk).status == R.CANCELLED
    again = registration_create(actor=registration.user, occurrence=date)
    assert again.status == R.CONFIRMED


def test_a_date_that_is_over_cannot_be_cancelled(organiser, clock):
    event = published(organiser, recurrence=WEEKLY)
    date = dates(event)[0]
    clock(date.ends_at + dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as caught:
        occurrence_cancel(actor=organiser.user, occurrence=date)
    assert caught.value.code == "occurrence_over"


def test_moving_a_date_keeps_its_planned_start_and_its_registrations(organiser):
    event = published(organiser, recurrence=WEEKLY, capacity=5, registration_open=True)
    date = dates(event)[1]
    registration = registration_create(actor=UserFactory(), occurrence=date)
    friday = date.starts_at - dt.timedelta(days=1)
    moved = occurrence_move(
        actor=organiser.user,
        occurrence=date,
        starts_at=friday,
        ends_at=friday + dt.timedelta(hours=4),
    )
    assert (moved.original_start, moved.starts_at, moved.ends_at) == (
        date.original_start,
        friday,
        friday + dt.timedelta(hours=4),
    )
    assert moved.is_moved
    assert Registration.objects.get(pk=registration.pk).occurrence_id == date.pk
    event.refresh_from_db()
    assert event.starts_at == dates(event)[0].starts_at  # the series does not move


def test_moving_the_date_of_a_one_off_event_moves_the_event(organiser):
    event = create(organiser)
    date = dates(event)[0]
    later = date.starts_at + dt.timedelta(days=3)
    occurrence_move(
        actor=organiser.user,
        occurrence=date,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=1),
    )
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at) == (later, later + dt.timedelta(hours=1))
    [date] = dates(event)
    assert date.original_start == date.starts_at == later


def test_a_date_cannot_move_to_an_end_before_its_start_or_into_the_past(organiser):
    event = create(organiser, recurrence=WEEKLY)
    date = dates(event)[0]
    with pytest.raises(ValidationError) as caught:
        occurrence_move(
            actor=organiser.user,
            occurrence=date,
            starts_at=date.starts_at,
            ends_at=date.starts_at - dt.timedelta(hours=1),
        )
    assert caught.value.error_dict["ends_at"][0].code == "ends_before_start"
    yesterday = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        occurrence_move(
            actor=organiser.user,
            occurrence=date,
            starts_at=yesterday,
            ends_at=yesterday + dt.timedelta(hours=1),
        )
    assert caught.value.error_dict["starts_at"][0].code == "in_past"
    date.refresh_from_db()
    assert not date.is_moved


# --- Publication and cancellation -------------------------------------------------------------


def test_publishing_and_unpublishing_while_nobody_registered(organiser):
    event = create(organiser)
    event = event_publish(actor=organiser.user, event=event)
    assert event.status == Event.Status.PUBLISHED
    assert event.published_at is not None
    event = event_unpublish(actor=organiser.user, event=event)
    assert (event.status, event.published_at) == (Event.Status.DRAFT, None)


def test_an_event_people_registered_for_cannot_go_back_to_draft(organiser):
    event = published(organiser, registration_open=True)
    registration = registration_create(actor=UserFactory(), occurrence=dates(event)[0])
    with pytest.raises(ValidationError) as caught:
        event_unpublish(actor=organiser.user, event=event)
    assert caught.value.code == "has_registrations"
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED
    # Once they all cancelled, it can.
    from collectives.services.registrations import registration_cancel

    registration_cancel(actor=registration.user, registration=registration)
    assert event_unpublish(actor=organiser.user, event=event).status == Event.Status.DRAFT


def test_cancelling_an_event_tells_each_registered_person_once(
    organiser, queued, django_capture_on_commit_callbacks
):
    event = published(organiser, recurrence=WEEKLY, capacity=1, registration_open=True)
    first, second = dates(event)[:2]
    regular = UserFactory()
    regular_first = registration_create(actor=regular, occurrence=first)
    registration_create(actor=regular, occurrence=second)
    waiting = registration_create(actor=UserFactory(), occurrence=first)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = event_cancel(actor=organiser.user, event=event, reason="Travaux sur la place.")
    assert queued == []
    for callback in callbacks:
        callback()
    assert sorted(queued) == sorted(
        [("send_cancellation_notice", regular_first.pk), ("send_cancellation_notice", waiting.pk)]
    )
    assert (event.status, event.cancellation_reason) == (
        Event.Status.CANCELLED,
        "Travaux sur la place.",
    )
    assert event.cancelled_at is not None
    assert not Registration.objects.exclude(status=R.CANCELLED).exists()
    assert set(event.occurrences.values_list("seats_taken", flat=True)) == {0}
    # Again: nothing changes, nobody is told twice; a cancelled event is not published again.
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(actor=organiser.user, event=event)
    assert len(queued) == 2
    with pytest.raises(ValidationError):
        event_publish(actor=organiser.user, event=event)


def test_cancelling_an_event_leaves_the_dates_already_held_alone(organiser, clock, queued):
    event = published(organiser, recurrence=WEEKLY, capacity=5, registration_open=True)
    first = dates(event)[0]
    held = registration_create(actor=UserFactory(), occurrence=first)
    clock(first.ends_at + dt.timedelta(hours=1))
    event_cancel(actor=organiser.user, event=event)
    assert Registration.objects.get(pk=held.pk).status == R.CONFIRMED


# --- Dates ahead (daily task) -------------------------------------------------------------------


def noon_today() -> dt.datetime:
    """A « now » four hours from the markets' 8 h: a change of time never puts a date on
    the horizon's edge."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12, 0)))


def test_extending_adds_the_dates_that_came_within_the_horizon_once(organiser, clock):
    today = noon_today()
    clock(today)
    weekly = create(organiser, recurrence=WEEKLY)
    one_off = create(organiser, title="Vide-grenier")
    cancelled = create(organiser, title="Marché du soir", recurrence=WEEKLY)
    event_publish(actor=organiser.user, event=cancelled)
    event_cancel(actor=organiser.user, event=cancelled)
    before = weekly.occurrences.count()
    assert event_occurrences_extend() == 0
    clock(today + dt.timedelta(weeks=4))
    created = event_occurrences_extend()
    assert created == 4
    assert weekly.occurrences.count() == before + 4
    assert event_occurrences_extend() == 0  # idempotent
    assert weekly.occurrences.count() == before + 4
    assert one_off.occurrences.count() == 1
    latest = weekly.occurrences.order_by("-starts_at").first()
    assert latest.starts_at <= timezone.now() + dt.timedelta(days=366)
    assert timezone.localtime(latest.starts_at).time() == dt.time(8, 0)
    assert latest.ends_at - latest.starts_at == dt.timedelta(hours=5)


def test_extending_never_brings_back_a_date_the_organiser_cancelled(organiser, clock):
    event = create(organiser, recurrence=WEEKLY)
    date = dates(event)[1]
    occurrence_cancel(actor=organiser.user, occurrence=date)
    clock(date.ends_at + dt.timedelta(weeks=1))
    event_occurrences_extend()
    date.refresh_from_db()
    assert date.status == S.CANCELLED
    assert event.occurrences.filter(original_start=date.original_start).count() == 1


def test_the_daily_task_extends_the_dates(organiser, clock):
    today = noon_today()
    clock(today)
    event = create(organiser, recurrence=WEEKLY)
    before = event.occurrences.count()
    clock(today + dt.timedelta(weeks=1))
    assert tasks.extend_event_occurrences() == 1
    assert event.occurrences.count() == before + 1


# --- Participating shops ----------------------------------------------------------------------


@pytest.fixture
def member(organiser):
    """An active member shop, with its owner and a staff member."""
    shop = MembershipFactory(collective=organiser.collective).merchant
    shop.owner = MerchantMemberFactory(merchant=shop, role="owner").user
    shop.staff = MerchantMemberFactory(merchant=shop, role="staff").user
    return shop


def test_only_active_member_shops_are_invited_to_take_part(organiser, member):
    event = create(organiser)
    outsider = MembershipFactory().merchant  # a member of another collective
    suspended = MembershipFactory(collective=organiser.collective, status="suspended").merchant
    for shop in (outsider, suspended):
        with pytest.raises(ValidationError) as caught:
            event_participation_invite(actor=organiser.user, event=event, merchants=[member, shop])
        assert caught.value.code == "not_member"
    assert not EventParticipation.objects.exists()
    [participation] = event_participation_invite(
        actor=organiser.user, event=event, merchants=[member]
    )
    assert participation.status == EventParticipation.Status.INVITED


def test_the_shops_owner_answers_for_the_shop(organiser, member):
    event = create(organiser)
    [participation] = event_participation_invite(
        actor=organiser.user, event=event, merchants=[member]
    )
    answered = event_participation_answer(
        actor=member.owner, participation=participation, accept=True
    )
    assert answered.status == EventParticipation.Status.ACCEPTED
    assert answered.answered_at is not None
    declined = event_participation_answer(
        actor=member.owner, participation=participation, accept=False
    )
    assert declined.status == EventParticipation.Status.DECLINED


def test_nobody_but_its_owner_answers_for_a_shop(organiser, member):
    event = create(organiser)
    [participation] = event_participation_invite(
        actor=organiser.user, event=event, merchants=[member]
    )
    other_shop_owner = MerchantMemberFactory(
        merchant=MembershipFactory(collective=organiser.collective).merchant
    ).user
    # The shop's staff work in it, but committing the shop is its owner's call.
    for actor in (organiser.user, other_shop_owner, member.staff, UserFactory()):
        with pytest.raises(PermissionDenied):
            event_participation_answer(actor=actor, participation=participation, accept=True)
    participation.refresh_from_db()
    assert participation.status == EventParticipation.Status.INVITED


def test_a_shop_that_left_cannot_say_yes_but_may_say_no(organiser, member):
    event = create(organiser)
    [participation] = event_participation_invite(
        actor=organiser.user, event=event, merchants=[member]
    )
    member.collective_memberships.update(status="suspended")
    with pytest.raises(ValidationError) as caught:
        event_participation_answer(actor=member.owner, participation=participation, accept=True)
    assert caught.value.code == "not_member"
    declined = event_participation_answer(
        actor=member.owner, participation=participation, accept=False
    )
    assert declined.status == EventParticipation.Status.DECLINED


def test_asking_again_keeps_an_acceptance_and_renews_a_refusal(organiser, member):
    event = create(organiser)
    other = MembershipFactory(collective=organiser.collective).merchant
    other_owner = MerchantMemberFactory(merchant=other).user
    first = {
        p.merchant_id: p
        for p in event_participation_invite(
            actor=organiser.user, event=event, merchants=[member, other]
        )
    }
    event_participation_answer(actor=member.owner, participation=first[member.pk], accept=True)
    event_participation_answer(actor=other_owner, participation=first[other.pk], accept=False)
    again = {
        p.merchant_id: p.status
        for p in event_participation_invite(
            actor=organiser.user, event=event, merchants=[member, other]
        )
    }
    assert again == {
        member.pk: EventParticipation.Status.ACCEPTED,
        other.pk: EventParticipation.Status.INVITED,
    }
    assert EventParticipation.objects.filter(event=event).count() == 2


def test_organisers_withdraw_an_invitation_others_cannot(organiser, member):
    event = create(organiser)
    [participation] = event_participation_invite(
        actor=organiser.user, event=event, merchants=[member]
    )
    for actor in (member.owner, OrganiserFactory().user):
        with pytest.raises(PermissionDenied):
            event_participation_remove(actor=actor, participation=participation)
    event_participation_remove(actor=organiser.user, participation=participation)
    assert not EventParticipation.objects.exists()


# --- Featured products --------------------------------------------------------------------------


def test_only_published_products_of_member_shops_are_featured(organiser, member):
    event = create(organiser)
    chosen = ProductFactory(merchant=member)
    draft = ProductFactory(merchant=member, status=Product.Status.DRAFT, published_at=None)
    outsider = ProductFactory()  # a shop that is not a member
    suspended_shop = MembershipFactory(collective=organiser.collective, status="suspended").merchant
    of_suspended = ProductFactory(merchant=suspended_shop)
    for product in (draft, outsider, of_suspended):
        with pytest.raises(ValidationError) as caught:
            event_set_featured_products(
                actor=organiser.user, event=event, products=[chosen, product]
            )
        assert caught.value.code == "product_not_member"
        assert not event.featured_products.exists()
    event_set_featured_products(actor=organiser.user, event=event, products=[chosen])
    assert list(event.featured_products.all()) == [chosen]
    event_set_featured_products(actor=organiser.user, event=event, products=[])
    assert not event.featured_products.exists()


# --- Calendars follow changes of one date; live sessions take known stream links -----------


def test_changing_one_date_marks_the_event_changed_for_calendars():
    from collectives.services.events import occurrence_cancel, occurrence_move, occurrence_restore

    organiser = OrganiserFactory()
    event = EventFactory(collective=organiser.collective)
    occurrence = event.occurrences.get()
    stamps = [event.updated_at]
    occurrence_cancel(actor=organiser.user, occurrence=occurrence)
    stamps.append(Event.objects.get(pk=event.pk).updated_at)
    occurrence_restore(actor=organiser.user, occurrence=occurrence)
    stamps.append(Event.objects.get(pk=event.pk).updated_at)
    later = occurrence.starts_at + dt.timedelta(hours=1)
    occurrence_move(
        actor=organiser.user,
        occurrence=occurrence,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=2),
    )
    stamps.append(Event.objects.get(pk=event.pk).updated_at)
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 4


def test_a_live_session_refuses_a_stream_link_of_an_unknown_site():
    organiser = OrganiserFactory()
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        event_create(
            actor=organiser.user,
            collective=organiser.collective,
            title="Direct",
            kind="live",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            place_name="Atelier",
            stream_url="https://example.com/live",
        )
    assert refused.value.error_dict["stream_url"][0].code == "unsupported_stream"
    event = event_create(
        actor=organiser.user,
        collective=organiser.collective,
        title="Direct",
        kind="live",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        place_name="Atelier",
        stream_url="https://www.twitch.tv/villeneuve",
    )
    assert event.stream_url == "https://www.twitch.tv/villeneuve"


def test_a_draft_cannot_be_cancelled_so_it_never_shows_in_public():
    organiser = OrganiserFactory()
    draft = EventFactory(collective=organiser.collective, status="draft", published_at=None)
    with pytest.raises(ValidationError) as refused:
        event_cancel(actor=organiser.user, event=draft)
    assert refused.value.code == "draft"
    assert Event.objects.get(pk=draft.pk).status == "draft"


def test_a_date_that_is_over_cannot_be_restored():
    from collectives.services.events import occurrence_restore

    organiser = OrganiserFactory()
    past = timezone.now() - dt.timedelta(days=2)
    event = EventFactory(
        collective=organiser.collective, starts_at=past, ends_at=past + dt.timedelta(hours=1)
    )
    EventOccurrence.objects.filter(event=event).update(status="cancelled", cancelled_at=past)
    with pytest.raises(ValidationError) as refused:
        occurrence_restore(actor=organiser.user, occurrence=event.occurrences.get())
    assert refused.value.code == "occurrence_over"


def test_a_shop_cannot_answer_for_an_event_that_is_over_or_cancelled():
    owner = MerchantMemberFactory(role="owner")
    organiser = OrganiserFactory()
    MembershipFactory(collective=organiser.collective, merchant=owner.merchant)
    past = timezone.now() - dt.timedelta(days=2)
    over = EventFactory(
        collective=organiser.collective, starts_at=past, ends_at=past + dt.timedelta(hours=1)
    )
    cancelled = EventFactory(collective=organiser.collective)
    event_cancel(actor=organiser.user, event=cancelled)
    for event in (over, cancelled):
        participation = EventParticipation.objects.create(event=event, merchant=owner.merchant)
        with pytest.raises(ValidationError) as refused:
            event_participation_answer(actor=owner.user, participation=participation, accept=True)
        assert refused.value.code == "event_over"


def test_a_new_rule_cancels_rather_than_deletes_a_date_a_reservation_picks_up_at(organiser):
    """Reservations and group buys PROTECT the date they pick up at: editing the rule
    cancels that date (the event page and the feed say so) instead of failing."""
    from tests.orders.factories import ReservationFactory

    event = create(organiser, recurrence=WEEKLY)
    second = dates(event)[1]
    ReservationFactory(pickup_occurrence=second)
    later = event.starts_at + dt.timedelta(hours=1)
    event_update(
        actor=organiser.user,
        event=event,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=5),
    )
    second.refresh_from_db()
    assert second.status == S.CANCELLED

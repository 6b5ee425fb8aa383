"""Registrations for a date of an event: seats, the waiting list, cancellations, and the
capacity rule under concurrent registrations (collectives.services.registrations)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from collectives import tasks
from collectives.models import Collective, Event, EventOccurrence, Registration
from collectives.services.events import event_cancel, occurrence_cancel
from collectives.services.registrations import (
    promote_waiting_list,
    registration_cancel,
    registration_create,
)
from tests.factories import EventFactory, OrganiserFactory, UserFactory

R = Registration.Status


@pytest.fixture
def queued(monkeypatch):
    """The « a seat is yours » e-mails queued after commit (registration ids), not sent."""
    calls: list[int] = []
    monkeypatch.setattr(tasks.send_seat_freed, "delay", calls.append)
    return calls


def date_with(capacity: int | None = None, **event_fields) -> EventOccurrence:
    return EventFactory(capacity=capacity, **event_fields).occurrences.get()


def register(occurrence: EventOccurrence, user=None) -> Registration:
    return registration_create(actor=user or UserFactory(), occurrence=occurrence)


def seats(occurrence: EventOccurrence) -> int:
    occurrence.refresh_from_db()
    return occurrence.seats_taken


# --- Seats and the waiting list ------------------------------------------------------------------


@pytest.mark.django_db
def test_people_get_a_seat_then_a_place_on_the_waiting_list_when_full():
    occurrence = date_with(capacity=2)
    first, second, third = (register(occurrence) for _ in range(3))
    assert [first.status, second.status, third.status] == [R.CONFIRMED, R.CONFIRMED, R.WAITLISTED]
    assert first.confirmed_at is not None
    assert third.confirmed_at is None
    assert seats(occurrence) == 2


@pytest.mark.django_db
def test_without_a_capacity_everyone_gets_a_seat():
    occurrence = date_with(capacity=None)
    assert {register(occurrence).status for _ in range(5)} == {R.CONFIRMED}
    assert seats(occurrence) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("full", [False, True])
def test_registering_twice_returns_the_registration_already_there(full):
    occurrence = date_with(capacity=1)
    if full:
        register(occurrence)
    person = UserFactory()
    first = register(occurrence, person)
    again = register(occurrence, person)
    assert again.pk == first.pk
    assert again.status == (R.WAITLISTED if full else R.CONFIRMED)
    assert Registration.objects.filter(user=person).count() == 1
    assert seats(occurrence) == 1


@pytest.mark.django_db
def test_the_person_registers_not_a_visitor():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        registration_create(actor=AnonymousUser(), occurrence=date_with(capacity=3))


# --- When one cannot register ---------------------------------------------------------------


def _draft(occurrence):
    Event.objects.filter(pk=occurrence.event_id).update(status="draft", published_at=None)


def _event_cancelled(occurrence):
    Event.objects.filter(pk=occurrence.event_id).update(
        status="cancelled", cancelled_at=timezone.now()
    )


def _date_cancelled(occurrence):
    EventOccurrence.objects.filter(pk=occurrence.pk).update(
        status="cancelled", cancelled_at=timezone.now()
    )


def _closed(occurrence):
    Event.objects.filter(pk=occurrence.event_id).update(registration_open=False)


def _started(occurrence):
    now = timezone.now()
    EventOccurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(hours=1)
    )


def _collective_archived(occurrence):
    Collective.objects.filter(events__occurrences=occurrence).update(status="archived")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "code"),
    [
        (_draft, "not_published"),
        (_event_cancelled, "not_published"),
        (_collective_archived, "not_published"),
        (_date_cancelled, "cancelled"),
        (_closed, "closed"),
        (_started, "started"),
    ],
)
def test_registration_is_refused(change, code):
    occurrence = date_with(capacity=5)
    change(occurrence)
    with pytest.raises(ValidationError) as caught:
        register(occurrence)
    assert caught.value.code == code
    assert not Registration.objects.exists()
    assert seats(occurrence) == 0


# --- Cancelling and the waiting list ----------------------------------------------------------


@pytest.mark.django_db
def test_a_freed_seat_goes_to_the_first_person_waiting(queued, django_capture_on_commit_callbacks):
    occurrence = date_with(capacity=2)
    leaving, staying = register(occurrence), register(occurrence)
    first_waiting, second_waiting = register(occurrence), register(occurrence)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cancelled = registration_cancel(actor=leaving.user, registration=leaving)
    assert queued == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert (cancelled.status, cancelled.cancelled_at is not None) == (R.CANCELLED, True)
    statuses = {r.pk: r.status for r in Registration.objects.all()}
    assert statuses == {
        leaving.pk: R.CANCELLED,
        staying.pk: R.CONFIRMED,
        first_waiting.pk: R.CONFIRMED,
        second_waiting.pk: R.WAITLISTED,
    }
    assert Registration.objects.get(pk=first_waiting.pk).confirmed_at is not None
    assert queued == [first_waiting.pk]  # one e-mail, to the person promoted
    assert seats(occurrence) == 2


@pytest.mark.django_db
def test_the_waiting_list_is_served_in_the_order_people_joined_it(queued):
    occurrence = date_with(capacity=1)
    holder = register(occurrence)
    waiting = [register(occurrence) for _ in range(3)]
    # Joined in this order whatever the primary keys say.
    base = timezone.now()
    for offset, registration in zip((3, 1, 2), waiting, strict=True):
        Registration.objects.filter(pk=registration.pk).update(
            created_at=base + dt.timedelta(seconds=offset)
        )
    registration_cancel(actor=holder.user, registration=holder)
    assert Registration.objects.get(pk=waiting[1].pk).status == R.CONFIRMED
    assert {Registration.objects.get(pk=r.pk).status for r in (waiting[0], waiting[2])} == {
        R.WAITLISTED
    }


@pytest.mark.django_db
def test_leaving_the_waiting_list_frees_no_seat(queued, django_capture_on_commit_callbacks):
    occurrence = date_with(capacity=1)
    register(occurrence)
    first_waiting, second_waiting = register(occurrence), register(occurrence)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(actor=first_waiting.user, registration=first_waiting)
    assert Registration.objects.get(pk=second_waiting.pk).status == R.WAITLISTED
    assert queued == []
    assert seats(occurrence) == 1


@pytest.mark.django_db
def test_cancelling_twice_changes_nothing(queued, django_capture_on_commit_callbacks):
    occurrence = date_with(capacity=1)
    holder = register(occurrence)
    waiting = register(occurrence)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(actor=holder.user, registration=holder)
        registration_cancel(actor=holder.user, registration=holder)
    assert queued == [waiting.pk]
    assert seats(occurrence) == 1


@pytest.mark.django_db
def test_someone_who_cancelled_may_register_again_at_the_end_of_the_line(queued):
    occurrence = date_with(capacity=1)
    person = UserFactory()
    first = register(occurrence, person)
    waiting = register(occurrence)
    registration_cancel(actor=person, registration=first)
    again = register(occurrence, person)
    assert again.pk != first.pk
    assert again.status == R.WAITLISTED
    assert Registration.objects.get(pk=waiting.pk).status == R.CONFIRMED


@pytest.mark.django_db
def test_a_seat_freed_once_the_date_began_goes_to_nobody(queued, monkeypatch):
    occurrence = date_with(capacity=1)
    holder = register(occurrence)
    waiting = register(occurrence)
    during = occurrence.starts_at + dt.timedelta(minutes=30)
    monkeypatch.setattr(timezone, "now", lambda: during)
    registration_cancel(actor=holder.user, registration=holder)
    assert Registration.objects.get(pk=waiting.pk).status == R.WAITLISTED
    assert queued == []


@pytest.mark.django_db
def test_a_cancelled_date_promotes_nobody(queued):
    organiser = OrganiserFactory()
    occurrence = date_with(capacity=1, collective=organiser.collective)
    register(occurrence)
    register(occurrence)
    occurrence_cancel(actor=organiser.user, occurrence=occurrence)
    with transaction.atomic():
        assert promote_waiting_list(occurrence) == []
    assert queued == []


# --- Who may cancel ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_organiser_may_cancel_someones_registration(queued):
    organiser = OrganiserFactory(role="organiser")
    occurrence = date_with(capacity=1, collective=organiser.collective)
    registration = register(occurrence)
    waiting = register(occurrence)
    registration_cancel(actor=organiser.user, registration=registration)
    assert Registration.objects.get(pk=registration.pk).status == R.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == R.CONFIRMED


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["another person", "organiser of another collective"])
def test_nobody_else_cancels_someones_registration(who):
    occurrence = date_with(capacity=3)
    registration = register(occurrence)
    actor = UserFactory() if who == "another person" else OrganiserFactory().user
    with pytest.raises(PermissionDenied):
        registration_cancel(actor=actor, registration=registration)
    assert Registration.objects.get(pk=registration.pk).status == R.CONFIRMED
    assert seats(occurrence) == 1


@pytest.mark.django_db
def test_a_cancelled_event_takes_its_registrations_with_it(monkeypatch):
    monkeypatch.setattr(tasks.send_cancellation_notice, "delay", lambda pk: None)
    organiser = OrganiserFactory()
    occurrence = date_with(capacity=1, collective=organiser.collective)
    register(occurrence)
    register(occurrence)
    event_cancel(actor=organiser.user, event=occurrence.event)
    assert set(Registration.objects.values_list("status", flat=True)) == {R.CANCELLED}
    assert seats(occurrence) == 0


# --- The capacity rule, enforced by the database -------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_more_seats_taken_than_seats():
    occurrence = date_with(capacity=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventOccurrence.objects.filter(pk=occurrence.pk).update(seats_taken=11)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE collectives_eventoccurrence SET seats_taken = capacity + 1 WHERE id = %s",
            [occurrence.pk],
        )
    assert seats(occurrence) == 0


@pytest.mark.django_db(transaction=True)
def test_fifty_people_registering_at_once_for_ten_seats():
    """The issue's rule: 50 concurrent registrations (50 threads, each its own database
    connection and transaction) for 10 seats → exactly 10 confirmed, 40 on the waiting list."""
    occurrence = date_with(capacity=10)
    people = [UserFactory() for _ in range(50)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def register_one(person) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes.append(registration_create(actor=person, occurrence=occurrence).status)
        except BaseException as error:  # reported below: a thread's failure fails the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register_one, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sorted(outcomes) == [R.CONFIRMED] * 10 + [R.WAITLISTED] * 40
    assert Registration.objects.filter(status=R.CONFIRMED).count() == 10
    assert Registration.objects.filter(status=R.WAITLISTED).count() == 40
    assert seats(occurrence) == 10


@pytest.mark.django_db(transaction=True)
def test_cancellations_and_registrations_at_once_never_exceed_the_seats(monkeypatch):
    """Ten people give up their seats while twenty others register, all at once: the seats
    taken always equal the confirmed registrations, and never exceed the capacity."""
    promoted: list[int] = []
    monkeypatch.setattr(tasks.send_seat_freed, "delay", promoted.append)
    occurrence = date_with(capacity=10)
    holders = [register(occurrence) for _ in range(10)]
    newcomers = [UserFactory() for _ in range(20)]
    barrier = threading.Barrier(len(holders) + len(newcomers))
    errors: list[BaseException] = []

    def run(action) -> None:
        try:
            barrier.wait(timeout=30)
            action()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    actions = [lambda r=r: registration_cancel(actor=r.user, registration=r) for r in holders] + [
        lambda p=p: registration_create(actor=p, occurrence=occurrence) for p in newcomers
    ]
    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    confirmed = Registration.objects.filter(status=R.CONFIRMED)
    assert confirmed.count() == 10
    assert not confirmed.filter(pk__in=[r.pk for r in holders]).exists()
    assert Registration.objects.filter(status=R.WAITLISTED).count() == 10
    assert seats(occurrence) == 10
    # Each newcomer who got a seat through the waiting list was told once.
    assert len(promoted) == len(set(promoted))
    assert set(promoted) <= set(confirmed.values_list("pk", flat=True))

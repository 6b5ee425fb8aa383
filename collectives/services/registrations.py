"""Registrations for a date of an event, with a waiting list.

Every change to the seats of a date takes that :class:`EventOccurrence` row's lock first,
then counts: two people asking for the last seat at the same instant are served one after
the other, and the database's CHECK (``seats_taken <= capacity``) refuses anything that
would still slip through. A seat given back goes at once to the first on the waiting list.
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from collectives.models import Collective, Event, EventOccurrence, Registration
from collectives.permissions import can_organise

R = Registration.Status


def _locked(occurrence_id: int) -> EventOccurrence:
    """Lock a date, then read it with its event and collective.

    Two statements on purpose: a ``SELECT … FOR UPDATE`` that waited for another
    transaction re-reads the locked row but not the rows joined to it, so an event cancelled
    or unpublished meanwhile would still look published. Read after the lock is granted, it
    is seen as it now is."""
    EventOccurrence.objects.select_for_update().filter(pk=occurrence_id).values_list("pk").get()
    return EventOccurrence.objects.select_related("event__collective").get(pk=occurrence_id)


def registration_is_possible(occurrence: EventOccurrence) -> str:
    """Why one cannot register for this date now (a code), or ``""`` if one can."""
    event = occurrence.event
    if event.status != Event.Status.PUBLISHED or event.collective.status != (
        Collective.Status.ACTIVE
    ):
        return "not_published"
    if occurrence.status != EventOccurrence.Status.SCHEDULED:
        return "cancelled"
    if not event.registration_open:
        return "closed"
    if occurrence.starts_at <= timezone.now():
        return "started"
    return ""


_REFUSALS = {
    "not_published": lambda: _("This event is not open to the public."),
    "cancelled": lambda: _("This date is cancelled."),
    "closed": lambda: _("Registration is not open for this event."),
    "started": lambda: _("This date has already begun."),
}


@transaction.atomic
def registration_create(*, actor: User, occurrence: EventOccurrence) -> Registration:
    """Register the actor for a date: a confirmed seat while there is one, else a place on
    the waiting list. Registering twice returns the registration already there."""
    require(actor.is_authenticated)
    occurrence = _locked(occurrence.pk)
    refusal = registration_is_possible(occurrence)
    if refusal:
        raise ValidationError(_REFUSALS[refusal](), code=refusal)
    existing = (
        Registration.objects.filter(occurrence=occurrence, user=actor)
        .exclude(status=R.CANCELLED)
        .first()
    )
    if existing is not None:
        return existing
    now = timezone.now()
    if occurrence.capacity is None or occurrence.seats_taken < occurrence.capacity:
        occurrence.seats_taken += 1
        occurrence.save(update_fields=["seats_taken"])
        return Registration.objects.create(
            occurrence=occurrence, user=actor, status=R.CONFIRMED, confirmed_at=now
        )
    return Registration.objects.create(occurrence=occurrence, user=actor, status=R.WAITLISTED)


@transaction.atomic
def registration_cancel(*, actor: User, registration: Registration) -> Registration:
    """Give up a seat or a place on the waiting list (the person, or an organiser). A freed
    seat goes to the first person waiting, who is told by e-mail."""
    occurrence = _locked(registration.occurrence_id)
    require(registration.user_id == actor.pk or can_organise(actor, occurrence.event.collective))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == R.CANCELLED:
        return registration
    was_confirmed = registration.status == R.CONFIRMED
    registration.status = R.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        occurrence.seats_taken -= 1
        occurrence.save(update_fields=["seats_taken"])
        promote_waiting_list(occurrence)
    return registration


def promote_waiting_list(occurrence: EventOccurrence) -> list[Registration]:
    """Give the free seats of a date to the people waiting, first come first served, and
    queue the « a seat is yours » e-mails. The caller holds the occurrence's row lock (the
    services above); a date that began or was cancelled promotes nobody."""
    from collectives.tasks import send_seat_freed

    occurrence.refresh_from_db(fields=["seats_taken", "capacity", "status", "starts_at"])
    if (
        occurrence.status != EventOccurrence.Status.SCHEDULED
        or occurrence.starts_at <= timezone.now()
    ):
        return []
    free = None if occurrence.capacity is None else occurrence.capacity - occurrence.seats_taken
    if free is not None and free <= 0:
        return []
    waiting = Registration.objects.filter(occurrence=occurrence, status=R.WAITLISTED).order_by(
        "created_at", "pk"
    )
    promoted = list(waiting if free is None else waiting[:free])
    if not promoted:
        return []
    now = timezone.now()
    Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(
        status=R.CONFIRMED, confirmed_at=now
    )
    occurrence.seats_taken += len(promoted)
    occurrence.save(update_fields=["seats_taken"])
    for registration in promoted:
        registration.status, registration.confirmed_at = R.CONFIRMED, now
        transaction.on_commit(partial(send_seat_freed.delay, registration.pk))
    return promoted

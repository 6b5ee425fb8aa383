"""Notices to the people registered for an event: the reminder the day before, the notice
of a cancelled date or event, and « a seat is yours » for the waiting list.

They go through the notification path (``notifications.services.notify``): each is an
inbox entry and an e-mail, in the person's language, sent at most once. The reminder and
the cancellation notice are claimed by setting their column with a conditional UPDATE in
the same transaction that writes the notification (the row that was updated is the one
that notifies); the seat-freed notice is tied to the confirmation instant by a cache
marker, like the answers to join requests. The task that notifies then sends the e-mail
itself; if the mail server fails, the notification stays « to send » and the task's retry
(or the notifications sweep) sends it — never a second notification.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from collectives.models import Event, EventOccurrence, Registration

NoticeKind = Literal["reminder", "cancelled", "seat_freed", "moved"]
_CLAIM_COLUMN = {"reminder": "reminded_at", "cancelled": "cancellation_notified_at"}
NOTIFICATION_KINDS: dict[str, str] = {
    "reminder": "event.reminder",
    "cancelled": "event.cancelled",
    "seat_freed": "event.seat_freed",
    "moved": "event.moved",
}


def registration_notice_send(*, registration_id: int, kind: NoticeKind) -> bool:
    """Notify the person of one registration, if the notice still applies and was not
    given yet, and send its e-mail. Returns whether an e-mail left.

    A mail server that fails (``OSError``) leaves the notification to send and re-raises,
    for the task's retry: the retry finds it and sends it."""
    from notifications.services.delivery import notification_deliver
    from notifications.services.notify import notify, pending_notification

    registration = (
        Registration.objects.select_related("user", "occurrence__event__collective")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not _still_applies(registration, kind):
        return False
    stored = _stored_context(registration, kind)
    notification = None
    release: Callable[[], object] | None = None
    try:
        with transaction.atomic():
            release = _claim(registration, kind)
            if release is not None:
                notification = notify(
                    recipient=registration.user,
                    kind=NOTIFICATION_KINDS[kind],
                    context=stored,
                    link=registration.occurrence.event.get_absolute_url(),
                    queue=False,  # sent just below, once committed
                )
    except BaseException:
        if release is not None:
            release()  # nothing was written: the claim must not stay taken
        raise
    if notification is None:
        # Given already: a previous attempt whose e-mail has not left yet is sent now.
        notification = pending_notification(
            recipient_id=registration.user_id, kind=NOTIFICATION_KINDS[kind], context=stored
        )
        if notification is None:
            return False
    return notification_deliver(notification_id=notification.pk)


def _still_applies(registration: Registration, kind: NoticeKind) -> bool:
    occurrence = registration.occurrence
    if kind == "cancelled":
        return registration.status == Registration.Status.CANCELLED and (
            occurrence.status == EventOccurrence.Status.CANCELLED
            or occurrence.event.status == Event.Status.CANCELLED
        )
    if kind == "moved":  # people on the waiting list are told too
        return (
            registration.status != Registration.Status.CANCELLED
            and occurrence.status == EventOccurrence.Status.SCHEDULED
            and occurrence.starts_at > timezone.now()
        )
    return (
        registration.status == Registration.Status.CONFIRMED
        and occurrence.status == EventOccurrence.Status.SCHEDULED
        and occurrence.event.status == Event.Status.PUBLISHED
        and occurrence.starts_at > timezone.now()
    )


def _stored_context(registration: Registration, kind: NoticeKind) -> dict[str, Any]:
    """What the notification keeps: the registration, the notice, and for « a seat is
    yours » the confirmation it belongs to."""
    stored: dict[str, Any] = {"registration_id": registration.pk, "notice": kind}
    if kind == "seat_freed":
        confirmed = registration.confirmed_at
        stored["confirmed"] = confirmed.timestamp() if confirmed else 0
    return stored


def _claim(registration: Registration, kind: NoticeKind) -> Callable[[], object] | None:
    """Mark the notice as given, atomically; None if someone already did. Returns the undo
    (for the cache marker; the column's claim is undone by the transaction's rollback)."""
    if kind in _CLAIM_COLUMN:
        column = _CLAIM_COLUMN[kind]
        claimed = Registration.objects.filter(
            Q(**{f"{column}__isnull": True}), pk=registration.pk
        ).update(**{column: timezone.now()})
        return (lambda: None) if claimed else None
    # « A seat is yours » belongs to one confirmation: cancelling and being promoted again
    # later is a new one, with its own message.
    confirmed = registration.confirmed_at.timestamp() if registration.confirmed_at else 0
    marker = f"collectives:seat-freed:{registration.pk}:{confirmed}"
    if not cache.add(marker, True, timeout=60 * 60 * 24 * 60):
        return None
    return lambda: cache.delete(marker)


def registration_notice_context(registration_id: int, kind: str) -> dict[str, Any] | None:
    """The templates' context of a notice (``collectives/emails/<kind>*.txt``), in the
    active language with times in Paris; ``None`` if it no longer applies (the e-mail is
    then not sent). The notifications' loader for the ``event.*`` kinds."""
    registration = (
        Registration.objects.select_related("user", "occurrence__event__collective")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or kind not in NOTIFICATION_KINDS:
        return None
    if not _still_applies(registration, kind):  # type: ignore[arg-type]
        return None
    occurrence = registration.occurrence
    event = occurrence.event
    site = settings.SITE_URL.rstrip("/")
    slugs = {"slug": event.collective.slug, "event_slug": event.slug}
    place = ", ".join(
        part
        for part in (event.place_name, event.street, f"{event.postcode} {event.city}".strip())
        if part
    )
    return {
        "registration": registration,
        "occurrence": occurrence,
        "event": event,
        "collective": event.collective,
        "starts_at": timezone.localtime(occurrence.starts_at),
        "ends_at": timezone.localtime(occurrence.ends_at),
        "place": place,
        # Reversed here, in the active language: the person's (/en/… for English).
        "link": site + event.get_absolute_url(),
        "ics_link": site + reverse("events:ics", kwargs=slugs),
        "events_link": site + reverse("events:list", kwargs={"slug": event.collective.slug}),
    }

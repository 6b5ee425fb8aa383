"""E-mails to the people registered for an event: the reminder the day before, the notice
of a cancelled date or event, and « a seat is yours » for the waiting list.

Each is sent at most once. The reminder and the cancellation notice are claimed by setting
their column with a conditional UPDATE before sending (the row that was updated is the one
sending); if the mail server then fails, the claim is released so the task's retry can send
it. The seat-freed message is tied to the confirmation instant by a cache marker, like the
answers to join requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from collectives.models import Event, EventOccurrence, Registration

NoticeKind = Literal["reminder", "cancelled", "seat_freed"]
_CLAIM_COLUMN = {"reminder": "reminded_at", "cancelled": "cancellation_notified_at"}


def registration_notice_send(*, registration_id: int, kind: NoticeKind) -> bool:
    """Send one notice about a registration, if it still applies and was not sent yet.
    Returns whether an e-mail left.

    The message is written before it is claimed, so a template or URL error leaves the
    claim free; a mail server that fails (``OSError``, which smtplib's errors are) releases
    the claim and re-raises, for the task's retry."""
    registration = (
        Registration.objects.select_related("user", "occurrence__event__collective")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not _still_applies(registration, kind):
        return False
    message = _message(registration, kind)
    release = _claim(registration, kind)
    if release is None:
        return False
    try:
        message.send()
    except OSError:
        release()  # not sent: let the retry send it
        raise
    return True


def _still_applies(registration: Registration, kind: NoticeKind) -> bool:
    occurrence = registration.occurrence
    if kind == "cancelled":
        return registration.status == Registration.Status.CANCELLED and (
            occurrence.status == EventOccurrence.Status.CANCELLED
            or occurrence.event.status == Event.Status.CANCELLED
        )
    return (
        registration.status == Registration.Status.CONFIRMED
        and occurrence.status == EventOccurrence.Status.SCHEDULED
        and occurrence.event.status == Event.Status.PUBLISHED
        and occurrence.starts_at > timezone.now()
    )


def _claim(registration: Registration, kind: NoticeKind) -> Callable[[], object] | None:
    """Mark the notice as sent, atomically; None if someone already did. Returns the undo."""
    if kind in _CLAIM_COLUMN:
        column = _CLAIM_COLUMN[kind]
        claimed = Registration.objects.filter(
            Q(**{f"{column}__isnull": True}), pk=registration.pk
        ).update(**{column: timezone.now()})
        if not claimed:
            return None
        return lambda: Registration.objects.filter(pk=registration.pk).update(**{column: None})
    # « A seat is yours » belongs to one confirmation: cancelling and being promoted again
    # later is a new one, with its own message.
    confirmed = registration.confirmed_at.timestamp() if registration.confirmed_at else 0
    marker = f"collectives:seat-freed:{registration.pk}:{confirmed}"
    if not cache.add(marker, True, timeout=60 * 60 * 24 * 60):
        return None
    return lambda: cache.delete(marker)


def _message(registration: Registration, kind: NoticeKind) -> EmailMessage:
    """The e-mail, in the person's language, with times in Paris."""
    occurrence = registration.occurrence
    event = occurrence.event
    user = registration.user
    site = settings.SITE_URL.rstrip("/")
    slugs = {"slug": event.collective.slug, "event_slug": event.slug}
    place = ", ".join(
        part
        for part in (event.place_name, event.street, f"{event.postcode} {event.city}".strip())
        if part
    )
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "registration": registration,
            "occurrence": occurrence,
            "event": event,
            "collective": event.collective,
            "starts_at": timezone.localtime(occurrence.starts_at),
            "ends_at": timezone.localtime(occurrence.ends_at),
            "place": place,
            # Reversed here, in the person's language (/en/… for English).
            "link": site + event.get_absolute_url(),
            "ics_link": site + reverse("events:ics", kwargs=slugs),
            "events_link": site + reverse("events:list", kwargs={"slug": event.collective.slug}),
        }
        subject = render_to_string(f"collectives/emails/{kind}_subject.txt", context)
        body = render_to_string(f"collectives/emails/{kind}.txt", context)
    return EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])

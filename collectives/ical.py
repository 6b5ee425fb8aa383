"""iCalendar (RFC 5545) calendars of events, built with the ``icalendar`` library: one per
event (« Ajouter à mon agenda ») and one per collective (a feed people subscribe to).

How an event becomes calendar components:

- a one-off event is one VEVENT at its date's times (a moved date simply has its new times);
- a recurring event is one VEVENT with the first start (the services make it a date the
  rule gives: RFC 5545 counts DTSTART as the first date), the stored RRULE (``UNTIL`` is
  already in UTC, as RFC 5545 wants with a TZID start) and an EXDATE for every cancelled
  date; each moved date adds a VEVENT with the same UID, a RECURRENCE-ID (the start the
  rule gave, kept as ``original_start``) and its new times — the way Google Calendar,
  Apple Calendar and Thunderbird expect exceptions;
- a cancelled event keeps its components with STATUS:CANCELLED (and « Cancelled: » before its
  title, for the applications that show cancelled events of a subscription anyway).

Times are written in Europe/Paris with TZID and the matching VTIMEZONE, so 8 h stays 8 h
across the change to summer time. The library folds long lines and ends them with CRLF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from collectives.models import Collective, Event, EventOccurrence
from collectives.recurrence import paris

PRODID = "-//Halle//Agenda des collectifs//FR"
# Subscribed calendars are fetched again after this long (RFC 7986 and its older X- twin).
REFRESH = dt.timedelta(hours=1)
# RFC 5545's INTEGER is 32-bit.
_MAX_SEQUENCE = 2**31 - 1


def event_calendar(event: Event) -> bytes:
    """The calendar of one event (fetched with ``event.calendar_dates`` by
    ``collectives.selectors.events.event_for_calendar``)."""
    calendar = _calendar(name=f"{event.title} · {event.collective.name}")
    _add_event(calendar, event)
    return _finish(calendar, [event])


def collective_calendar(collective: Collective, events: Iterable[Event]) -> bytes:
    """The feed of a collective: every event given (published and cancelled ones, from
    ``events_for_collective_feed``), their recurrences and exceptions."""
    events = list(events)
    calendar = _calendar(name=_("Events of %(name)s") % {"name": collective.name})
    if collective.description:
        calendar.add("x-wr-caldesc", collective.description)
    for event in events:
        _add_event(calendar, event)
    return _finish(calendar, events)


def event_uid(event: Event) -> str:
    """Stable for the event's life and unique across Halle sites: the row id at the site's
    host (``SITE_URL``). Every date and exception of the event shares it."""
    host = urlsplit(settings.SITE_URL).hostname or "halle.invalid"
    return f"event-{event.pk}@{host}"


def event_sequence(event: Event) -> int:
    """SEQUENCE, the revision calendars compare to take a new version of an event.

    It must grow whenever the event changes and stay a small non-negative integer. The
    seconds between the event's creation and its last change (``updated_at``, set by every
    event service that changes it) do both: they only grow, start at 0 and stay within
    RFC 5545's 32-bit INTEGER for 68 years — without a counter column to keep in step.
    """
    seconds = int((event.updated_at - event.created_at).total_seconds())
    return min(max(seconds, 0), _MAX_SEQUENCE)


def _calendar(*, name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", icalendar.vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    return calendar


def _finish(calendar: icalendar.Calendar, events: list[Event]) -> bytes:
    """Add the VTIMEZONE (Europe/Paris) covering every date written, and serialise."""
    if events:
        first = min(e.starts_at for e in events).astimezone(paris()).date()
        last = max(e.ends_at for e in events).astimezone(paris()).date()
        # The library describes the zone over a window; a rule without end runs on, so the
        # window reaches the library's default end (2038) or a year past the last date.
        calendar.add_missing_timezones(
            first_date=first - dt.timedelta(days=1),
            last_date=max(dt.date(2038, 1, 1), last + dt.timedelta(days=366)),
        )
        # Time zones first: some readers resolve a TZID only against zones already read.
        calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    return calendar.to_ical()


def _add_event(calendar: icalendar.Calendar, event: Event) -> None:
    dates: list[EventOccurrence] = getattr(event, "calendar_dates", [])
    cancelled_event = event.status == Event.Status.CANCELLED
    if not event.recurrence:
        date = dates[0] if dates else None
        calendar.add_component(
            _vevent(
                event,
                starts_at=date.starts_at if date else event.starts_at,
                ends_at=date.ends_at if date else event.ends_at,
                cancelled=cancelled_event
                or bool(date and date.status == EventOccurrence.Status.CANCELLED),
            )
        )
        return
    master = _vevent(
        event, starts_at=event.starts_at, ends_at=event.ends_at, cancelled=cancelled_event
    )
    master.add("rrule", icalendar.vRecur.from_ical(event.recurrence))
    excluded = [d.original_start for d in dates if d.status == EventOccurrence.Status.CANCELLED]
    if excluded:
        master.add("exdate", [_local(start) for start in excluded])
    calendar.add_component(master)
    for date in dates:
        if date.status == EventOccurrence.Status.CANCELLED or not date.is_moved:
            continue
        moved = _vevent(
            event, starts_at=date.starts_at, ends_at=date.ends_at, cancelled=cancelled_event
        )
        moved.add("recurrence-id", _local(date.original_start))
        calendar.add_component(moved)


def _vevent(
    event: Event, *, starts_at: dt.datetime, ends_at: dt.datetime, cancelled: bool
) -> icalendar.Event:
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", timezone.now().astimezone(dt.UTC))
    component.add("created", event.created_at.astimezone(dt.UTC))
    component.add("last-modified", event.updated_at.astimezone(dt.UTC))
    component.add("sequence", event_sequence(event))
    component.add("dtstart", _local(starts_at))
    component.add("dtend", _local(ends_at))
    summary = event.title
    if cancelled:
        summary = _("Cancelled: %(title)s") % {"title": event.title}
    component.add("summary", summary)
    component.add("description", _description(event, cancelled=cancelled))
    location = _location(event)
    if location:
        component.add("location", location)
    if event.latitude is not None and event.longitude is not None and not event.is_online:
        component.add("geo", (float(event.latitude), float(event.longitude)))
    component.add("url", _page_url(event))
    component.add("categories", [str(event.get_kind_display())])
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return component


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(paris())


def _page_url(event: Event) -> str:
    return settings.SITE_URL.rstrip("/") + event.get_absolute_url()


def _location(event: Event) -> str:
    if event.is_online:
        return event.online_url or event.stream_url
    town = " ".join(part for part in (event.postcode, event.city) if part)
    return ", ".join(part for part in (event.place_name, event.street, town) if part)


def _description(event: Event, *, cancelled: bool) -> str:
    parts = []
    if cancelled and event.cancellation_reason:
        parts.append(event.cancellation_reason)
    if event.description:
        parts.append(event.description)
    parts.append(_page_url(event))
    return "\n\n".join(parts)

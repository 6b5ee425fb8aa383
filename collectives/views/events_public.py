"""The public side of a collective's events: the list of dates to come, an event's page
(with its schema.org ``Event`` JSON-LD), the registration buttons, and the iCal calendars
of an event and of the collective."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from collectives import ical
from collectives.models import Collective, Event, EventOccurrence, EventPhoto, Registration
from collectives.recurrence import describe_rule
from collectives.selectors.collectives import collective_for_public_page
from collectives.selectors.events import (
    EventDate,
    actor_registration,
    collective_for_feed,
    event_cover,
    event_for_calendar,
    event_for_public_page,
    event_upcoming_dates,
    events_for_collective_feed,
    occurrence_for_registration,
    upcoming_public_occurrences,
    waiting_position,
)
from collectives.services.registrations import registration_cancel, registration_create
from merchants.jsonld import jsonld_script

LIST_PAGE_SIZE = 30
# Calendar applications poll feeds; a few minutes of caching spares the database.
CALENDAR_MAX_AGE = 300
_SCHEMA = "https://schema.org/"


def event_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The collective's dates to come, by day; ``?type=<kind>`` keeps one kind of event."""
    collective = collective_for_public_page(actor=request.user, slug=slug)
    kind = request.GET.get("type", "")
    if kind not in Event.Kind.values:
        kind = ""  # a stale or mistyped link lists everything rather than nothing
    dates = upcoming_public_occurrences(collective=collective, actor=request.user, kind=kind)
    page = Paginator(dates, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "collectives/events/list.html",
        {
            "collective": collective,
            "page": page,
            "days": _by_day(page.object_list),
            "kinds": Event.Kind.choices,
            "kind": kind,
        },
    )


def _by_day(occurrences: Any) -> list[tuple[dt.date, list[EventOccurrence]]]:
    """Dates grouped by their day in Paris (a date is listed on the day it starts)."""
    return [
        (day, list(group))
        for day, group in itertools.groupby(
            occurrences, key=lambda o: timezone.localtime(o.starts_at).date()
        )
    ]


def event_detail(request: HttpRequest, slug: str, event_slug: str) -> HttpResponse:
    collective = collective_for_public_page(actor=request.user, slug=slug)
    event = event_for_public_page(collective=collective, actor=request.user, event_slug=event_slug)
    upcoming = event_upcoming_dates(event=event, actor=request.user)
    cover = event_cover(event)
    directions = _directions_url(event)
    if event.status != Event.Status.DRAFT:
        from insights.counting import count_view  # insights builds on collectives

        count_view(request, kind="event", object_id=event.pk, collective_id=collective.pk)
    return render(
        request,
        "collectives/events/detail.html",
        {
            "collective": collective,
            "event": event,
            "cover": cover,
            "dates": upcoming.dates,
            "has_more_dates": upcoming.has_more,
            "next_date": upcoming.dates[0].occurrence if upcoming.dates else None,
            "rule_text": describe_rule(event.recurrence),
            "address": _address(event),
            "directions_url": directions,
            "map_data": _map_data(event, directions),
            "live_url": _live_url(collective, event),
            "is_preview": event.status == Event.Status.DRAFT,
            "login_url": reverse("account_login") + "?next=" + quote(request.get_full_path()),
            "event_jsonld": _event_jsonld(request, event, upcoming.dates, cover),
        },
    )


def _address(event: Event) -> str:
    town = " ".join(part for part in (event.postcode, event.city) if part)
    return ", ".join(part for part in (event.street, town) if part)


def _directions_url(event: Event) -> str:
    """A route to the place on OpenStreetMap: a plain link, so nothing is asked of
    openstreetmap.org until the visitor follows it."""
    if event.is_online:
        return ""
    if event.latitude is not None and event.longitude is not None:
        return f"https://www.openstreetmap.org/directions?to={event.latitude}%2C{event.longitude}"
    query = ", ".join(part for part in (event.place_name, _address(event)) if part)
    return f"https://www.openstreetmap.org/search?query={quote(query)}" if query else ""


def _map_data(event: Event, directions: str) -> dict[str, Any] | None:
    """The pin static/js/collective-map.js draws once the visitor asks for the map."""
    if event.is_online or event.latitude is None or event.longitude is None:
        return None
    return {
        "centre": None,
        "markers": [
            {
                "name": event.place_name or event.title,
                "trade": _address(event),
                "open": "",
                "isOpen": False,
                "url": directions,
                "lat": float(event.latitude),
                "lng": float(event.longitude),
            }
        ],
    }


def _live_url(collective: Collective, event: Event) -> str:
    """The live sale session's own page (built beside this one; absent until routed)."""
    if not event.is_live:
        return ""
    try:
        return reverse("live:detail", kwargs={"slug": collective.slug, "event_slug": event.slug})
    except NoReverseMatch:
        return ""


# --- schema.org Event ----------------------------------------------------------------------


def _event_jsonld(
    request: HttpRequest, event: Event, dates: list[EventDate], cover: EventPhoto | None
) -> SafeString:
    """schema.org ``Event`` for search engines: one object for a one-off event, a list with
    one object per date shown for a recurring one (each date is an event people attend)."""
    common: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": request.build_absolute_uri(event.get_absolute_url()),
        "eventAttendanceMode": _SCHEMA
        + ("OnlineEventAttendanceMode" if event.is_online else "OfflineEventAttendanceMode"),
        "location": _jsonld_location(event),
        "organizer": {
            "@type": "Organization",
            "name": event.collective.name,
            "url": request.build_absolute_uri(event.collective.get_absolute_url()),
        },
    }
    if event.description:
        common["description"] = event.description
    image = cover.fallback_url if cover and cover.is_ready else None
    if image:
        common["image"] = [request.build_absolute_uri(image)]
    occurrences = [d.occurrence for d in dates]
    if occurrences:
        objects = [{**common, **_jsonld_timing(event, o)} for o in occurrences]
    else:  # every date is over: the event's own times still describe it
        objects = [{**common, **_jsonld_timing(event, None)}]
    data: Any = objects if event.is_recurring else objects[0]
    return jsonld_script(data)


def _jsonld_timing(event: Event, occurrence: EventOccurrence | None) -> dict[str, Any]:
    starts_at = occurrence.starts_at if occurrence else event.starts_at
    ends_at = occurrence.ends_at if occurrence else event.ends_at
    timing: dict[str, Any] = {
        "startDate": timezone.localtime(starts_at).isoformat(),
        "endDate": timezone.localtime(ends_at).isoformat(),
        "eventStatus": _SCHEMA + "EventScheduled",
    }
    if event.status == Event.Status.CANCELLED or (occurrence and occurrence.is_cancelled):
        timing["eventStatus"] = _SCHEMA + "EventCancelled"
    elif occurrence and occurrence.is_moved:
        timing["eventStatus"] = _SCHEMA + "EventRescheduled"
        timing["previousStartDate"] = timezone.localtime(occurrence.original_start).isoformat()
    capacity = occurrence.capacity if occurrence else event.capacity
    if capacity is not None and event.registration_open:
        timing["maximumAttendeeCapacity"] = capacity
        if occurrence is not None:
            timing["remainingAttendeeCapacity"] = occurrence.seats_left
    return timing


def _jsonld_location(event: Event) -> dict[str, Any]:
    if event.is_online:
        return {"@type": "VirtualLocation", "url": event.online_url or event.stream_url}
    place: dict[str, Any] = {
        "@type": "Place",
        "name": event.place_name or event.city,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": event.street,
            "postalCode": event.postcode,
            "addressLocality": event.city,
            "addressCountry": "FR",
        },
    }
    if event.latitude is not None and event.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(event.latitude),
            "longitude": float(event.longitude),
        }
    return place


# --- Registration buttons ------------------------------------------------------------------


def _event_url(slug: str, event_slug: str) -> str:
    return reverse("events:detail", kwargs={"slug": slug, "event_slug": event_slug})


def _when(occurrence: EventOccurrence) -> str:
    return formats.date_format(timezone.localtime(occurrence.starts_at), "DATETIME_FORMAT")


@require_POST
def register(
    request: HttpRequest, slug: str, event_slug: str, occurrence_id: int
) -> HttpResponseRedirect:
    """Take a seat on a date, or a place on its waiting list when it is full.

    Log-in required; a visitor is sent to log in and then back to the event's page (not to
    this POST-only address), where the button waits."""
    back = _event_url(slug, event_slug)
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    assert isinstance(request.user, User)
    collective = collective_for_public_page(actor=request.user, slug=slug)
    occurrence = occurrence_for_registration(
        collective=collective,
        actor=request.user,
        event_slug=event_slug,
        occurrence_id=occurrence_id,
    )
    try:
        registration = registration_create(actor=request.user, occurrence=occurrence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(
                request, _("You are registered for %(date)s.") % {"date": _when(occurrence)}
            )
        else:
            messages.warning(
                request,
                _("Full: you are on the waiting list (position %(position)s).")
                % {"position": waiting_position(registration)},
            )
    return HttpResponseRedirect(f"{back}#date-{occurrence.pk}")


@require_POST
def unregister(
    request: HttpRequest, slug: str, event_slug: str, occurrence_id: int
) -> HttpResponseRedirect:
    """Give up one's seat or place on the waiting list of a date (404 without one)."""
    back = _event_url(slug, event_slug)
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    assert isinstance(request.user, User)
    collective = collective_for_public_page(actor=request.user, slug=slug)
    occurrence = occurrence_for_registration(
        collective=collective,
        actor=request.user,
        event_slug=event_slug,
        occurrence_id=occurrence_id,
    )
    registration = actor_registration(actor=request.user, occurrence=occurrence)
    was_waiting = registration.status == Registration.Status.WAITLISTED
    try:
        registration_cancel(actor=request.user, registration=registration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You left the waiting list.")
            if was_waiting
            else _("Your registration is cancelled."),
        )
    return HttpResponseRedirect(f"{back}#date-{occurrence.pk}")


# --- iCal ----------------------------------------------------------------------------------


def event_ics(request: HttpRequest, slug: str, event_slug: str) -> HttpResponse:
    """One event's calendar (« Ajouter à mon agenda »)."""
    collective = collective_for_feed(slug=slug)
    event = event_for_calendar(collective=collective, event_slug=event_slug)
    return _calendar_response(ical.event_calendar(event), filename=f"{event.slug}.ics")


def collective_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The collective's calendar feed, to subscribe to."""
    collective = collective_for_feed(slug=slug)
    events = events_for_collective_feed(collective=collective)
    return _calendar_response(
        ical.collective_calendar(collective, events), filename=f"{collective.slug}.ics"
    )


def _calendar_response(body: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # inline: a phone opens the calendar application; a slug is ASCII, no quoting issue.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=CALENDAR_MAX_AGE)
    return response

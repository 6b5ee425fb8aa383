"""Reads of a collective's events for the public: the list of dates to come, an event's page
(its dates with the visitor's own registration, shops, products, cover), the collective
page's « upcoming events », and what the registration buttons act on.

Scope: the public sees published and cancelled events (cancelled ones stay listed, marked,
so people who planned to come learn it); a collective's organisers also preview its drafts.
Anything else answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.permissions import Actor
from catalog.models import Product
from collectives.models import (
    Collective,
    Event,
    EventOccurrence,
    EventParticipation,
    EventPhoto,
    Registration,
)
from collectives.selectors.collectives import _product_cards
from collectives.services.registrations import registration_is_possible

# How many dates to come an event page lists (a weekly market has a year of them: the
# calendar feed carries the rest).
DATES_SHOWN = 12
# Registrations that hold a seat or a place in the queue.
_LIVE = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def _visible_events(*, collective: Collective, actor: Actor) -> QuerySet[Event]:
    return Event.objects.visible_to(actor).filter(collective=collective)


def _cover_prefetch(lookup: str = "photos") -> Prefetch:
    """The cover (the photo at position 0) as ``event.cover_photos`` (a list of 0 or 1)."""
    return Prefetch(lookup, queryset=EventPhoto.objects.filter(position=0), to_attr="cover_photos")


def event_cover(event: Event) -> EventPhoto | None:
    """The cover of an event fetched by these selectors (prefetched: no query)."""
    photos: list[EventPhoto] = getattr(event, "cover_photos", [])
    return photos[0] if photos else None


# --- The list of dates ---------------------------------------------------------------------


def upcoming_public_occurrences(
    *,
    collective: Collective,
    actor: Actor,
    kind: str = "",
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[EventOccurrence]:
    """The collective's dates not over yet, soonest first, each with its event: those of
    published and cancelled events (cancelled dates included, to be shown as such), and of
    drafts when the actor organises the collective. ``kind`` keeps one kind of event (an
    unknown kind is ignored). One query per page (plus the paginator's count)."""
    queryset = (
        EventOccurrence.objects.filter(
            event__in=_visible_events(collective=collective, actor=actor)
        )
        .upcoming(now)
        .select_related("event__collective")
        .order_by("starts_at", "pk")
    )
    if kind in Event.Kind.values:
        queryset = queryset.filter(event__kind=kind)
    if limit is not None:
        queryset = queryset[:limit]
    return queryset


def upcoming_events_for_collective_page(
    *, collective: Collective, actor: Actor, limit: int = 4, now: dt.datetime | None = None
) -> list[EventOccurrence]:
    """The next ``limit`` events of the collective, each by its next date that is not
    cancelled (a weekly market appears once, not four times), soonest first, with the event
    and its cover (``event_cover(o.event)``). Two queries, whatever the number of events."""
    now = now or timezone.now()
    next_dates = (
        EventOccurrence.objects.filter(
            event__in=_visible_events(collective=collective, actor=actor)
        )
        .upcoming(now)
        .exclude(status=EventOccurrence.Status.CANCELLED)
        .order_by("event_id", "starts_at", "pk")
        .distinct("event_id")
        .values("pk")
    )
    return list(
        EventOccurrence.objects.filter(pk__in=next_dates)
        .select_related("event__collective")
        .prefetch_related(_cover_prefetch("event__photos"))
        .order_by("starts_at", "pk")[:limit]
    )


# --- An event's page -----------------------------------------------------------------------


def event_for_public_page(*, collective: Collective, actor: Actor, event_slug: str) -> Event:
    """The event ``event_slug`` of the collective as its page shows it, or 404: published and
    cancelled events for everyone, drafts for the collective's organisers only (a preview).

    Prefetched (one query each): the cover (:func:`event_cover`), the shops that accepted to
    take part (``event.participating``, with their shop) and the featured products still
    public (``event.shown_products``, as product cards).
    """
    products = _product_cards(Product.objects.published().for_collective(collective)).order_by(
        "title", "pk"
    )
    event = (
        _visible_events(collective=collective, actor=actor)
        .filter(slug=event_slug)
        .prefetch_related(
            _cover_prefetch(),
            Prefetch(
                "participations",
                queryset=EventParticipation.objects.filter(
                    status=EventParticipation.Status.ACCEPTED, merchant__status="active"
                )
                .select_related("merchant")
                .order_by("merchant__name", "pk"),
                to_attr="participating",
            ),
            Prefetch("featured_products", queryset=products, to_attr="shown_products"),
        )
        .first()
    )
    if event is None:
        raise Http404
    event.collective = collective  # resolved already: no second fetch
    return event


@dataclass(frozen=True)
class EventDate:
    """One date to come of an event, as the visitor sees it: their registration if any
    (``registration_status`` empty otherwise; ``waiting_position`` 1 for the first in the
    queue), and why they cannot register now (``refusal``, a code of
    ``registration_is_possible``; empty when the button is offered)."""

    occurrence: EventOccurrence
    registration_status: str
    waiting_position: int | None
    refusal: str

    @property
    def is_confirmed(self) -> bool:
        return self.registration_status == Registration.Status.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.registration_status == Registration.Status.WAITLISTED

    @property
    def is_registered(self) -> bool:
        return bool(self.registration_status)


@dataclass(frozen=True)
class UpcomingDates:
    dates: list[EventDate]
    has_more: bool


def event_upcoming_dates(
    *, event: Event, actor: Actor, limit: int = DATES_SHOWN, now: dt.datetime | None = None
) -> UpcomingDates:
    """The event's first ``limit`` dates not over yet, with the actor's live registration
    on each and their place in the waiting list: one query (subqueries), whatever the number
    of dates. ``event`` must come with its collective (as :func:`event_for_public_page`
    gives it)."""
    queryset = EventOccurrence.objects.filter(event=event).upcoming(now).order_by("starts_at", "pk")
    if actor.is_authenticated:
        mine = Registration.objects.filter(
            occurrence=OuterRef("pk"), user=actor, status__in=_LIVE
        ).order_by("pk")
        # Served first come, first served (``created_at``, then ``pk``): the people waiting
        # up to and including this registration.
        ahead = (
            Registration.objects.filter(
                occurrence=OuterRef("occurrence_id"), status=Registration.Status.WAITLISTED
            )
            .filter(
                Q(created_at__lt=OuterRef("created_at"))
                | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk"))
            )
            .order_by()
            .values("occurrence_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        queryset = queryset.annotate(
            my_status=Subquery(mine.values("status")[:1]),
            my_position=Subquery(mine.annotate(position=Subquery(ahead)).values("position")[:1]),
        )
    rows = list(queryset[: limit + 1])
    dates = []
    for occurrence in rows[:limit]:
        occurrence.event = event  # one event for every row: no query per date
        status = getattr(occurrence, "my_status", None) or ""
        dates.append(
            EventDate(
                occurrence=occurrence,
                registration_status=status,
                waiting_position=(
                    getattr(occurrence, "my_position", None)
                    if status == Registration.Status.WAITLISTED
                    else None
                ),
                refusal=registration_is_possible(occurrence),
            )
        )
    return UpcomingDates(dates=dates, has_more=len(rows) > limit)


# --- Registration buttons ------------------------------------------------------------------


def occurrence_for_registration(
    *, collective: Collective, actor: Actor, event_slug: str, occurrence_id: int
) -> EventOccurrence:
    """The date a registration button acts on, with its event and collective; 404 unless it
    is a date of an event of this collective that the actor may see."""
    occurrence = (
        EventOccurrence.objects.filter(
            pk=occurrence_id,
            event__slug=event_slug,
            event__in=_visible_events(collective=collective, actor=actor),
        )
        .select_related("event__collective")
        .first()
    )
    if occurrence is None:
        raise Http404
    return occurrence


def actor_registration(*, actor: Actor, occurrence: EventOccurrence) -> Registration:
    """The actor's own live registration (seat or waiting list) for the date; 404 if they
    have none — nobody reaches another person's registration from the public pages."""
    if not actor.is_authenticated:
        raise Http404
    registration = (
        Registration.objects.filter(occurrence=occurrence, user=actor, status__in=_LIVE)
        .order_by("pk")
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def waiting_position(registration: Registration) -> int:
    """Where a waitlisted registration stands in its date's queue (1: next to get a seat)."""
    return (
        Registration.objects.filter(
            occurrence_id=registration.occurrence_id, status=Registration.Status.WAITLISTED
        )
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lte=registration.pk)
        )
        .count()
    )


# --- Calendar feeds ------------------------------------------------------------------------

# How long a collective's feed keeps an event whose dates are all over.
FEED_HISTORY = dt.timedelta(days=365)


def _calendar_dates() -> Prefetch:
    """The dates a calendar needs besides the rule: a one-off event's date, and the
    exceptions of a recurring one (cancelled or moved dates), as ``event.calendar_dates``."""
    return Prefetch(
        "occurrences",
        queryset=EventOccurrence.objects.filter(
            Q(event__recurrence="")
            | Q(status=EventOccurrence.Status.CANCELLED)
            | ~Q(starts_at=F("original_start"))
        ).order_by("original_start", "pk"),
        to_attr="calendar_dates",
    )


def collective_for_feed(*, slug: str) -> Collective:
    """A collective whose calendar is public (active), or 404. Feeds are read by calendar
    applications without a session: nobody previews anything there."""
    collective = Collective.objects.active().filter(slug=slug).first()
    if collective is None:
        raise Http404
    return collective


def event_for_calendar(*, collective: Collective, event_slug: str) -> Event:
    """A published or cancelled event of the collective with its calendar dates; drafts
    never reach a calendar (404)."""
    event = (
        Event.objects.published()
        .filter(collective=collective, slug=event_slug)
        .prefetch_related(_calendar_dates())
        .first()
    )
    if event is None:
        raise Http404
    event.collective = collective
    return event


def events_for_collective_feed(
    *, collective: Collective, now: dt.datetime | None = None
) -> list[Event]:
    """Every published or cancelled event of the collective with a date to come or over for
    less than :data:`FEED_HISTORY`, with its calendar dates. Two queries."""
    now = now or timezone.now()
    recent = EventOccurrence.objects.filter(ends_at__gt=now - FEED_HISTORY).values("event_id")
    events = list(
        Event.objects.published()
        .filter(collective=collective, pk__in=recent)
        .prefetch_related(_calendar_dates())
        .order_by("starts_at", "pk")
    )
    for event in events:
        event.collective = collective
    return events

"""Reads of the organisers' event tools (their events, the dates with their seats, who
registered, the shops taking part, the featured products) and of a shop's side of events
(its invitations and participations in « Mon commerce »).

Organiser selectors take the collective that ``organiser_required`` resolved; shop selectors
take the shop that ``merchant_required`` resolved. Anything outside them is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from catalog.models import Product
from collectives.models import (
    Collective,
    Event,
    EventOccurrence,
    EventParticipation,
    EventPhoto,
    Registration,
)
from merchants.models import Merchant

# How many products a search of the featured-products page lists at most.
PRODUCT_RESULTS = 40
# How many of its next dates a shop sees for each event.
SHOP_NEXT_DATES = 3

_WAITING = Q(registrations__status=Registration.Status.WAITLISTED)


def _next_dates(now: dt.datetime) -> QuerySet[EventOccurrence]:
    """Dates to come that still take place, soonest first (for an ``OuterRef("pk")`` event)."""
    return EventOccurrence.objects.filter(
        event=OuterRef("pk"), ends_at__gt=now, status=EventOccurrence.Status.SCHEDULED
    ).order_by("starts_at", "pk")


# --- The organisers' list -------------------------------------------------------------------


@dataclass(frozen=True)
class OrganiserEvents:
    """The collective's events as the list shows them. Each event carries ``next_date``: its
    next date that takes place (an :class:`EventOccurrence` with ``waiting``, the size of its
    waiting list), or None."""

    upcoming: Sequence[Event]
    drafts: Sequence[Event]
    past: Sequence[Event]


def organiser_events(*, collective: Collective, now: dt.datetime | None = None) -> OrganiserEvents:
    """Events with a date to come (published or cancelled), drafts, and events whose dates
    are all over — in two queries whatever their number."""
    now = now or timezone.now()
    events = list(
        Event.objects.filter(collective=collective)
        .annotate(
            next_id=Subquery(_next_dates(now).values("pk")[:1]),
            next_start=Subquery(_next_dates(now).values("starts_at")[:1]),
            has_future=Exists(
                EventOccurrence.objects.filter(event=OuterRef("pk"), ends_at__gt=now)
            ),
        )
        .order_by(F("next_start").asc(nulls_last=True), "starts_at", "pk")
    )
    next_dates = {
        occurrence.pk: occurrence
        for occurrence in EventOccurrence.objects.filter(
            pk__in=[e.next_id for e in events if e.next_id]
        ).annotate(waiting=Count("registrations", filter=_WAITING))
    }
    for event in events:
        event.next_date = next_dates.get(event.next_id)  # type: ignore[attr-defined]
    drafts = [e for e in events if e.status == Event.Status.DRAFT]
    upcoming = [e for e in events if e.status != Event.Status.DRAFT and e.has_future]
    past = [e for e in events if e.status != Event.Status.DRAFT and not e.has_future]
    past.sort(key=lambda e: (e.starts_at, e.pk), reverse=True)
    return OrganiserEvents(upcoming=upcoming, drafts=drafts, past=past)


def organiser_event(*, collective: Collective, slug: str) -> Event:
    """One event of the collective (any status), or 404."""
    try:
        return Event.objects.select_related("collective").get(collective=collective, slug=slug)
    except Event.DoesNotExist:
        raise Http404 from None


def event_cover(*, event: Event) -> EventPhoto | None:
    """The event's cover photo (the first by position), if any."""
    return event.photos.order_by("position", "pk").first()


# --- Dates and registrations ----------------------------------------------------------------


@dataclass(frozen=True)
class EventDates:
    """The dates of an event for its dates page: those to come (soonest first) or, when
    asked, those over (latest first); with how many the other list holds."""

    dates: Sequence[EventOccurrence]
    past: bool
    other_count: int


def event_dates(*, event: Event, past: bool = False, now: dt.datetime | None = None) -> EventDates:
    """The dates to come (a date under way counts as to come) or past, each with
    ``waiting`` (its waiting list's size); two queries."""
    now = now or timezone.now()
    to_come = Q(ends_at__gt=now)
    occurrences = event.occurrences.annotate(waiting=Count("registrations", filter=_WAITING))
    if past:
        dates = occurrences.exclude(to_come).order_by("-starts_at", "-pk")
        other = event.occurrences.filter(to_come)
    else:
        dates = occurrences.filter(to_come).order_by("starts_at", "pk")
        other = event.occurrences.exclude(to_come)
    listed = list(dates)
    for occurrence in listed:
        occurrence.event = event  # is_cancelled reads the event's status
    return EventDates(dates=listed, past=past, other_count=other.count())


def event_occurrence(*, event: Event, occurrence_id: int) -> EventOccurrence:
    """One date of the event, or 404 (a date of another event is out of scope)."""
    try:
        occurrence = event.occurrences.get(pk=occurrence_id)
    except EventOccurrence.DoesNotExist:
        raise Http404 from None
    occurrence.event = event
    return occurrence


@dataclass(frozen=True)
class DateRegistrations:
    """Who registered for one date: confirmed (in order of registration) and the waiting
    list in the order seats will be given (each with ``position``, from 1)."""

    confirmed: list[Registration]
    waiting: list[Registration]


def occurrence_registrations(*, occurrence: EventOccurrence) -> DateRegistrations:
    """The live registrations of a date with their people, in one query."""
    registrations = list(
        occurrence.registrations.exclude(status=Registration.Status.CANCELLED)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    confirmed = [r for r in registrations if r.status == Registration.Status.CONFIRMED]
    waiting = [r for r in registrations if r.status == Registration.Status.WAITLISTED]
    for position, registration in enumerate(waiting, start=1):
        registration.position = position  # type: ignore[attr-defined]
    return DateRegistrations(confirmed=confirmed, waiting=waiting)


def occurrence_registration(*, occurrence: EventOccurrence, registration_id: int) -> Registration:
    """One registration of the date, or 404."""
    try:
        return occurrence.registrations.select_related("user").get(pk=registration_id)
    except Registration.DoesNotExist:
        raise Http404 from None


def registrations_for_export(
    *, event: Event, occurrence: EventOccurrence | None = None
) -> Iterator[tuple[Registration, int | None]]:
    """The live registrations of the event (or of one of its dates) for the CSV export:
    date by date, confirmed first, then the waiting list in its order, each with its
    position on the waiting list (None when confirmed). Read in chunks, one query."""
    registrations = (
        Registration.objects.filter(occurrence__event=event)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("user", "occurrence")
        .order_by("occurrence__starts_at", "occurrence_id", "status", "created_at", "pk")
    )
    # "confirmed" sorts before "waitlisted": the ORDER BY puts each date's seats first.
    if occurrence is not None:
        registrations = registrations.filter(occurrence=occurrence)
    current, position = None, 0
    for registration in registrations.iterator(chunk_size=500):
        if registration.occurrence_id != current:
            current, position = registration.occurrence_id, 0
        if registration.status == Registration.Status.WAITLISTED:
            position += 1
            yield registration, position
        else:
            yield registration, None


# --- Participating shops and featured products ----------------------------------------------


def event_participations(*, event: Event) -> QuerySet[EventParticipation]:
    """The shops asked to take part, with their answer."""
    return (
        EventParticipation.objects.filter(event=event)
        .select_related("merchant")
        .order_by("merchant__name", "pk")
    )


def event_participation(*, event: Event, participation_id: int) -> EventParticipation:
    try:
        return event_participations(event=event).get(pk=participation_id)
    except EventParticipation.DoesNotExist:
        raise Http404 from None


def shops_to_invite(*, event: Event) -> QuerySet[Merchant]:
    """Active member shops not asked yet, or that declined (they may be asked again)."""
    asked = EventParticipation.objects.filter(event=event).exclude(
        status=EventParticipation.Status.DECLINED
    )
    return (
        Merchant.objects.for_collective(event.collective)
        .exclude(pk__in=asked.values("merchant_id"))
        .order_by("name", "pk")
    )


def featurable_products(*, collective: Collective) -> QuerySet[Product]:
    """Products an event of the collective may feature: published products of member shops."""
    return Product.objects.published().for_collective(collective)


@dataclass(frozen=True)
class FeaturedChoices:
    """The featured-products page: those featured now, and the products found by the search
    (not featured yet), at most :data:`PRODUCT_RESULTS` (``more`` says there were more)."""

    featured: list[Product]
    results: list[Product]
    more: bool


def featured_product_choices(*, event: Event, search: str = "") -> FeaturedChoices:
    """The event's featured products and a search among the member shops' products, by
    title or shop (accents and case ignored); two queries."""
    featured = list(
        event.featured_products.select_related("merchant").order_by("merchant__name", "title")
    )
    candidates = (
        featurable_products(collective=event.collective)
        .exclude(pk__in=[p.pk for p in featured])
        .select_related("merchant")
        .order_by("merchant__name", "title", "pk")
    )
    if search:
        candidates = candidates.filter(
            Q(title__unaccent__icontains=search) | Q(merchant__name__unaccent__icontains=search)
        )
    found = list(candidates[: PRODUCT_RESULTS + 1])
    return FeaturedChoices(
        featured=featured, results=found[:PRODUCT_RESULTS], more=len(found) > PRODUCT_RESULTS
    )


# --- A shop's side --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopEvents:
    """A shop's invitations and participations: events with a date to come (soonest
    first), then those over (latest first). Each event carries ``next_dates``, its next
    :data:`SHOP_NEXT_DATES` dates that take place."""

    upcoming: Sequence[EventParticipation]
    past: Sequence[EventParticipation]


def shop_event_participations(*, merchant: Merchant, now: dt.datetime | None = None) -> ShopEvents:
    """The events the shop is asked to, or takes part in, with their collective, place and
    next dates; three queries whatever their number."""
    now = now or timezone.now()
    next_dates = EventOccurrence.objects.filter(
        ends_at__gt=now, status=EventOccurrence.Status.SCHEDULED
    ).order_by("starts_at", "pk")[:SHOP_NEXT_DATES]
    participations = list(
        EventParticipation.objects.filter(merchant=merchant)
        .select_related("event__collective")
        .annotate(
            next_start=Subquery(
                EventOccurrence.objects.filter(
                    event=OuterRef("event_id"),
                    ends_at__gt=now,
                    status=EventOccurrence.Status.SCHEDULED,
                )
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
            has_future=Exists(
                EventOccurrence.objects.filter(event=OuterRef("event_id"), ends_at__gt=now)
            ),
        )
        .prefetch_related(Prefetch("event__occurrences", next_dates, to_attr="next_dates"))
        .order_by(F("next_start").asc(nulls_last=True), "event__starts_at", "pk")
    )
    upcoming = [p for p in participations if p.has_future]
    past = [p for p in participations if not p.has_future]
    past.sort(key=lambda p: (p.event.starts_at, p.pk), reverse=True)
    return ShopEvents(upcoming=upcoming, past=past)


def shop_participation(*, merchant: Merchant, participation_id: int) -> EventParticipation:
    """One of the shop's participations, or 404 (another shop's is out of scope)."""
    try:
        return EventParticipation.objects.select_related("event__collective", "merchant").get(
            merchant=merchant, pk=participation_id
        )
    except EventParticipation.DoesNotExist:
        raise Http404 from None

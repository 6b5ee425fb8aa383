"""Reads of live sale sessions: the viewers' page and the organisers' control room.

The viewers' page polls its line-up every few seconds, so its reads are few and constant:
the event (with its next date) in one query, the line-up with products and shops in one,
their photos in one — whatever the number of products.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.permissions import Actor
from catalog.models import Product, ProductImage
from collectives.models import Collective, Event, EventOccurrence, LineupItem

# How many products the control room's « add a product » list offers at once.
CANDIDATES_SHOWN = 30


@dataclass(frozen=True)
class LiveTiming:
    """Where a live session stands now: not started, on air, or over (cancelled too)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    is_on_air: bool
    is_over: bool


def _with_next_date(queryset: QuerySet[Event], now: dt.datetime) -> QuerySet[Event]:
    """Annotate ``live_starts_at``/``live_ends_at``: the event's next date not over yet
    (dates are occurrences, so a moved or recurring live is timed right), or its own times
    when no date is left (then the live is over, or was never given dates)."""
    upcoming = EventOccurrence.objects.filter(
        event=OuterRef("pk"),
        status=EventOccurrence.Status.SCHEDULED,
        ends_at__gt=now,
    ).order_by("starts_at", "pk")
    return queryset.annotate(
        live_starts_at=Coalesce(Subquery(upcoming.values("starts_at")[:1]), F("starts_at")),
        live_ends_at=Coalesce(Subquery(upcoming.values("ends_at")[:1]), F("ends_at")),
    )


def live_timing(event: Event, *, now: dt.datetime | None = None) -> LiveTiming:
    """The timing of an event fetched by :func:`live_event_for_viewer` or
    :func:`live_event_for_organiser`."""
    now = now or timezone.now()
    starts_at: dt.datetime = getattr(event, "live_starts_at", event.starts_at)
    ends_at: dt.datetime = getattr(event, "live_ends_at", event.ends_at)
    is_over = event.status == Event.Status.CANCELLED or ends_at <= now
    return LiveTiming(
        starts_at=starts_at,
        ends_at=ends_at,
        is_on_air=not is_over and starts_at <= now,
        is_over=is_over,
    )


def live_event_for_viewer(*, actor: Actor, slug: str, event_slug: str) -> Event:
    """The live session a viewer's page shows, with its collective and next date.

    Published (and cancelled) lives of active collectives; a collective's organisers also
    preview its drafts. 404 for anything else, other kinds of event included. One query.
    """
    event = (
        _with_next_date(Event.objects.visible_to(actor), timezone.now())
        .filter(
            kind=Event.Kind.LIVE,
            slug=event_slug,
            collective__slug=slug,
            collective__in=Collective.objects.visible_to(actor),
        )
        .select_related("collective")
        .first()
    )
    if event is None:
        raise Http404
    return event


def lineup_for_viewer(*, event: Event) -> list[LineupItem]:
    """The live's line-up in order as the public sees it: products still published by
    active member shops, with their shop and photos (two queries, however many products)."""
    offered = Product.objects.published().for_collective(event.collective)
    return list(
        event.lineup.filter(product__in=offered)
        .select_related("product__merchant")
        .prefetch_related(
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "pk"))
        )
        .order_by("position", "pk")
    )


# --- The organisers' control room ----------------------------------------------------------


def live_sessions_for_organiser(*, collective: Collective) -> QuerySet[Event]:
    """The collective's live sessions, drafts and past ones included, latest first."""
    return (
        collective.events.filter(kind=Event.Kind.LIVE)
        .select_related("collective")
        .order_by("-starts_at", "-pk")
    )


def live_event_for_organiser(*, collective: Collective, event_slug: str) -> Event:
    """One live session of the collective the organiser runs (its drafts too), with its
    next date; 404 if there is none by that slug or it is not a live."""
    event = (
        _with_next_date(collective.events.all(), timezone.now())
        .filter(kind=Event.Kind.LIVE, slug=event_slug)
        .select_related("collective")
        .first()
    )
    if event is None:
        raise Http404
    return event


def lineup_for_organiser(*, event: Event) -> list[LineupItem]:
    """The whole line-up in order, with products and shops, each marked ``is_offered``
    (False once its product or shop is no longer public: the viewers do not see it)."""
    offered = Product.objects.published().for_collective(event.collective)
    return list(
        event.lineup.select_related("product__merchant")
        .annotate(is_offered=Q(product__in=offered))
        .order_by("position", "pk")
    )


def lineup_item_for_organiser(*, event: Event, pk: int) -> LineupItem:
    """One line-up row of the event, with its product; 404 if it belongs to another event."""
    try:
        item = event.lineup.select_related("product").get(pk=pk)
    except LineupItem.DoesNotExist:
        raise Http404 from None
    item.event = event
    return item


def lineup_candidates(*, event: Event) -> QuerySet[Product]:
    """Products the organiser may add to the line-up: published by active member shops of
    the collective and not in it yet."""
    return (
        Product.objects.published()
        .for_collective(event.collective)
        .exclude(pk__in=event.lineup.values("product_id"))
        .select_related("merchant")
    )


def lineup_candidates_matching(
    *, event: Event, search: str = "", limit: int = CANDIDATES_SHOWN
) -> list[Product]:
    """The candidates whose title or shop name contains ``search`` (whatever the case and
    accents: « creme » finds « Crème »), by shop then title, at most ``limit``."""
    queryset = lineup_candidates(event=event)
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(title__unaccent__icontains=search) | Q(merchant__name__unaccent__icontains=search)
        )
    return list(queryset.order_by("merchant__name", "title", "pk")[:limit])

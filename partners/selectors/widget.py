"""Reads of the embeddable widget (/widget/…): what a partner site shows of a collective.

The widget is public and shared: one rendering is cached and served to every visitor of the
partner's page, so nothing here depends on who asks. Every selector takes the collective (the
tenant) and reads only what an anonymous visitor may see — an active collective, published
products of its active member shops, published (and cancelled) events, selections visible
now — never a preview, even for the collective's own organisers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from catalog.models import Product, ProductImage
from collectives.models import (
    Collective,
    Event,
    EventOccurrence,
    EventPhoto,
    Selection,
    SelectionItem,
)
from collectives.selectors import member_shops
from collectives.selectors.events import upcoming_events_for_collective_page
from merchants.hours import OpeningState, opening_state
from merchants.models import Merchant

# The public: the widget never shows what only an organiser or a shop's team may preview.
_PUBLIC = AnonymousUser()


def widget_collective(*, slug: str) -> Collective:
    """The active collective ``slug``, or 404 (drafts and suspended collectives are not
    shown on partner sites)."""
    collective = Collective.objects.active().filter(slug=slug).first()
    if collective is None:
        raise Http404
    return collective


def _first_photo() -> Prefetch:
    """A product's first processed photo only, as ``product.widget_photos`` (0 or 1): a
    sliced prefetch, limited per product by a window function — one query for the page."""
    photos = ProductImage.objects.filter(status=ProductImage.Status.READY).order_by(
        "position", "pk"
    )
    return Prefetch("images", queryset=photos[:1], to_attr="widget_photos")


def _shown_products(collective: Collective) -> QuerySet[Product]:
    """Products a partner site may show: published, by the collective's active members."""
    return (
        Product.objects.published()
        .for_collective(collective)
        .select_related("merchant")
        .prefetch_related(_first_photo())
    )


def widget_selection(*, collective: Collective, slug: str) -> Selection | None:
    """The collective's selection ``slug`` if the public sees it now (published, inside its
    window), else None: a selection that ended leaves the partner's page showing the latest
    products rather than an error."""
    if not slug:
        return None
    selection = Selection.objects.visible().filter(collective=collective, slug=slug).first()
    if selection is not None:
        selection.collective = collective  # for its URL, without a second fetch
    return selection


def widget_products(
    *, collective: Collective, limit: int, selection: Selection | None = None
) -> list[Product]:
    """The products of the widget, each with its shop and first photo (two queries): the
    selection's shown products in the organisers' order, or the collective's newest."""
    queryset = _shown_products(collective)
    if selection is not None:
        queryset = queryset.filter(
            selection_items__selection=selection,
            selection_items__status=SelectionItem.Status.ACCEPTED,
        ).order_by("selection_items__position", "pk")
    else:
        queryset = queryset.order_by("-published_at", "-pk")
    return list(queryset[:limit])


def widget_events(
    *, collective: Collective, limit: int, now: dt.datetime | None = None
) -> list[EventOccurrence]:
    """The collective's next ``limit`` events, each by its next date that is not cancelled,
    with the event and its cover (two queries) — as the collective's own page lists them."""
    return upcoming_events_for_collective_page(
        collective=collective, actor=_PUBLIC, limit=limit, now=now
    )


@dataclass(frozen=True)
class WidgetShop:
    """A member shop as the widget lists it: whether it is open now (None: no hours)."""

    shop: Merchant
    opening: OpeningState | None


def widget_shops(
    *, collective: Collective, limit: int, now: dt.datetime | None = None
) -> list[WidgetShop]:
    """The first ``limit`` member shops by name, with their opening state at ``now`` (three
    queries: shops, weekly hours, closures)."""
    now = now or timezone.now()
    return [
        WidgetShop(
            shop=shop,
            opening=opening_state(shop.opening_hours.all(), shop.closures.all(), now=now),
        )
        for shop in member_shops(collective=collective)[:limit]
    ]


def widget_event(*, collective: Collective, event_slug: str) -> Event:
    """A published or cancelled event of the collective with its processed cover
    (``event.widget_covers``, 0 or 1), or 404 — drafts never reach a partner site."""
    covers = EventPhoto.objects.filter(position=0, status=EventPhoto.Status.READY)
    event = (
        Event.objects.published()
        .filter(collective=collective, slug=event_slug)
        .prefetch_related(Prefetch("photos", queryset=covers, to_attr="widget_covers"))
        .first()
    )
    if event is None:
        raise Http404
    event.collective = collective
    return event


def widget_event_dates(
    *, event: Event, limit: int, now: dt.datetime | None = None
) -> list[EventOccurrence]:
    """The event's first ``limit`` dates not over yet, cancelled ones included (shown as
    such, so nobody comes for nothing); one query."""
    dates = list(
        EventOccurrence.objects.filter(event=event)
        .upcoming(now)
        .order_by("starts_at", "pk")[:limit]
    )
    for occurrence in dates:
        occurrence.event = event
    return dates


def widget_selections(*, collective: Collective) -> list[Selection]:
    """The selections an organiser may put in the widget: those the public sees now."""
    return list(
        Selection.objects.visible()
        .filter(collective=collective)
        .only("pk", "slug", "title")
        .order_by("title", "pk")
    )


@dataclass(frozen=True)
class CollectiveWidget:
    """Everything a collective's widget shows; a section not asked for stays empty."""

    collective: Collective
    sections: tuple[str, ...]
    selection: Selection | None
    products: list[Product]
    events: list[EventOccurrence]
    shops: list[WidgetShop]


def collective_widget(
    *,
    collective: Collective,
    sections: tuple[str, ...],
    limit: int,
    selection_slug: str = "",
    now: dt.datetime | None = None,
) -> CollectiveWidget:
    """The sections asked for (``products``, ``events``, ``shops``), ``limit`` items each.
    At most eight queries after the collective's, whatever the numbers of rows: products two
    (three with a selection), events two, shops three."""
    selection = None
    products: list[Product] = []
    if "products" in sections:
        selection = widget_selection(collective=collective, slug=selection_slug)
        products = widget_products(collective=collective, limit=limit, selection=selection)
    return CollectiveWidget(
        collective=collective,
        sections=sections,
        selection=selection,
        products=products,
        events=(
            widget_events(collective=collective, limit=limit, now=now)
            if "events" in sections
            else []
        ),
        shops=(
            widget_shops(collective=collective, limit=limit, now=now) if "shops" in sections else []
        ),
    )

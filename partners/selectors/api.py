"""Reads of the partner API (/api/v1/…), scoped to the caller and prefetched for the
serializers of :mod:`partners.api.serializers` (a constant number of queries per page).

What is readable: active collectives; the active shops that are active members of them; the
published products of those shops; the published and cancelled events of those collectives
(cancelled ones stay, flagged, so a partner's site can say so); the published stories of
those shops. A caller's :class:`ReadScope` narrows it to one collective (a collective's
partner key): anything else is a 404, exactly as if it did not exist.

A shop page (``/merchants/{slug}/``) and its products are readable by anonymous callers and
platform keys whenever the shop is active, as on the public site; a collective's key reads
only the shops that are active members of its collective.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from catalog.models import Category, Product, ProductImage
from catalog.search import ProductFilters, product_search
from collectives.models import Collective, Event, EventOccurrence, EventPhoto, Membership
from merchants.models import Closure, Merchant, OpeningHours, Story, StoryImage


@dataclass(frozen=True)
class ReadScope:
    """What a caller reads: every active collective (anonymous callers, platform keys), or
    only the collective ``collective_id`` (a collective's key)."""

    collective_id: int | None = None

    def collectives(self) -> QuerySet[Collective]:
        queryset = Collective.objects.active()
        if self.collective_id is not None:
            queryset = queryset.filter(pk=self.collective_id)
        return queryset


def _active_members() -> QuerySet[Membership]:
    return Membership.objects.filter(
        status=Membership.Status.ACTIVE, collective__status=Collective.Status.ACTIVE
    )


# --- Collectives -----------------------------------------------------------------------------


def api_collectives(*, scope: ReadScope) -> QuerySet[Collective]:
    """The active collectives the caller reads, with their number of active member shops."""
    return scope.collectives().annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__status=Membership.Status.ACTIVE)
            & Q(memberships__merchant__status=Merchant.Status.ACTIVE),
        )
    )


def api_collective(*, scope: ReadScope, slug: str) -> Collective:
    """One active collective the caller reads, with its member count; 404 otherwise."""
    collective = api_collectives(scope=scope).filter(slug=slug).first()
    if collective is None:
        raise Http404
    return collective


def api_collective_only(*, scope: ReadScope, slug: str) -> Collective:
    """The collective a nested list belongs to (its merchants, products…); 404 unless the
    caller reads it. One query, no annotation."""
    collective = scope.collectives().filter(slug=slug).first()
    if collective is None:
        raise Http404
    return collective


# --- Shops -----------------------------------------------------------------------------------


def _with_hours(queryset: QuerySet[Merchant], *, today: dt.date) -> QuerySet[Merchant]:
    return queryset.prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
        Prefetch(
            "closures",
            queryset=Closure.objects.filter(ends_on__gte=today).order_by("starts_on", "pk"),
        ),
    )


def api_member_shops(*, collective: Collective) -> QuerySet[Merchant]:
    """The collective's active member shops, with their weekly hours and closures to come
    (three queries for a page)."""
    members = Membership.objects.filter(collective=collective, status=Membership.Status.ACTIVE)
    return _with_hours(
        Merchant.objects.active().filter(pk__in=members.values("merchant_id")),
        today=timezone.localdate(),
    )


def _readable_shops(scope: ReadScope) -> QuerySet[Merchant]:
    shops = Merchant.objects.active()
    if scope.collective_id is not None:
        members = _active_members().filter(collective_id=scope.collective_id)
        shops = shops.filter(pk__in=members.values("merchant_id"))
    return shops


def api_merchant(*, scope: ReadScope, slug: str) -> Merchant:
    """One active shop the caller reads, with its hours, closures to come and the active
    collectives it belongs to (``merchant.api_collectives``); 404 otherwise."""
    merchant = (
        _with_hours(_readable_shops(scope), today=timezone.localdate())
        .prefetch_related(
            Prefetch(
                "collective_memberships",
                queryset=_active_members()
                .select_related("collective")
                .order_by("collective__name", "pk"),
                to_attr="api_memberships",
            )
        )
        .filter(slug=slug)
        .first()
    )
    if merchant is None:
        raise Http404
    memberships: list[Membership] = getattr(merchant, "api_memberships", [])
    merchant.api_collectives = [m.collective for m in memberships]  # type: ignore[attr-defined]
    return merchant


def api_merchant_only(*, scope: ReadScope, slug: str) -> Merchant:
    """The shop a product list belongs to; 404 unless the caller reads it. One query."""
    merchant = _readable_shops(scope).filter(slug=slug).first()
    if merchant is None:
        raise Http404
    return merchant


# --- Products --------------------------------------------------------------------------------


def _product_rows(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Products as the serializer writes them: shop, category and its parent, and their
    processed photos in order (two queries for a page)."""
    return queryset.select_related("merchant", "category", "category__parent").prefetch_related(
        Prefetch(
            "images",
            queryset=ProductImage.objects.filter(status=ProductImage.Status.READY).order_by(
                "position", "pk"
            ),
            to_attr="ready_images",
        )
    )


def api_collective_catalog(*, collective: Collective) -> QuerySet[Product]:
    """Every published product of the collective's active member shops (the search scope)."""
    return Product.objects.published().for_collective(collective)


def api_shop_catalog(*, merchant: Merchant) -> QuerySet[Product]:
    """Every published product of an active shop (the search scope)."""
    return merchant.products.published()


def api_catalog_shop(*, catalog: QuerySet[Product], slug: str) -> Merchant | None:
    """The shop ``slug`` if it has a place in ``catalog`` (a filter value), else None."""
    return (
        Merchant.objects.active()
        .filter(slug=slug)
        .filter(Exists(catalog.filter(merchant_id=OuterRef("pk"))))
        .first()
    )


def api_category(*, slug: str) -> Category | None:
    return Category.objects.filter(slug=slug).first()


@dataclass(frozen=True)
class ProductQuery:
    """What a caller asks of a product list: the search and filters of the shared catalog
    (:class:`catalog.search.ProductFilters`), plus ``in_stock=False`` (sold out only) and
    ``updated_since`` (changed at or after that time)."""

    filters: ProductFilters
    out_of_stock: bool = False
    updated_since: dt.datetime | None = None

    @property
    def searching(self) -> bool:
        return bool(self.filters.query)


def api_products(*, catalog: QuerySet[Product], query: ProductQuery) -> QuerySet[Product]:
    """``catalog`` searched and filtered by ``query`` (the French search of catalog.search:
    stemming, accents, near spellings), each product with ``search_rank`` when searching.
    The order is the pagination's (by relevance when searching, else newest first)."""
    search = product_search(
        catalog, query.filters, orders={"recent": ("-published_at", "-pk")}, default="recent"
    )
    products = search.products
    if query.out_of_stock:
        products = products.filter(stock=0)
    if query.updated_since is not None:
        products = products.filter(updated_at__gte=query.updated_since)
    return _product_rows(products)


def api_product(*, scope: ReadScope, pk: int) -> Product:
    """One published product of a shop the caller reads; 404 otherwise."""
    product = (
        _product_rows(Product.objects.published().defer("search_vector"))
        .filter(pk=pk, merchant__in=_readable_shops(scope))
        .first()
    )
    if product is None:
        raise Http404
    return product


# --- Events ----------------------------------------------------------------------------------

# How far a list of events reaches (dates are materialised 366 days ahead).
DEFAULT_EVENT_SPAN = dt.timedelta(days=366)
MAX_EVENT_SPAN = dt.timedelta(days=400)


@dataclass(frozen=True)
class DateRange:
    """Dates that overlap [start, end): a date still going on at ``start`` counts."""

    start: dt.datetime
    end: dt.datetime

    def occurrences(self) -> QuerySet[EventOccurrence]:
        return EventOccurrence.objects.filter(ends_at__gt=self.start, starts_at__lt=self.end)


def default_date_range(
    start: dt.datetime | None = None, end: dt.datetime | None = None
) -> DateRange:
    """``start`` now unless given; ``end`` :data:`DEFAULT_EVENT_SPAN` after it unless given."""
    start = start or timezone.now()
    return DateRange(start=start, end=end or start + DEFAULT_EVENT_SPAN)


def _event_rows(queryset: QuerySet[Event], dates: DateRange) -> QuerySet[Event]:
    """Events with their cover (``event.cover_photos``) and their dates in ``dates``
    (``event.dates_in_range``, soonest first): two queries for a page."""
    return queryset.prefetch_related(
        Prefetch(
            "photos",
            queryset=EventPhoto.objects.filter(position=0, status=EventPhoto.Status.READY),
            to_attr="cover_photos",
        ),
        Prefetch(
            "occurrences",
            queryset=dates.occurrences().order_by("starts_at", "pk"),
            to_attr="dates_in_range",
        ),
    )


def api_events(*, collective: Collective, dates: DateRange, kind: str = "") -> QuerySet[Event]:
    """The collective's published and cancelled events with at least one date in ``dates``,
    annotated with ``first_date`` (their first date in range: the list's order), with
    their dates in range and cover. ``kind`` keeps one kind of event."""
    first_date = (
        dates.occurrences()
        .filter(event_id=OuterRef("pk"))
        .order_by("starts_at", "pk")
        .values("starts_at")[:1]
    )
    queryset = (
        Event.objects.published()
        .filter(collective=collective)
        .annotate(first_date=Subquery(first_date))
        .filter(first_date__isnull=False)
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    return _event_rows(queryset, dates)


def api_event(*, scope: ReadScope, pk: int, dates: DateRange) -> Event:
    """One published or cancelled event of a collective the caller reads, with its dates in
    ``dates`` and its cover; 404 otherwise."""
    event = (
        _event_rows(Event.objects.published(), dates)
        .select_related("collective")
        .filter(pk=pk, collective__in=scope.collectives())
        .first()
    )
    if event is None:
        raise Http404
    return event


# --- Stories ---------------------------------------------------------------------------------


def api_stories(*, collective: Collective) -> QuerySet[Story]:
    """Published stories of the collective's active member shops, with their shop, their
    processed photos and the published products they tell about (three queries a page)."""
    members = Membership.objects.filter(collective=collective, status=Membership.Status.ACTIVE)
    return (
        Story.objects.published()
        .filter(merchant_id__in=members.values("merchant_id"))
        .select_related("merchant")
        .prefetch_related(
            Prefetch(
                "images",
                queryset=StoryImage.objects.filter(status=StoryImage.Status.READY).order_by(
                    "position", "pk"
                ),
                to_attr="ready_images",
            ),
            Prefetch(
                "products",
                queryset=Product.objects.published()
                .defer("search_vector")
                .select_related("merchant")
                .order_by("title", "pk"),
                to_attr="published_products",
            ),
        )
    )

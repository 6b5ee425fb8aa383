"""Reads of group buys: the public list and page, a customer's pledge, the shop's and the
organisers' lists, the choices of the opening form, and the progress toward the tiers.

The public sees group buys on published products of active shops — open ones in the list,
any state on a group buy's own page (a closed one shows its outcome)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.permissions import Actor
from catalog.models import Product, ProductImage
from collectives.models import Collective, Event, EventOccurrence, EventParticipation
from merchants.models import Merchant
from orders.models import GroupBuy, GroupBuyTier, Pledge
from orders.services.group_buys import discounted_price

# How far ahead the opening form offers event dates for the pickup.
PICKUP_DATES_DAYS = 120
PICKUP_DATES_LIMIT = 60


# --- Progress ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierRow:
    """A tier as the page shows it: its price per unit, whether it is reached, and whether it
    is the next one to reach."""

    tier: GroupBuyTier
    price: Decimal
    reached: bool
    is_next: bool


@dataclass(frozen=True)
class Progress:
    """Where the pledges stand: « 23 / 30 — 7 more for −20 % »."""

    pledged: int
    max_quantity: int | None
    rows: list[TierRow]
    current: GroupBuyTier | None  # the highest tier reached
    next: GroupBuyTier | None  # the next tier to reach

    @property
    def target(self) -> int:
        """What the bar counts toward: the next tier, else the maximum, else the last tier."""
        if self.next is not None:
            return self.next.min_quantity
        if self.max_quantity is not None:
            return self.max_quantity
        return self.current.min_quantity if self.current else max(self.pledged, 1)

    @property
    def missing(self) -> int:
        """Units still needed for the next tier (0 once every tier is reached)."""
        return self.next.min_quantity - self.pledged if self.next else 0

    @property
    def units_left(self) -> int | None:
        """Units that can still be pledged (None: no maximum)."""
        if self.max_quantity is None:
            return None
        return max(self.max_quantity - self.pledged, 0)

    @property
    def bar_value(self) -> int:
        return min(self.pledged, self.target)


def group_buy_progress(group_buy: GroupBuy) -> Progress:
    """The progress of a group buy, from its prefetched tiers (no query when the selectors
    below fetched it)."""
    tiers = sorted(group_buy.tiers.all(), key=lambda t: t.min_quantity)
    pledged = group_buy.pledged_quantity
    reached = [t for t in tiers if t.min_quantity <= pledged]
    upcoming = [t for t in tiers if t.min_quantity > pledged]
    current = reached[-1] if reached else None
    following = upcoming[0] if upcoming else None
    return Progress(
        pledged=pledged,
        max_quantity=group_buy.max_quantity,
        rows=[
            TierRow(
                tier=t,
                price=discounted_price(group_buy.unit_price, t.discount),
                reached=t.min_quantity <= pledged,
                is_next=t == following,
            )
            for t in tiers
        ],
        current=current,
        next=following,
    )


# --- Public --------------------------------------------------------------------------------


def _public() -> QuerySet[GroupBuy]:
    return GroupBuy.objects.filter(
        product__status=Product.Status.PUBLISHED, merchant__status=Merchant.Status.ACTIVE
    )


def _for_cards(queryset: QuerySet[GroupBuy]) -> QuerySet[GroupBuy]:
    """What a group buy's card and page show: product (and its photos), shop, collective,
    pickup date, tiers."""
    return queryset.select_related(
        "product__merchant", "merchant", "collective", "pickup_occurrence__event"
    ).prefetch_related(
        Prefetch("tiers", queryset=GroupBuyTier.objects.order_by("min_quantity")),
        Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "pk")),
    )


def open_group_buys(
    *, actor: Actor, collective: Collective | None = None, now: dt.datetime | None = None
) -> QuerySet[GroupBuy]:
    """Group buys open to pledges now, the soonest deadline first; with ``collective``, those
    of its active member shops."""
    queryset = _public().filter(status=GroupBuy.Status.OPEN, deadline__gt=now or timezone.now())
    if collective is not None:
        queryset = queryset.filter(
            merchant__collective_memberships__collective=collective,
            merchant__collective_memberships__status="active",
        )
    return _for_cards(queryset).order_by("deadline", "pk")


def collectives_with_open_group_buys(*, now: dt.datetime | None = None) -> QuerySet[Collective]:
    """Active collectives whose member shops have a group buy open: the list's filter."""
    open_ids = _public().filter(status=GroupBuy.Status.OPEN, deadline__gt=now or timezone.now())
    return (
        Collective.objects.filter(
            status=Collective.Status.ACTIVE,
            memberships__status="active",
            memberships__merchant__group_buys__in=open_ids,
        )
        .distinct()
        .order_by("name")
    )


def group_buy_for_public_page(*, actor: Actor, group_buy_id: int) -> GroupBuy:
    """A group buy on a published product of an active shop, in any state (404 otherwise)."""
    return get_object_or_404(_for_cards(_public()), pk=group_buy_id)


def actor_pledges(*, actor: Actor, group_buy_ids: list[int]) -> dict[int, Pledge]:
    """The visitor's active pledges on these group buys, by group buy (one query)."""
    if not actor.is_authenticated or not group_buy_ids:
        return {}
    pledges = Pledge.objects.filter(
        customer=actor, group_buy_id__in=group_buy_ids, status=Pledge.Status.ACTIVE
    )
    return {pledge.group_buy_id: pledge for pledge in pledges}


def actor_pledge(*, actor: Actor, group_buy: GroupBuy) -> Pledge | None:
    """The visitor's pledge on a group buy: the active one, else the latest (withdrawn,
    turned into a reservation, released), with its reservation."""
    if not actor.is_authenticated:
        return None
    pledges = list(
        Pledge.objects.filter(customer=actor, group_buy=group_buy)
        .select_related("reservation")
        .order_by("-created_at", "-pk")
    )
    active = [p for p in pledges if p.status == Pledge.Status.ACTIVE]
    chosen = active or pledges
    return chosen[0] if chosen else None


def actor_active_pledge(*, actor: Actor, group_buy: GroupBuy) -> Pledge:
    """The visitor's active pledge on a group buy (404 without one)."""
    return get_object_or_404(
        Pledge, customer_id=actor.pk, group_buy=group_buy, status=Pledge.Status.ACTIVE
    )


# --- The shop's and the organisers' lists --------------------------------------------------


def _for_lists(queryset: QuerySet[GroupBuy]) -> QuerySet[GroupBuy]:
    return (
        queryset.select_related(
            "product__merchant", "merchant", "collective", "pickup_occurrence__event"
        )
        .prefetch_related(Prefetch("tiers", queryset=GroupBuyTier.objects.order_by("min_quantity")))
        .annotate(
            pledger_count=Count(
                "pledges",
                filter=Q(pledges__status__in=[Pledge.Status.ACTIVE, Pledge.Status.CONFIRMED]),
            )
        )
        # Open ones first, then the closed ones; the latest deadline first in each.
        .order_by(
            ExpressionWrapper(Q(status=GroupBuy.Status.OPEN), output_field=BooleanField()).desc(),
            "-deadline",
            "-pk",
        )
    )


def shop_group_buys(*, merchant: Merchant) -> QuerySet[GroupBuy]:
    """Every group buy on the shop's products, whoever opened it."""
    return _for_lists(GroupBuy.objects.filter(merchant=merchant))


def shop_group_buy(*, merchant: Merchant, group_buy_id: int) -> GroupBuy:
    return get_object_or_404(shop_group_buys(merchant=merchant), pk=group_buy_id)


def organiser_group_buys(*, collective: Collective) -> QuerySet[GroupBuy]:
    """The group buys opened for the collective."""
    return _for_lists(GroupBuy.objects.filter(collective=collective))


def organiser_group_buy(*, collective: Collective, group_buy_id: int) -> GroupBuy:
    return get_object_or_404(organiser_group_buys(collective=collective), pk=group_buy_id)


# --- The opening form's choices ------------------------------------------------------------


def group_buy_products(
    *, merchant: Merchant | None = None, collective: Collective | None = None
) -> QuerySet[Product]:
    """Products a group buy can be opened on: the shop's published ones, or those of the
    collective's active member shops."""
    queryset = Product.objects.published()
    if merchant is not None:
        queryset = queryset.for_merchant(merchant)
    if collective is not None:
        queryset = queryset.for_collective(collective)
    return queryset.select_related("merchant").order_by("merchant__name", "title", "pk")


def pickup_dates(
    *,
    merchant: Merchant | None = None,
    collective: Collective | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[EventOccurrence]:
    """Event dates to come where the goods may be handed over: those of events the shop takes
    part in, or the collective's (the service checks the shop takes part)."""
    now = now or timezone.now()
    queryset = EventOccurrence.objects.filter(
        status=EventOccurrence.Status.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(days=PICKUP_DATES_DAYS),
        event__status=Event.Status.PUBLISHED,
        event__collective__status=Collective.Status.ACTIVE,
    )
    if merchant is not None:
        queryset = queryset.filter(
            event__participations__merchant=merchant,
            event__participations__status=EventParticipation.Status.ACCEPTED,
        )
    if collective is not None:
        queryset = queryset.filter(event__collective=collective)
    return queryset.select_related("event__collective").order_by("starts_at", "pk")[
        :PICKUP_DATES_LIMIT
    ]

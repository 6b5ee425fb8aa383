"""Reads behind follows: the « Suivre » button's state, a person's follows, and « Mon fil ».

What « Mon fil » shows, newest first by the time each thing was made public (no ranking by
popularity or engagement — the order is the calendar's):

- of a followed **shop**: its newly published products and its stories;
- of a followed **collective**: its events (cancelled ones stay, marked as such, so people
  who planned to come learn it), its selections visible now, and the new products of its
  active member shops — the collective's shared catalog as it grows. Members' stories are
  left to the shops one follows: a collective of thirty shops would otherwise drown the
  feed in stories from shops the person never chose.

Only what the public sees comes in: published things of active shops and active
collectives, whatever the person follows. A product reached both through a followed shop
and through a followed collective is shown once (one query per kind, so no duplicates by
construction); it says which shop it comes from, and through which collective when the
shop itself is not followed.

A selection has no publication date of its own: it is dated by the start of its
visibility window, or by its creation when it has none.

The feed is built without a UNION and with a constant number of queries: for each kind, the
newest ``page_size + 1`` items older than the cursor (one ``LIMIT`` query each), merged and
cut in Python, then the cards' photos, covers and next dates are fetched for the kept items
only (one query each). A page of the feed therefore costs the same whether the person
follows 3 things or 300.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.permissions import Actor
from catalog.models import Product, ProductImage
from collectives.models import (
    Collective,
    Event,
    EventOccurrence,
    EventPhoto,
    Follow,
    Membership,
    Selection,
    SelectionPhoto,
)
from merchants.models import Merchant, Story, StoryImage
from merchants.story_text import story_excerpt

FEED_PAGE_SIZE = 30
# How many collectives the empty feed suggests following.
SUGGESTED_COLLECTIVES = 6

# The kinds of things in the feed. At the very same instant, the higher rank comes first;
# with the timestamp and the primary key it makes the feed's order total, so a cursor never
# skips or repeats an item.
PRODUCT, STORY, EVENT, SELECTION = "product", "story", "event", "selection"
_RANK = {SELECTION: 0, EVENT: 1, STORY: 2, PRODUCT: 3}
_KIND_OF_RANK = {rank: kind for kind, rank in _RANK.items()}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


# --- The « Suivre » button -----------------------------------------------------------------


def is_following_shop(*, actor: Actor, merchant: Merchant) -> bool:
    """Whether the actor follows ``merchant``: one query for a logged-in person, none for a
    visitor."""
    if not actor.is_authenticated:
        return False
    return Follow.objects.filter(user=actor, merchant=merchant).exists()


def is_following_collective(*, actor: Actor, collective: Collective) -> bool:
    """Whether the actor follows ``collective``: one query for a logged-in person, none for
    a visitor."""
    if not actor.is_authenticated:
        return False
    return Follow.objects.filter(user=actor, collective=collective).exists()


def shop_to_follow(*, actor: Actor, slug: str) -> Merchant | None:
    """The shop a follow button points at: an active shop, or one the actor follows (so a
    shop that has since closed can still be unfollowed). None otherwise — the view answers
    404 without telling whether such a shop exists."""
    queryset = Merchant.objects.filter(slug=slug)
    if actor.is_authenticated:
        queryset = queryset.filter(
            Q(status=Merchant.Status.ACTIVE) | Q(followers__user=actor)
        ).distinct()
    else:
        queryset = queryset.filter(status=Merchant.Status.ACTIVE)
    return queryset.first()


def collective_to_follow(*, actor: Actor, slug: str) -> Collective | None:
    """The collective a follow button points at: an active collective, or one the actor
    follows. None otherwise."""
    queryset = Collective.objects.filter(slug=slug)
    if actor.is_authenticated:
        queryset = queryset.filter(
            Q(status=Collective.Status.ACTIVE) | Q(followers__user=actor)
        ).distinct()
    else:
        queryset = queryset.filter(status=Collective.Status.ACTIVE)
    return queryset.first()


# --- « Mes abonnements » -------------------------------------------------------------------


def follows_of(*, user: Actor) -> QuerySet[Follow]:
    """Everything ``user`` follows, newest first, each with its shop or collective (one
    query). Shops and collectives no longer public are included — their ``status`` says so
    — so the person can still unfollow them."""
    if not user.is_authenticated:
        return Follow.objects.none()
    return (
        Follow.objects.filter(user=user)
        .select_related("merchant", "collective")
        .order_by("-created_at", "-pk")
    )


def collectives_to_follow(*, actor: Actor, limit: int = SUGGESTED_COLLECTIVES) -> list[Collective]:
    """Active collectives the actor does not follow yet, with their number of active member
    shops (``member_count``), the largest first: what the empty feed suggests."""
    queryset = Collective.objects.active()
    if actor.is_authenticated:
        queryset = queryset.exclude(followers__user=actor)
    return list(
        queryset.annotate(
            member_count=Count(
                "memberships",
                filter=Q(memberships__status=Membership.Status.ACTIVE)
                & Q(memberships__merchant__status=Merchant.Status.ACTIVE),
            )
        ).order_by("-member_count", "name", "pk")[:limit]
    )


# --- « Mon fil » ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedCursor:
    """Where a page of the feed stops: items strictly older than this one come next."""

    at: dt.datetime
    rank: int
    pk: int

    def encode(self) -> str:
        """For the « older » link's query string: digits and dots only."""
        return f"{(self.at - _EPOCH) // _MICROSECOND}.{self.rank}.{self.pk}"

    @classmethod
    def decode(cls, value: str) -> FeedCursor | None:
        """The cursor of a link, or None for anything else (a mangled link shows the newest
        page rather than an error)."""
        try:
            micros, rank, pk = (int(part) for part in value.split("."))
            at = _EPOCH + micros * _MICROSECOND
        except (ValueError, OverflowError):
            return None
        if rank not in _KIND_OF_RANK or pk < 1:
            return None
        return cls(at=at, rank=rank, pk=pk)


@dataclass(frozen=True)
class FeedItem:
    """One thing in the feed: its ``kind`` (``product``, ``story``, ``event``,
    ``selection``), when it was made public, the object with what its card needs, the
    collective it came through (a product of a member shop the person does not follow
    themselves) and, for a story, a plain excerpt."""

    kind: str
    at: dt.datetime
    obj: Any
    via: Collective | None = None
    excerpt: str = ""

    @property
    def cursor(self) -> FeedCursor:
        return FeedCursor(at=self.at, rank=_RANK[self.kind], pk=self.obj.pk)

    @property
    def sort_key(self) -> tuple[dt.datetime, int, int]:
        return (self.at, _RANK[self.kind], self.obj.pk)


@dataclass(frozen=True)
class Feed:
    """A page of « Mon fil »: its items newest first, the cursor of the next (older) page or
    ``""``, and whether the person follows anything at all (the empty state differs)."""

    items: list[FeedItem]
    older: str
    follows_anything: bool


def _older_than(cursor: FeedCursor | None, kind: str) -> Q:
    """Items of ``kind`` after ``cursor`` in the feed's order (time, rank, pk, descending),
    on the ``feed_at`` annotation every kind's query carries."""
    if cursor is None:
        return Q()
    rank = _RANK[kind]
    older = Q(feed_at__lt=cursor.at)
    if rank < cursor.rank:
        return older | Q(feed_at=cursor.at)
    if rank == cursor.rank:
        return older | Q(feed_at=cursor.at, pk__lt=cursor.pk)
    return older


def _newest(queryset: QuerySet[Any], kind: str, cursor: FeedCursor | None, limit: int) -> list[Any]:
    return list(queryset.filter(_older_than(cursor, kind)).order_by("-feed_at", "-pk")[:limit])


def feed_for(*, actor: Actor, older_than: str = "", page_size: int = FEED_PAGE_SIZE) -> Feed:
    """A page of the actor's « Mon fil »: ``page_size`` items newest first, older than the
    cursor ``older_than`` (from the previous page's ``older``; empty for the newest page).

    At most ten queries whatever the number of follows and items: the follows, one per kind,
    then the products' photos, the stories' photos, the events' covers and next dates, the
    selections' covers (only for kinds present on the page)."""
    if not actor.is_authenticated:
        return Feed(items=[], older="", follows_anything=False)
    follows = list(Follow.objects.filter(user=actor).select_related("collective"))
    shop_ids = {f.merchant_id for f in follows if f.merchant_id is not None}
    collectives = {
        f.collective.pk: f.collective
        for f in follows
        if f.collective is not None and f.collective.status == Collective.Status.ACTIVE
    }
    cursor = FeedCursor.decode(older_than)
    limit = page_size + 1  # one more than shown says whether there is an older page
    items: list[FeedItem] = []
    if shop_ids or collectives:
        items += _product_items(shop_ids, collectives, cursor, limit)
    if shop_ids:
        items += _story_items(shop_ids, cursor, limit)
    if collectives:
        items += _event_items(collectives, cursor, limit)
        items += _selection_items(collectives, cursor, limit)
    page = heapq.nlargest(limit, items, key=lambda item: item.sort_key)
    older = page[page_size - 1].cursor.encode() if len(page) > page_size else ""
    # Excerpts (Markdown rendered to plain text) only for the stories kept on the page.
    page = [
        replace(item, excerpt=story_excerpt(item.obj.body, words=25))
        if item.kind == STORY
        else item
        for item in page[:page_size]
    ]
    _load_cards(page)
    return Feed(items=page, older=older, follows_anything=bool(follows))


def _product_items(
    shop_ids: set[int],
    collectives: dict[int, Collective],
    cursor: FeedCursor | None,
    limit: int,
) -> list[FeedItem]:
    members = Membership.objects.filter(
        status=Membership.Status.ACTIVE, collective_id__in=list(collectives)
    ).values("merchant_id")
    queryset = (
        Product.objects.published()
        .filter(Q(merchant_id__in=shop_ids) | Q(merchant_id__in=members))
        .annotate(feed_at=F("published_at"))
        .select_related("merchant")
    )
    if collectives:
        # The (first) followed collective the shop is a member of: said on the card when
        # the person does not follow the shop itself.
        queryset = queryset.annotate(
            via_collective_id=Subquery(
                Membership.objects.filter(
                    merchant_id=OuterRef("merchant_id"),
                    status=Membership.Status.ACTIVE,
                    collective_id__in=list(collectives),
                )
                .order_by("collective_id")
                .values("collective_id")[:1]
            )
        )
    items = []
    for product in _newest(queryset, PRODUCT, cursor, limit):
        via = None
        if product.merchant_id not in shop_ids:
            via = collectives.get(product.via_collective_id)
        items.append(FeedItem(kind=PRODUCT, at=product.feed_at, obj=product, via=via))
    return items


def _story_items(shop_ids: set[int], cursor: FeedCursor | None, limit: int) -> list[FeedItem]:
    queryset = (
        Story.objects.published()
        .filter(merchant_id__in=shop_ids)
        .annotate(feed_at=F("published_at"))
        .select_related("merchant")
    )
    return [
        FeedItem(kind=STORY, at=story.feed_at, obj=story)
        for story in _newest(queryset, STORY, cursor, limit)
    ]


def _event_items(
    collectives: dict[int, Collective], cursor: FeedCursor | None, limit: int
) -> list[FeedItem]:
    queryset = (
        Event.objects.published()
        .filter(collective_id__in=list(collectives))
        .annotate(feed_at=F("published_at"))
    )
    items = []
    for event in _newest(queryset, EVENT, cursor, limit):
        event.collective = collectives[event.collective_id]  # already loaded with the follows
        items.append(FeedItem(kind=EVENT, at=event.feed_at, obj=event))
    return items


def _selection_items(
    collectives: dict[int, Collective], cursor: FeedCursor | None, limit: int
) -> list[FeedItem]:
    queryset = (
        Selection.objects.visible()
        .filter(collective_id__in=list(collectives))
        .annotate(feed_at=Coalesce("visible_from", "created_at", output_field=DateTimeField()))
    )
    items = []
    for selection in _newest(queryset, SELECTION, cursor, limit):
        selection.collective = collectives[selection.collective_id]
        items.append(FeedItem(kind=SELECTION, at=selection.feed_at, obj=selection))
    return items


def _load_cards(page: list[FeedItem]) -> None:
    """Fetch what the cards of the kept items show: one query per kind and relation."""
    by_kind: dict[str, list[Any]] = {PRODUCT: [], STORY: [], EVENT: [], SELECTION: []}
    for item in page:
        by_kind[item.kind].append(item.obj)
    prefetch_related_objects(
        by_kind[PRODUCT],
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
    )
    prefetch_related_objects(
        by_kind[STORY], Prefetch("images", queryset=StoryImage.objects.order_by("position", "pk"))
    )
    prefetch_related_objects(
        by_kind[EVENT],
        # The same attribute as collectives.selectors.events, so event_cover() reads it.
        Prefetch("photos", queryset=EventPhoto.objects.filter(position=0), to_attr="cover_photos"),
        Prefetch(
            "occurrences",
            queryset=EventOccurrence.objects.upcoming(timezone.now())
            .exclude(status=EventOccurrence.Status.CANCELLED)
            .order_by("starts_at", "pk")[:1],
            to_attr="next_dates",
        ),
    )
    prefetch_related_objects(
        by_kind[SELECTION],
        Prefetch(
            "photos",
            queryset=SelectionPhoto.objects.filter(status=SelectionPhoto.Status.READY).order_by(
                "position", "pk"
            ),
            to_attr="covers",
        ),
    )

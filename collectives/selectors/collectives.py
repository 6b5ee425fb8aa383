"""Reads of collectives, their member shops, shared catalog and memberships."""

from dataclasses import dataclass, replace
from typing import Any

from django.contrib.postgres.lookups import Unaccent
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from accounts.permissions import Actor
from catalog.models import Product, ProductImage
from catalog.search import GeoPoint, ProductFilters, ProductSearch, product_search
from collectives.models import Collective, Membership
from merchants.models import Closure, Merchant, OpeningHours, Story, StoryImage, Trade


def collectives_for_home(*, actor: Actor) -> QuerySet[Collective]:
    """Collectives listed on the home page, with their number of active member shops."""
    return (
        Collective.objects.visible_to(actor)
        .annotate(
            member_count=Count(
                "memberships",
                filter=Q(memberships__status=Membership.Status.ACTIVE)
                & Q(memberships__merchant__status=Merchant.Status.ACTIVE),
            )
        )
        .order_by("name")
    )


def collective_for_public_page(*, actor: Actor, slug: str) -> Collective:
    try:
        return Collective.objects.visible_to(actor).get(slug=slug)
    except Collective.DoesNotExist:
        raise Http404 from None


def member_shops(*, collective: Collective) -> QuerySet[Merchant]:
    """The collective's active, public member shops with their weekly hours."""
    return (
        Merchant.objects.active()
        .for_collective(collective)
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            Prefetch(
                "closures", queryset=Closure.objects.filter(ends_on__gte=timezone.localdate())
            ),
        )
        .order_by("name")
    )


# --- The public collective page and its shared catalog ---------------------------------------

# How many of the newest products and stories the collective page shows.
LATEST_PRODUCTS = 8
LATEST_STORIES = 3
# Titles sort as a French reader expects (« Éclair » with the E's), as in catalog.selectors.
_TITLE_KEY = Lower(Unaccent("title"))
# How the shared catalog may be sorted: the value in the URL → the ORDER BY.
CATALOG_SORTS: dict[str, tuple[Any, ...]] = {
    "recent": ("-published_at", "-pk"),
    "prix": ("price", _TITLE_KEY.asc(), "pk"),
    "-prix": ("-price", _TITLE_KEY.asc(), "pk"),
    "titre": (_TITLE_KEY.asc(), "pk"),
}


@dataclass(frozen=True)
class MemberDirectory:
    """The collective's member shops for its page: all of them (the map's data, the JSON-LD,
    the trade filter's choices) and those of the trade asked for (the list)."""

    shops: list[Merchant]
    listed: list[Merchant]
    trades: list[tuple[str, str]]
    trade: str


def member_directory(*, collective: Collective, trade: str = "") -> MemberDirectory:
    """Member shops (with hours and current closures), filtered by ``trade`` if it is one of
    theirs (else not filtered: ``trade`` comes back empty). One fetch of every member shop
    serves the list, the trade choices and the map, so the page's query count does not
    depend on the filter or the number of shops."""
    shops = list(member_shops(collective=collective))
    labels = dict(Trade.choices)
    trades = sorted({(s.trade, str(labels.get(s.trade, s.trade))) for s in shops}, key=_second)
    if not any(value == trade for value, _label in trades):
        trade = ""  # a stale or mistyped link shows every shop rather than none
    listed = [s for s in shops if s.trade == trade] if trade else shops
    return MemberDirectory(shops=shops, listed=listed, trades=trades, trade=trade)


def _second(pair: tuple[str, str]) -> str:
    return pair[1]


def _product_cards(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Products as ``catalog/_product_card.html`` shows them: shop (for the URL) and photos."""
    return queryset.select_related("merchant").prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk"))
    )


def latest_member_products(
    *, collective: Collective, limit: int = LATEST_PRODUCTS
) -> list[Product]:
    """The newest published products of the collective's active member shops."""
    queryset = (
        Product.objects.published().for_collective(collective).order_by("-published_at", "-pk")
    )
    return list(_product_cards(queryset)[:limit])


def latest_member_stories(*, collective: Collective, limit: int = LATEST_STORIES) -> list[Story]:
    """The newest published stories of the collective's active member shops, with their shop
    and photos (two queries)."""
    return list(
        Story.objects.published()
        .filter(merchant__in=Merchant.objects.for_collective(collective))
        .select_related("merchant")
        .prefetch_related(
            Prefetch("images", queryset=StoryImage.objects.order_by("position", "pk"))
        )
        .order_by("-published_at", "-pk")[:limit]
    )


def catalog_shops(*, collective: Collective) -> list[Merchant]:
    """The member shops offered in the shared catalog's « shop » filter."""
    return list(
        Merchant.objects.active()
        .for_collective(collective)
        .only("pk", "slug", "name")
        .order_by("name")
    )


def collective_catalog(
    *, collective: Collective, filters: ProductFilters | None = None, sort: str = ""
) -> ProductSearch:
    """Every published product of the collective's active member shops, searched, filtered
    and sorted (see catalog.search: the query, the filters, the facets, the sorts).

    Products of draft or suspended shops, of members that were suspended or left, and draft
    or archived products never appear. A distance without a point is measured from the
    collective's map centre (ignored if it has none). ``sort`` is a key of
    :data:`CATALOG_SORTS`, « pertinence » or « distance »; empty: relevance when searching,
    else newest first. The products come with their shop and photos.
    """
    filters = filters or ProductFilters()
    if filters.km is not None and filters.near is None:
        centre = None
        if collective.map_latitude is not None and collective.map_longitude is not None:
            centre = GeoPoint(
                latitude=float(collective.map_latitude), longitude=float(collective.map_longitude)
            )
        filters = replace(filters, near=centre, km=filters.km if centre else None)
    search = product_search(
        Product.objects.published().for_collective(collective),
        filters,
        sort=sort,
        orders=CATALOG_SORTS,
        default="recent",
    )
    return replace(search, products=_product_cards(search.products))


def collectives_for_sitemap() -> QuerySet[Collective]:
    return Collective.objects.active().only("slug", "updated_at").order_by("pk")


# --- Organiser space and shops' memberships (issue 4, item 1) ------------------------------

from django.db import models  # noqa: E402

from collectives.models import CollectiveInvitation, Organiser  # noqa: E402
from merchants.invitations import invitation_token_hash  # noqa: E402


def organiser_seat(*, actor: Actor, slug: str) -> Organiser:
    """The actor's organiser row in the collective ``slug``, with the collective; 404 if they
    do not organise it. One query: the organiser space resolves its tenant with it."""
    if not actor.is_authenticated:
        raise Http404
    seat = (
        Organiser.objects.select_related("collective")
        .filter(user=actor, collective__slug=slug)
        .first()
    )
    if seat is None:
        raise Http404
    return seat


def collectives_organised_by(*, actor: Actor) -> QuerySet[Collective]:
    """The collectives the actor organises, with their role and active member count."""
    return (
        Collective.objects.organised_by(actor)
        .annotate(
            role=models.F("organisers__role"),
            member_count=Count(
                "memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)
            ),
        )
        .order_by("name")
    )


def collective_counts(*, collective: Collective) -> dict[str, int]:
    """The organiser's dashboard figures: members, requests waiting, invitations open."""
    counts = collective.memberships.aggregate(
        members=Count("pk", filter=Q(status=Membership.Status.ACTIVE)),
        requests=Count("pk", filter=Q(status=Membership.Status.REQUESTED)),
    )
    counts["invitations"] = CollectiveInvitation.objects.filter(
        collective=collective,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).count()
    return counts


def collective_memberships(*, collective: Collective) -> QuerySet[Membership]:
    """Every shop's membership row of the collective, with the shop (members page)."""
    return collective.memberships.select_related("merchant").order_by("merchant__name")


def collective_open_invitations(*, collective: Collective) -> QuerySet[CollectiveInvitation]:
    """E-mail invitations neither accepted nor withdrawn (expired ones included, to renew)."""
    return (
        CollectiveInvitation.objects.filter(
            collective=collective, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def collective_organisers(*, collective: Collective) -> QuerySet[Organiser]:
    return (
        Organiser.objects.filter(collective=collective)
        .select_related("user")
        .order_by("-role", "user__email")
    )


def collective_invitation_for_token(*, token: str) -> CollectiveInvitation | None:
    """The invitation an e-mailed link points to, with its collective, or None. The link is
    the credential: whoever holds it may see which collective it is for."""
    return (
        CollectiveInvitation.objects.select_related("collective", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def owned_shops(*, actor: Actor) -> QuerySet[Merchant]:
    """The shops the actor owns (those they may commit to a collective)."""
    if not actor.is_authenticated:
        return Merchant.objects.none()
    return Merchant.objects.filter(members__user=actor, members__role="owner").order_by("name")


def shop_memberships(*, merchant: Merchant) -> QuerySet[Membership]:
    """A shop's memberships of collectives, with the collective (« Mon commerce »)."""
    return merchant.collective_memberships.select_related("collective").order_by("collective__name")


def collectives_to_join(*, merchant: Merchant) -> QuerySet[Collective]:
    """Active collectives the shop may ask to join: not already in, invited, waiting or
    suspended (a shop that declined or left may ask again)."""
    taken = Membership.objects.filter(
        merchant=merchant,
        status__in=[
            Membership.Status.INVITED,
            Membership.Status.REQUESTED,
            Membership.Status.ACTIVE,
            Membership.Status.SUSPENDED,
        ],
    ).values("collective_id")
    return Collective.objects.active().exclude(pk__in=taken).order_by("name")

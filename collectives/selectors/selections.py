"""Reads of selections: the public pages, the collective page's featured selections, the
organiser space and a shop's proposals.

What the public sees of a selection: a published selection inside its window, and among its
accepted products those still published by a shop that is still an active member (a product
withdrawn or a shop that left simply disappears, the selection stays)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.lookups import Unaccent
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from accounts.permissions import Actor
from catalog.models import Product, ProductImage
from collectives.models import Collective, Membership, Selection, SelectionItem, SelectionPhoto
from collectives.permissions import can_organise
from collectives.selectors.collectives import _product_cards
from merchants.models import Merchant

Item = SelectionItem.Status

# How many products a selection's teaser shows (collective page, list of selections).
PREVIEW_PRODUCTS = 4
# How many featured selections the collective page shows.
FEATURED_SELECTIONS = 3
# How many products the organiser's « add a product » search lists at once.
ADDABLE_PRODUCTS = 24


@dataclass(frozen=True)
class SelectionTeaser:
    """A selection as a list shows it: its cover (None until one is ready) and its first
    products as product cards."""

    selection: Selection
    cover: SelectionPhoto | None
    products: list[Product]


@dataclass(frozen=True)
class SelectionPage:
    """A selection's public page: every shown product in order. ``is_preview`` when an
    organiser looks at a selection the public does not see (draft or outside its window)."""

    selection: Selection
    cover: SelectionPhoto | None
    products: list[Product]
    is_preview: bool


def _shown_products(collective: Collective) -> QuerySet[Product]:
    """Products the collective's pages may show: published, of active member shops."""
    return Product.objects.published().for_collective(collective)


def _ready_covers() -> Prefetch:
    """The selection's cover photos the public may see (processed ones), as ``covers``."""
    return Prefetch(
        "photos",
        queryset=SelectionPhoto.objects.filter(status=SelectionPhoto.Status.READY).order_by(
            "position", "pk"
        ),
        to_attr="covers",
    )


def _cover(selection: Selection) -> SelectionPhoto | None:
    covers: list[SelectionPhoto] = getattr(selection, "covers", [])
    return covers[0] if covers else None


def _teasers(selections: QuerySet[Selection], *, collective: Collective) -> list[SelectionTeaser]:
    """Selections with their cover and first products: four queries whatever their number
    (selections, covers, first items with product and shop, the products' photos)."""
    items = (
        SelectionItem.objects.filter(
            status=Item.ACCEPTED, product__in=_shown_products(collective).values("pk")
        )
        .select_related("product__merchant")
        .prefetch_related(
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "pk"))
        )
        .order_by("position", "pk")
    )
    selections = selections.prefetch_related(
        _ready_covers(),
        # A sliced prefetch: Django limits it per selection with a window function.
        Prefetch("items", queryset=items[:PREVIEW_PRODUCTS], to_attr="preview_items"),
    )
    return [
        SelectionTeaser(
            selection=selection,
            cover=_cover(selection),
            products=[item.product for item in selection.preview_items],
        )
        for selection in selections
    ]


def visible_selections(*, collective: Collective) -> list[SelectionTeaser]:
    """The collective's selections the public sees now, newest first, as teasers."""
    return _teasers(
        Selection.objects.visible().filter(collective=collective), collective=collective
    )


def featured_selections(
    *, collective: Collective, limit: int = FEATURED_SELECTIONS
) -> list[SelectionTeaser]:
    """The selections the collective page features: visible now and marked « featured »,
    newest first, with cover and first products (four queries, whatever the numbers)."""
    selections = Selection.objects.visible().filter(collective=collective, is_featured=True)
    return _teasers(selections[:limit], collective=collective)


def selection_for_public_page(*, actor: Actor, collective: Collective, slug: str) -> SelectionPage:
    """The selection ``slug`` of ``collective`` with its shown products in order; 404 when
    the public does not see it, unless the actor organises the collective (a preview)."""
    selection = (
        Selection.objects.visible()
        .filter(collective=collective, slug=slug)
        .prefetch_related(_ready_covers())
        .first()
    )
    is_preview = False
    if selection is None and can_organise(actor, collective):
        selection = (
            Selection.objects.filter(collective=collective, slug=slug)
            .prefetch_related(_ready_covers())
            .first()
        )
        is_preview = True
    if selection is None:
        raise Http404
    return SelectionPage(
        selection=selection,
        cover=_cover(selection),
        products=selection_products(selection=selection, collective=collective),
        is_preview=is_preview,
    )


def selection_products(*, selection: Selection, collective: Collective) -> list[Product]:
    """The selection's accepted products the public may see, in the organisers' order, as
    product cards (two queries)."""
    queryset = _shown_products(collective).filter(
        selection_items__selection=selection, selection_items__status=Item.ACCEPTED
    )
    return list(_product_cards(queryset).order_by("selection_items__position", "pk"))


# --- The organiser space ----------------------------------------------------------------------


def organiser_selections(*, collective: Collective) -> QuerySet[Selection]:
    """Every selection of the collective, newest first, with how many products it holds
    and how many proposals wait for an answer (one query)."""
    return (
        Selection.objects.filter(collective=collective)
        .annotate(
            item_count=Count("items", filter=Q(items__status=Item.ACCEPTED)),
            proposal_count=Count("items", filter=Q(items__status=Item.PROPOSED)),
        )
        .order_by("-created_at", "-pk")
    )


def organiser_selection(*, collective: Collective, selection_id: int) -> Selection:
    """One selection of the collective with its cover (any processing state); 404 for a
    selection of another collective."""
    selection = (
        Selection.objects.filter(collective=collective, pk=selection_id)
        .select_related("collective")
        .prefetch_related(Prefetch("photos", queryset=SelectionPhoto.objects.order_by("position")))
        .first()
    )
    if selection is None:
        raise Http404
    return selection


def selection_items(*, selection: Selection) -> list[SelectionItem]:
    """The selection's products in order for the organiser, each with ``is_shown``: False
    when the public does not see it (product withdrawn, shop no longer a member)."""
    shown = _shown_products(selection.collective).filter(pk=OuterRef("product_id"))
    return list(
        selection.items.filter(status=Item.ACCEPTED)
        .annotate(is_shown=Exists(shown))
        .select_related("product__merchant")
        .prefetch_related(
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "pk"))
        )
        .order_by("position", "pk")
    )


def selection_proposals(*, selection: Selection) -> QuerySet[SelectionItem]:
    """Proposals waiting for the organisers' answer, oldest first, with product and shop."""
    return (
        selection.items.filter(status=Item.PROPOSED)
        .select_related("product__merchant", "proposed_by")
        .prefetch_related(
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "pk"))
        )
        .order_by("created_at", "pk")
    )


def selection_item(*, selection: Selection, item_id: int) -> SelectionItem:
    """One product row of the selection (any status); 404 otherwise."""
    item = (
        selection.items.select_related("product__merchant", "selection__collective")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    return item


def selection_addable_products(
    *, selection: Selection, search: str = "", limit: int = ADDABLE_PRODUCTS
) -> list[Product]:
    """Products of the shared catalog an organiser may add: published products of active
    members not already in the selection or waiting as a proposal, matching ``search`` in
    their title or their shop's name (accents and case ignored), newest first."""
    queryset = _shown_products(selection.collective).exclude(
        pk__in=selection.items.filter(status__in=[Item.ACCEPTED, Item.PROPOSED]).values(
            "product_id"
        )
    )
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(title__unaccent__icontains=search) | Q(merchant__name__unaccent__icontains=search)
        )
    return list(_product_cards(queryset).order_by("-published_at", "-pk")[:limit])


def selection_addable_product(*, selection: Selection, product_id: int) -> Product:
    """A product of the shared catalog by id, for the organiser's « add »; 404 otherwise."""
    product = _shown_products(selection.collective).filter(pk=product_id).first()
    if product is None:
        raise Http404
    return product


# --- A shop's side --------------------------------------------------------------------------


def shop_open_selections(*, merchant: Merchant) -> QuerySet[Selection]:
    """Selections the shop may propose products to: those of the collectives it is an active
    member of that take proposals and are not over (drafts included: organisers gather
    proposals before publishing), by collective then newest first."""
    collectives = Membership.objects.active().filter(merchant=merchant).values("collective_id")
    now = timezone.now()
    return (
        Selection.objects.filter(collective_id__in=collectives, accepts_proposals=True)
        .filter(Q(visible_until__isnull=True) | Q(visible_until__gt=now))
        .select_related("collective")
        .order_by(Lower(Unaccent("collective__name")), "-created_at", "-pk")
    )


def shop_open_selection(*, merchant: Merchant, selection_id: int) -> Selection:
    """One selection the shop may propose to; 404 otherwise."""
    selection = shop_open_selections(merchant=merchant).filter(pk=selection_id).first()
    if selection is None:
        raise Http404
    return selection


def shop_selection_items(
    *, merchant: Merchant, selection: Selection | None = None
) -> QuerySet[SelectionItem]:
    """The shop's products in selections, whoever put them there: its proposals (waiting,
    accepted, declined) and the products organisers chose, newest first."""
    items = SelectionItem.objects.filter(product__merchant=merchant)
    if selection is not None:
        items = items.filter(selection=selection)
    return items.select_related("selection__collective", "product__merchant").order_by(
        "-created_at", "-pk"
    )


def shop_selection_item(*, merchant: Merchant, item_id: int) -> SelectionItem:
    """One of the shop's products in a selection; 404 for another shop's."""
    item = shop_selection_items(merchant=merchant).filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


def shop_proposable_products(*, merchant: Merchant, selection: Selection) -> QuerySet[Product]:
    """The shop's published products not yet in ``selection`` (in any state), by title."""
    taken = selection.items.values("product_id")
    return (
        Product.objects.published()
        .for_merchant(merchant)
        .exclude(pk__in=taken)
        .order_by(Lower(Unaccent("title")), "pk")
    )

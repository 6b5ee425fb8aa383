"""Reads of products, scoped to the person asking and shaped for the page that shows them."""

from typing import Any

from django.contrib.postgres.lookups import Unaccent
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from accounts.permissions import Actor
from catalog.models import Category, Product, ProductImage
from merchants.models import Merchant, Story
from merchants.selectors import stories_visible_to


def _with_images(queryset: QuerySet[Product]) -> QuerySet[Product]:
    return queryset.select_related("category", "category__parent").prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.order_by("position"))
    )


def products_for_shop_page(*, actor: Actor, merchant: Merchant) -> QuerySet[Product]:
    """The shop's products as the actor may see them: published ones for everybody, drafts
    too for the shop's own staff (previewing their page). Archived products never show."""
    # Starting from the related manager lets Django attach ``merchant`` to every product,
    # so product URLs need no query each.
    return _with_images(
        merchant.products.visible_to(actor)
        .exclude(status=Product.Status.ARCHIVED)
        .order_by("title")
    )


def product_for_public_page(*, actor: Actor, merchant_slug: str, slug: str) -> Product:
    """One product with its shop and photos; 404 if the actor may not see it."""
    queryset = _with_images(
        Product.objects.visible_to(actor)
        .exclude(status=Product.Status.ARCHIVED)
        .select_related("merchant")
    )
    try:
        return queryset.get(merchant__slug=merchant_slug, slug=slug)
    except Product.DoesNotExist:
        raise Http404 from None


def products_for_sitemap() -> QuerySet[Product]:
    return (
        Product.objects.published()
        .select_related("merchant")
        .only("slug", "updated_at", "merchant__slug")
        .order_by("pk")
    )


# --- « Mon commerce »: a shop's own listings ------------------------------------------------

# Titles sort as a French reader expects: « Éclair » with the E's, whatever the case.
_TITLE_KEY = Lower(Unaccent("title"))
# How the back-office list may be sorted: the value in the URL → the ORDER BY.
BACKOFFICE_SORTS: dict[str, tuple[Any, ...]] = {
    "title": (_TITLE_KEY.asc(), "pk"),
    "-title": (_TITLE_KEY.desc(), "-pk"),
    "price": ("price", _TITLE_KEY.asc(), "pk"),
    "-price": ("-price", _TITLE_KEY.asc(), "pk"),
    # Untracked stock (empty) comes last whichever way the list is sorted.
    "stock": (F("stock").asc(nulls_last=True), _TITLE_KEY.asc(), "pk"),
    "-stock": (F("stock").desc(nulls_last=True), _TITLE_KEY.asc(), "pk"),
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
}
# ``status`` filter values beyond the product statuses: by default archived products are
# out of the way; « all » shows them too.
BACKOFFICE_STATUS_ALL = "all"


def _shop_team_only(actor: Actor, merchant: Merchant) -> None:
    from catalog.permissions import can_edit_products_of

    if not can_edit_products_of(actor, merchant):
        raise Http404


def _for_backoffice(queryset: QuerySet[Product]) -> QuerySet[Product]:
    # Only the main photo of each product: a window-function prefetch (one query per page).
    return queryset.select_related("category", "category__parent").prefetch_related(
        Prefetch(
            "images",
            queryset=ProductImage.objects.order_by("position", "pk")[:1],
            to_attr="main_images",
        )
    )


def products_for_backoffice(
    *,
    actor: Actor,
    merchant: Merchant,
    search: str = "",
    status: str = "",
    category: Category | None = None,
    sort: str = "title",
) -> QuerySet[Product]:
    """The shop's products for its own list page, filtered, sorted, with their main photo.

    ``search`` matches the title and description whatever the case and accents (« creme »
    finds « Crème »), and the SKU whatever the case. ``status`` is a product status, « all »,
    or empty for everything but archived products. ``category`` also matches its
    sub-categories. 404 unless the actor works for the shop.
    """
    _shop_team_only(actor, merchant)
    queryset = merchant.products.all()
    if status == BACKOFFICE_STATUS_ALL:
        pass
    elif status in Product.Status.values:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.exclude(status=Product.Status.ARCHIVED)
    if category is not None:
        queryset = queryset.filter(Q(category=category) | Q(category__parent=category))
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(title__unaccent__icontains=search)
            | Q(sku__icontains=search)
            | Q(description__unaccent__icontains=search)
        )
    return _for_backoffice(queryset).order_by(
        *BACKOFFICE_SORTS.get(sort, BACKOFFICE_SORTS["title"])
    )


def product_for_backoffice(*, actor: Actor, merchant: Merchant, pk: int) -> Product:
    """One product of the shop, for its edit page or its row in the list; 404 if it belongs
    to another shop (or the actor does not work for this one)."""
    _shop_team_only(actor, merchant)
    try:
        return _for_backoffice(merchant.products.all()).get(pk=pk)
    except Product.DoesNotExist:
        raise Http404 from None


def product_images_for_backoffice(*, product: Product) -> list[ProductImage]:
    """Every photo of a product, main photo first (the product comes from a selector above,
    so it is already in the actor's shop)."""
    return list(product.images.order_by("position", "pk"))


def product_image_for_backoffice(*, product: Product, pk: int) -> ProductImage:
    """One photo of a product of the shop; 404 if it belongs to another product."""
    try:
        image = product.images.get(pk=pk)
    except ProductImage.DoesNotExist:
        raise Http404 from None
    image.product = product  # the caller's product already carries its shop
    return image


def categories_grouped() -> list[tuple[Category, list[Category]]]:
    """The shared taxonomy as (top-level category, its sub-categories), in display order.

    One query; for grouped ``<select>``s (an ``<optgroup>`` per top-level category).
    """
    categories = list(Category.objects.order_by("position", "name"))
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    return [(top, children.get(top.pk, [])) for top in categories if top.parent_id is None]


# --- Stories of craft on public pages --------------------------------------------------------


def stories_for_product_page(*, actor: Actor, product: Product) -> QuerySet[Story]:
    """The stories that tell about ``product`` and that the actor may read, newest first,
    with their shop and photos (two queries whatever their number)."""
    from merchants.models import StoryImage

    return (
        stories_visible_to(actor=actor)
        .filter(products=product)
        .select_related("merchant")
        .prefetch_related(
            Prefetch("images", queryset=StoryImage.objects.order_by("position", "pk"))
        )
    )


def products_for_story_page(*, actor: Actor, story: Story) -> QuerySet[Product]:
    """The products a story tells about, as the actor may see them (published ones for the
    public, drafts too for the shop's team), with their photos; archived ones never show."""
    return _with_images(
        Product.objects.visible_to(actor)
        .filter(stories=story)
        .exclude(status=Product.Status.ARCHIVED)
        .select_related("merchant")
        .order_by("title", "pk")
    )

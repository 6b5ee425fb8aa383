"""Reads of products, scoped to the person asking and shaped for the page that shows them."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.permissions import Actor
from catalog.models import Product, ProductImage
from merchants.models import Merchant


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

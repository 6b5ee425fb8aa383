"""Every write to products, their stock and their photos."""

import logging
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from catalog.models import Product, ProductImage
from catalog.permissions import can_edit_product, can_edit_products_of
from merchants.images import validate_image_upload
from merchants.models import Merchant
from merchants.services import photo_process, photo_queue_processing
from merchants.slugs import unique_slug

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "sku",
        "description",
        "price",
        "compare_at_price",
        "vat_rate",
        "unit",
        "stock",
        "labels",
        "category",
    }
)


def _check_fields(fields: dict[str, Any], function: str) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"{function}() got unexpected fields: {sorted(unknown)}")


@transaction.atomic
def product_create(
    *, actor: User, merchant: Merchant, title: str, price: Decimal, **fields: Any
) -> Product:
    """Create a draft product in the actor's shop."""
    require(can_edit_products_of(actor, merchant))
    _check_fields(fields, "product_create")
    product = Product(merchant=merchant, title=title, price=price, **fields)
    product.slug = unique_slug(Product.objects.filter(merchant=merchant), title, max_length=160)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def product_update(*, actor: User, product: Product, **fields: Any) -> Product:
    """Change a product's fields (not its status: see publish/unpublish/archive)."""
    require(can_edit_product(actor, product))
    _check_fields(fields, "product_update")
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    return product


def _set_status(product: Product, status: str) -> Product:
    product.status = status
    if status == Product.Status.PUBLISHED and product.published_at is None:
        product.published_at = timezone.now()
    product.save(update_fields=["status", "published_at", "updated_at"])
    return product


@transaction.atomic
def product_publish(*, actor: User, product: Product) -> Product:
    """Show the product to the public (once its shop is active)."""
    require(can_edit_product(actor, product))
    return _set_status(product, Product.Status.PUBLISHED)


@transaction.atomic
def product_unpublish(*, actor: User, product: Product) -> Product:
    """Take the product back to draft."""
    require(can_edit_product(actor, product))
    return _set_status(product, Product.Status.DRAFT)


@transaction.atomic
def product_archive(*, actor: User, product: Product) -> Product:
    """Retire a product. It is kept (reservations may point to it) but shown nowhere."""
    require(can_edit_product(actor, product))
    return _set_status(product, Product.Status.ARCHIVED)


@transaction.atomic
def product_set_stock(*, actor: User, product: Product, quantity: int | None) -> Product:
    """Set the stock counted in the shop; None means the shop stops counting units."""
    require(can_edit_product(actor, product))
    if quantity is not None and quantity < 0:
        raise ValidationError({"stock": _("Stock cannot be negative.")}, code="negative_stock")
    Product.objects.filter(pk=product.pk).update(stock=quantity, updated_at=timezone.now())
    product.refresh_from_db(fields=["stock", "updated_at"])
    return product


@transaction.atomic
def product_adjust_stock(*, actor: User, product: Product, delta: int) -> Product:
    """Add (or, negative, remove) ``delta`` units atomically.

    A single conditional UPDATE: two sales of the last unit at the same moment cannot both
    succeed, and stock never goes below zero. Untracked stock (None) is left as it is.
    """
    require(can_edit_product(actor, product))
    updated = Product.objects.filter(pk=product.pk, stock__isnull=False, stock__gte=-delta).update(
        stock=F("stock") + delta, updated_at=timezone.now()
    )
    product.refresh_from_db(fields=["stock", "updated_at"])
    if not updated and product.stock is not None:
        raise ValidationError(
            _("Only %(stock)s left in stock.") % {"stock": product.stock}, code="insufficient_stock"
        )
    return product


@transaction.atomic
def product_image_add(
    *, actor: User, product: Product, upload: File, alt_text: str = ""
) -> ProductImage:
    """Attach a photo to a product; it is cleaned and resized in the background.

    The file is validated first (format, size, pixel count), so a bad upload never reaches
    storage. Processing is queued only once the row is committed.
    """
    require(can_edit_product(actor, product))
    validate_image_upload(upload)
    # Lock the product so that two uploads at once get distinct positions.
    Product.objects.select_for_update().filter(pk=product.pk).first()
    last = product.images.aggregate(last=Max("position"))["last"]
    image = ProductImage(
        product=product,
        alt_text=alt_text,
        position=0 if last is None else last + 1,
    )
    image.image.save(PurePath(upload.name or "photo").name, upload, save=False)
    image.save()
    photo_queue_processing(image)
    return image


def product_image_process(*, image_id: int) -> ProductImage | None:
    """Clean and resize one product photo now (the Celery task does this in production)."""
    return photo_process(photo_model=ProductImage, photo_id=image_id)

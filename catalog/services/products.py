"""Every write to products, their stock and their photos."""

import logging
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import F, Max, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from catalog.models import Category, Product, ProductImage
from catalog.permissions import can_edit_product, can_edit_products_of
from catalog.search import SEARCHED_FIELDS, search_vectors_refresh
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


# The largest stock the database column holds (a PostgreSQL ``integer``).
MAX_STOCK = 2_147_483_647


def _webhook(event_type: str, product: Product) -> None:
    """Tell the webhooks listening (partners is downstream: imported where used)."""
    from partners.services.webhooks import emit_product

    emit_product(event_type=event_type, product=product)


def _check_fields(fields: dict[str, Any], function: str) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"{function}() got unexpected fields: {sorted(unknown)}")


def _validate(product: Product) -> None:
    """``full_clean()``, with the two rules a shopkeeper breaks by hand given as field errors.

    Django reports a violated conditional unique constraint or check constraint as a generic
    « La contrainte … n’est pas respectée » on the whole form; the SKU clash and the
    compare-at price are checked here first so that the error names the field and says why.
    The constraints stay the last line of defence.
    """
    errors: dict[str, list[ValidationError]] = {}
    try:
        product.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors = {field: list(messages) for field, messages in error.error_dict.items()}
    if (
        product.sku
        and "sku" not in errors
        and Product.objects.filter(merchant_id=product.merchant_id, sku=product.sku)
        .exclude(pk=product.pk)
        .exists()
    ):
        errors["sku"] = [
            ValidationError(
                _("Another product of your shop already has this reference."), code="sku_taken"
            )
        ]
    if (
        product.compare_at_price is not None
        and product.price is not None
        and not {"price", "compare_at_price"} & set(errors)
        and product.compare_at_price <= product.price
    ):
        errors["compare_at_price"] = [
            ValidationError(
                _("The former price must be higher than the price."),
                code="compare_at_not_above_price",
            )
        ]
    if errors:
        raise ValidationError(errors)
    product.validate_constraints(exclude={"sku", "compare_at_price"})


@transaction.atomic
def product_create(
    *, actor: User, merchant: Merchant, title: str, price: Decimal, **fields: Any
) -> Product:
    """Create a draft product in the actor's shop."""
    require(can_edit_products_of(actor, merchant))
    _check_fields(fields, "product_create")
    product = Product(merchant=merchant, title=title, price=price, **fields)
    product.slug = unique_slug(Product.objects.filter(merchant=merchant), title, max_length=160)
    _validate(product)
    product.save()
    search_vectors_refresh(products=[product.pk])
    _webhook("product.created", product)
    return product


@transaction.atomic
def product_update(*, actor: User, product: Product, **fields: Any) -> Product:
    """Change a product's fields (not its status: see publish/unpublish/archive).

    Only the fields given are written, and the stock only if it differs from what the page
    showed: a reservation taking units while the shopkeeper edits the description must not
    have its units put back by the save (stock otherwise moves by conditional UPDATEs)."""
    require(can_edit_product(actor, product))
    _check_fields(fields, "product_update")
    stock_before = product.stock
    if "stock" in fields and fields["stock"] == stock_before:
        del fields["stock"]
    for name, value in fields.items():
        setattr(product, name, value)
    _validate(product)
    product.save(update_fields=[*fields, "updated_at"])
    if SEARCHED_FIELDS & fields.keys():
        search_vectors_refresh(products=[product.pk])
    _webhook("product.updated", product)
    if product.stock != stock_before:
        _webhook("stock.changed", product)
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
    _set_status(product, Product.Status.PUBLISHED)
    # Searchable from the moment it is public, whatever wrote the row before.
    search_vectors_refresh(products=[product.pk])
    _webhook("product.updated", product)
    # Its followers hear of it (notifications, after commit; once per product).
    from notifications.services.follows import product_published

    product_published(product)
    return product


@transaction.atomic
def product_unpublish(*, actor: User, product: Product) -> Product:
    """Take the product back to draft."""
    require(can_edit_product(actor, product))
    _set_status(product, Product.Status.DRAFT)
    _webhook("product.updated", product)
    return product


@transaction.atomic
def product_archive(*, actor: User, product: Product) -> Product:
    """Retire a product. It is kept (reservations may point to it) but shown nowhere."""
    require(can_edit_product(actor, product))
    _set_status(product, Product.Status.ARCHIVED)
    _webhook("product.archived", product)
    return product


@transaction.atomic
def product_set_stock(*, actor: User, product: Product, quantity: int | None) -> Product:
    """Set the stock counted in the shop; None means the shop stops counting units."""
    require(can_edit_product(actor, product))
    if quantity is not None and quantity < 0:
        raise ValidationError({"stock": _("Stock cannot be negative.")}, code="negative_stock")
    if quantity is not None and quantity > MAX_STOCK:
        # The column is a 32-bit integer: say so in words rather than fail in the database.
        raise ValidationError(
            {"stock": _("Stock cannot be more than %(limit)s.") % {"limit": MAX_STOCK}},
            code="stock_too_large",
        )
    Product.objects.filter(pk=product.pk).update(stock=quantity, updated_at=timezone.now())
    product.refresh_from_db(fields=["stock", "updated_at"])
    _webhook("stock.changed", product)
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
    if updated:
        _webhook("stock.changed", product)
    return product


def product_stock_take(*, product_id: int, quantity: int) -> bool | None:
    """Take ``quantity`` units for a customer's reservation, in one conditional UPDATE.

    True if taken, False if fewer are left (nothing changes), None if the shop does not count
    this product's units (nothing to take). Permission is the caller's business: the orders
    services call this for a customer, who may not edit the product. Runs in the caller's
    transaction, so a reservation that fails later gives the units back by rolling back.
    """
    taken = Product.objects.filter(pk=product_id, stock__isnull=False, stock__gte=quantity).update(
        stock=F("stock") - quantity, updated_at=timezone.now()
    )
    if taken:
        from partners.services.webhooks import emit_stock_changed

        emit_stock_changed(product_id=product_id)
        return True
    tracked = Product.objects.filter(pk=product_id, stock__isnull=False).exists()
    return False if tracked else None


def product_stock_return(*, product_id: int, quantity: int) -> None:
    """Give back units a reservation held (declined, cancelled, expired). A product whose
    shop stopped counting units meanwhile stays uncounted."""
    if Product.objects.filter(pk=product_id, stock__isnull=False).update(
        stock=F("stock") + quantity, updated_at=timezone.now()
    ):
        from partners.services.webhooks import emit_stock_changed

        emit_stock_changed(product_id=product_id)


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


# --- Duplicating ---------------------------------------------------------------------------


@transaction.atomic
def product_duplicate(*, actor: User, product: Product) -> Product:
    """Copy a product as a new draft titled « … (copie) », to list a variant quickly.

    What a shopkeeper expects of « dupliquer »: the same description, price, VAT, unit,
    labels, category, stories and photos, to change what differs (the size, the flavour).
    What is not copied, and why:

    - the status: the copy is a draft, never on sale before the shopkeeper has looked at it;
    - the SKU: it must be unique in the shop, so the copy has none until one is typed;
    - the stock: the copy is other goods, not yet counted. If the original counts units the
      copy starts at 0 (counted, none yet); if it does not, neither does the copy.

    Photos are copied file by file (the processed original and every rendition), never
    shared: deleting a photo of one product must not delete the other's. A photo still
    being processed is copied as uploaded and queued again; a photo that failed is left out.
    """
    require(can_edit_product(actor, product))
    title = _("%(title)s (copy)") % {"title": product.title}
    title_field = Product._meta.get_field("title")
    max_length = getattr(title_field, "max_length", None) or 150
    if len(title) > max_length:
        suffix = title[len(product.title) :]
        title = product.title[: max_length - len(suffix)].rstrip() + suffix
    copy = Product(
        merchant=product.merchant,
        title=title,
        description=product.description,
        price=product.price,
        compare_at_price=product.compare_at_price,
        vat_rate=product.vat_rate,
        unit=product.unit,
        stock=None if product.stock is None else 0,
        labels=list(product.labels),
        category_id=product.category_id,
        status=Product.Status.DRAFT,
    )
    copy.slug = unique_slug(
        Product.objects.filter(merchant=product.merchant), title, max_length=160
    )
    _validate(copy)
    copy.save()
    search_vectors_refresh(products=[copy.pk])
    copy.stories.set(product.stories.all())
    _webhook("product.created", copy)

    written: list[str] = []
    try:
        for position, image in enumerate(
            product.images.exclude(status=ProductImage.Status.FAILED).order_by("position")
        ):
            _copy_image(image, product=copy, position=position, written=written)
    except BaseException:
        # Files are not part of the transaction: remove the copies the rollback orphans.
        for name in written:
            _delete_file_quietly(ProductImage.image.field.storage, name)
        raise
    return copy


def _copy_image(
    image: ProductImage, *, product: Product, position: int, written: list[str]
) -> ProductImage:
    storage = image.image.storage
    source_name = str(image.image.name)
    stem = uuid.uuid4().hex
    folder = ProductImage.UPLOAD_FOLDER
    copy = ProductImage(
        product=product,
        alt_text=image.alt_text,
        position=position,
        width=image.width,
        height=image.height,
    )
    if image.status == ProductImage.Status.READY:
        # The processed original (``products/<stem>.jpg``) and its renditions, as they are.
        copy.image.name = _copy_file(storage, source_name, f"{folder}/{stem}.jpg", written)
        renditions: dict[str, dict[str, Any]] = {}
        for width, entry in image.renditions.items():
            renditions[width] = dict(entry)
            for fmt in ("webp", "jpeg"):
                if fmt in entry:
                    suffix = PurePath(entry[fmt]).suffix
                    renditions[width][fmt] = _copy_file(
                        storage, entry[fmt], f"{folder}/{stem}-{width}{suffix}", written
                    )
        copy.renditions = renditions
        copy.status = ProductImage.Status.READY
        copy.processed_at = timezone.now()
        copy.save()
    else:
        # Still pending: copy the upload as it came and let the pipeline process the copy.
        suffix = PurePath(source_name).suffix.lower()[:5] or ".img"
        copy.image.name = _copy_file(
            storage, source_name, f"{folder}/originals/{stem}{suffix}", written
        )
        copy.save()
        photo_queue_processing(copy)
    return copy


def _copy_file(storage: Storage, source: str, target: str, written: list[str]) -> str:
    with storage.open(source, "rb") as handle:
        name = storage.save(target, handle)
    written.append(name)
    return name


def _delete_file_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:  # already gone, or the storage is unreachable: not worth an error page
        logger.warning("Could not delete the file %s", name, exc_info=True)


# --- Several products at once --------------------------------------------------------------
#
# Bulk actions take the ids the shopkeeper ticked and act only on the products of
# ``merchant`` among them: an id of another shop's product (a tampered form) is ignored,
# neither changed nor reported, exactly as if it did not exist. They return how many
# products of the shop were changed.


def _own_products(merchant: Merchant, product_ids: Iterable[int]) -> QuerySet[Product]:
    return Product.objects.filter(merchant=merchant, pk__in=list(product_ids))


def _webhooks(event_type: str, merchant: Merchant, products: QuerySet[Product]) -> None:
    """One webhook event per product changed (read again only if some endpoint listens)."""
    from partners.services.webhooks import emit_products

    emit_products(event_type=event_type, merchant=merchant, products=products.order_by("pk"))


@transaction.atomic
def products_bulk_publish(*, actor: User, merchant: Merchant, product_ids: Iterable[int]) -> int:
    """Publish the selected products of the shop; return how many."""
    require(can_edit_products_of(actor, merchant))
    now = timezone.now()
    products = _own_products(merchant, product_ids)
    published = products.update(
        status=Product.Status.PUBLISHED,
        published_at=Coalesce(F("published_at"), Value(now)),
        updated_at=now,
    )
    search_vectors_refresh(products=products)
    _webhooks("product.updated", merchant, products)
    return published


@transaction.atomic
def products_bulk_archive(*, actor: User, merchant: Merchant, product_ids: Iterable[int]) -> int:
    """Archive the selected products of the shop; return how many."""
    require(can_edit_products_of(actor, merchant))
    products = _own_products(merchant, product_ids)
    archived = products.update(status=Product.Status.ARCHIVED, updated_at=timezone.now())
    _webhooks("product.archived", merchant, products)
    return archived


@transaction.atomic
def products_bulk_set_category(
    *,
    actor: User,
    merchant: Merchant,
    product_ids: Iterable[int],
    category: Category | None,
) -> int:
    """Move the selected products of the shop to ``category`` (None: no category)."""
    require(can_edit_products_of(actor, merchant))
    products = _own_products(merchant, product_ids)
    moved = products.update(category=category, updated_at=timezone.now())
    # The category's name is part of the search vector.
    search_vectors_refresh(products=products)
    _webhooks("product.updated", merchant, products)
    return moved


# --- Photos of a product -------------------------------------------------------------------
#
# ``position`` 0 is the main photo. The positions of a product's photos are rewritten as
# 0, 1, 2… after every change, in one transaction: the unique (product, position) constraint
# is DEFERRED, so rows may share a position until the commit.


def _lock_product(product: Product) -> None:
    # Serialises the changes to one product's photos (product_image_add takes the same lock).
    Product.objects.select_for_update().filter(pk=product.pk).first()


def _write_positions(images: Sequence[ProductImage]) -> None:
    changed = []
    for position, image in enumerate(images):
        if image.position != position:
            image.position = position
            changed.append(image)
    ProductImage.objects.bulk_update(changed, ["position"])


@transaction.atomic
def product_images_reorder(
    *, actor: User, product: Product, image_ids: Sequence[int]
) -> list[ProductImage]:
    """Put the product's photos in the order of ``image_ids``; the first is the main photo.

    ``image_ids`` must name every photo of the product exactly once (a page left open while
    a photo was added or deleted sends a stale list: refused, the page reloads).
    """
    require(can_edit_product(actor, product))
    _lock_product(product)
    images = {image.pk: image for image in product.images.all()}
    if len(image_ids) != len(set(image_ids)) or set(image_ids) != set(images):
        raise ValidationError(
            _("The photos changed in the meantime. Please reload the page and try again."),
            code="stale_order",
        )
    ordered = [images[image_id] for image_id in image_ids]
    _write_positions(ordered)
    return ordered


@transaction.atomic
def product_image_set_main(*, actor: User, image: ProductImage) -> ProductImage:
    """Make ``image`` the main photo (position 0); the others keep their order after it."""
    product = image.product
    require(can_edit_product(actor, product))
    _lock_product(product)
    images = list(product.images.order_by("position"))
    images.sort(key=lambda other: other.pk != image.pk)  # stable: the others keep their order
    _write_positions(images)
    image.position = 0
    return image


@transaction.atomic
def product_image_move(*, actor: User, image: ProductImage, offset: int) -> ProductImage:
    """Move a photo ``offset`` places (-1: one up, towards main; +1: one down).

    The keyboard and no-JavaScript way to reorder; moving past either end stays there.
    """
    product = image.product
    require(can_edit_product(actor, product))
    _lock_product(product)
    images = list(product.images.order_by("position"))
    index = next(i for i, other in enumerate(images) if other.pk == image.pk)
    target = max(0, min(len(images) - 1, index + offset))
    moved = images.pop(index)
    images.insert(target, moved)
    _write_positions(images)
    image.position = target
    return image


@transaction.atomic
def product_image_update(*, actor: User, image: ProductImage, alt_text: str) -> ProductImage:
    """Change the description of a photo (its alternative text)."""
    require(can_edit_product(actor, image.product))
    image.alt_text = alt_text.strip()
    image.full_clean(exclude=["image"])
    image.save(update_fields=["alt_text"])
    return image


@transaction.atomic
def product_image_delete(*, actor: User, image: ProductImage) -> None:
    """Remove a photo and, once the deletion is committed, its files.

    The next photo becomes the main one when the main photo goes. A photo still being
    processed may be deleted: the task finds it gone and removes what it wrote.
    """
    product = image.product
    require(can_edit_product(actor, product))
    _lock_product(product)
    storage = image.image.storage
    names = [str(image.image.name)] if image.image.name else []
    for entry in image.renditions.values():
        names += [entry[fmt] for fmt in ("webp", "jpeg") if fmt in entry]
    ProductImage.objects.filter(pk=image.pk).delete()
    _write_positions(list(product.images.order_by("position")))

    def delete_files() -> None:
        for name in names:
            _delete_file_quietly(storage, name)

    transaction.on_commit(delete_files)

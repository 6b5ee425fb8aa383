"""CSV import and export of a shop's products.

An import goes through three steps, each a service below:

1. :func:`import_job_create` reads the file and plans every row *without writing a product*:
   each row becomes « created », « updated », « unchanged » or « error » (with the reason,
   in the shopkeeper's language) in ``ImportJob.preview``;
2. the shopkeeper confirms (:func:`import_job_confirm`) or cancels (:func:`import_job_cancel`,
   which writes nothing but the job's status);
3. :func:`import_job_apply` writes the rows — in the request for small files, in the Celery
   task ``catalog.tasks.apply_import_job`` for larger ones — and records the outcome in
   ``ImportJob.report`` and the counters.

Rows are planned again when they are applied, against the products as they are then (a
product may have changed since the preview), with the same rules.

The rules are the model's: each row is built as a ``Product`` in memory and checked with
``full_clean()`` — its fields' validators and choices (price and stock not negative, VAT
rate, unit, status, labels, lengths). What ``full_clean()`` would check with one or more
queries per row is checked in memory, against data read once: uniqueness of the reference
(SKU) and slug in the shop, existence of the category, the compare-at price constraint
(with the product form's message) and the publication date. The database constraints still
guard every write. A row that fails is not written at all and does not
stop the others: rows are written a chunk at a time in a savepoint, and if the database
refuses the chunk, one by one, each in its own savepoint (see :func:`_write_chunk`).

``ImportJob`` fields used: ``rows`` (the cells of each line, dropped once applied or
cancelled), ``preview`` (the planned outcome of each line), ``report`` (``file``: encoding,
separator and ignored columns; once applied, ``rows``: the outcome of each line,
``unchanged_count``, and ``error`` if the run stopped).
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from accounts.permissions import require
from catalog import csv_format
from catalog.models import Category, ImportJob, Product
from catalog.permissions import can_edit_products_of
from catalog.search import search_vectors_refresh
from merchants.models import Merchant

logger = logging.getLogger(__name__)

# Files up to this many rows are applied in the request that confirms them: the shopkeeper
# sees the report at once, with no worker involved (most shops have fewer products than
# this). 200 rows take a few tenths of a second (benchmarks/import_export.py: 5,000 rows in
# about 2 s created, 4 s updated); larger files go to the Celery task and its progress bar.
SYNC_MAX_ROWS = 200
# The task commits (and updates the progress bar) every this many rows.
CHUNK_ROWS = 250

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"
OUTCOME_LABELS = {
    CREATED: pgettext_lazy("import outcome", "created"),
    UPDATED: pgettext_lazy("import outcome", "updated"),
    UNCHANGED: pgettext_lazy("import outcome", "unchanged"),
    ERROR: pgettext_lazy("import outcome", "error"),
}

# The model field behind each column of the file.
FIELD_OF_COLUMN = {
    "reference": "sku",
    "titre": "title",
    "description": "description",
    "prix": "price",
    "prix_barre": "compare_at_price",
    "tva": "vat_rate",
    "unite": "unit",
    "stock": "stock",
    "statut": "status",
    "categorie": "category",
    "labels": "labels",
}
COLUMN_OF_FIELD = {model_field: column for column, model_field in FIELD_OF_COLUMN.items()}
# Empty cells of these columns keep the current value (the model's default for a new product).
KEEP_WHEN_EMPTY = frozenset({"tva", "unite", "statut"})

_SLUG_MAX_LENGTH = Product._meta.get_field("slug").max_length or 160


# --- What planning needs from the database, read once ---------------------------------------


class _Categories:
    """The seeded taxonomy, looked up by slug, « Parent › Enfant » or a name alone (when no
    other category has it), in French or English, whatever the case and accents."""

    def __init__(self, categories: Iterable[Category]) -> None:
        self.by_key: dict[tuple[str, ...], Category | None] = {}
        self.names: dict[int, str] = {}
        for category in categories:
            self.names[category.pk] = category_name(category)
            keys: set[tuple[str, ...]] = {(csv_format.normalise(category.slug),)}
            for name in filter(None, (category.name, category.name_en)):
                keys.add((csv_format.normalise(name),))
            if category.parent is not None:
                keys.add(csv_format.category_keys(self.names[category.pk]))
                if category.name_en and category.parent.name_en:
                    english = f"{category.parent.name_en} › {category.name_en}"
                    keys.add(csv_format.category_keys(english))
            for key in keys:
                # A name two categories share (None) must be written « Parent › Enfant ».
                self.by_key[key] = category if key not in self.by_key else None

    def find(self, text: str) -> Category:
        key = csv_format.category_keys(text)
        if key in self.by_key and self.by_key[key] is None:
            raise ValidationError(
                _("« %(value)s » names several categories: write « Parent › Category ».")
                % {"value": text}
            )
        category = self.by_key.get(key)
        if category is None:
            close = self.suggestions(text)
            message = _("Unknown category « %(value)s ».") % {"value": text}
            if close:
                message += " " + _("Did you mean: %(names)s?") % {"names": ", ".join(close)}
            message += " " + _("The accepted categories are listed on the import page.")
            raise ValidationError(message)
        return category

    def suggestions(self, text: str) -> list[str]:
        """Up to three categories whose name looks like ``text`` (« Fromagerei »)."""
        spellings: dict[str, str] = {}
        for key, category in self.by_key.items():
            if category is not None:
                spellings.setdefault(" ".join(key), self.names[category.pk])
        wanted = " ".join(csv_format.category_keys(text))
        close = difflib.get_close_matches(wanted, spellings, n=6, cutoff=0.75)
        return list(dict.fromkeys(spellings[spelling] for spelling in close))[:3]


def category_name(category: Category) -> str:
    """The French name of a category as the file writes it: « Alimentation › Fromagerie »."""
    if category.parent is not None:
        return f"{category.parent.name} › {category.name}"
    return category.name


@dataclass
class _Shop:
    """One shop's products as the planning of a file sees them."""

    merchant: Merchant
    categories: _Categories
    by_sku: dict[str, Product] = field(default_factory=dict)
    slugs: set[str] = field(default_factory=set)
    # reference → line of its first row: a later row with the same reference is an error.
    seen_skus: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, merchant: Merchant) -> _Shop:
        categories = Category.objects.select_related("parent")
        return cls(merchant=merchant, categories=_Categories(categories))

    def load_products(self, skus: Iterable[str]) -> None:
        """Read the shop's products with these references (one query) — never another
        shop's: a reference matches only within the shop."""
        wanted = {sku for sku in skus if sku}
        if wanted:
            products = self.merchant.products.filter(sku__in=wanted)
            self.by_sku.update({product.sku: product for product in products})

    def free_slug(self, title: str) -> str:
        """A slug of ``title`` unused in the shop (same rule as merchants.slugs.unique_slug,
        against the shop's slugs read once instead of one query per row)."""
        base = slugify(title)[: _SLUG_MAX_LENGTH - 4].strip("-") or "x"
        slug, suffix = base, 2
        while slug in self.slugs:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        self.slugs.add(slug)
        return slug


# --- Planning one row ---------------------------------------------------------------------


@dataclass
class _Plan:
    line: int
    reference: str
    title: str
    outcome: str
    messages: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # columns whose value changes
    product: Product | None = None  # built in memory, not saved
    update_fields: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "reference": self.reference,
            "title": self.title,
            "outcome": self.outcome,
            "messages": self.messages,
            "changes": self.changes,
        }


def _column_message(column: str, message: str) -> str:
    return _("%(column)s: %(message)s") % {"column": column, "message": message}


def _parse_cell(column: str, text: str, shop: _Shop) -> Any:
    if column in ("reference", "titre", "description"):
        return text
    if column == "prix":
        if not text:
            raise ValidationError(_("A price is required."))
        return csv_format.parse_decimal(text)
    if column == "prix_barre":
        return csv_format.parse_decimal(text) if text else None
    if column == "tva":
        return csv_format.parse_vat_rate(text)
    if column == "unite":
        return csv_format.parse_unit(text)
    if column == "stock":
        return csv_format.parse_stock(text)
    if column == "statut":
        return csv_format.parse_status(text)
    if column == "categorie":
        return shop.categories.find(text) if text else None
    if column == "labels":
        return csv_format.parse_labels(text)
    raise AssertionError(column)


def _field_value(product: Product, model_field: str) -> Any:
    return product.category_id if model_field == "category" else getattr(product, model_field)


def _plan_row(row: csv_format.Row, shop: _Shop, columns: Iterable[str], now: dt.datetime) -> _Plan:
    """What applying ``row`` would do, checked with the model's rules; writes nothing."""
    values = row.values
    sku = values.get("reference", "")
    plan = _Plan(line=row.line, reference=sku, title=values.get("titre", ""), outcome=ERROR)
    if sku:
        first_line = shop.seen_skus.setdefault(sku, row.line)
        if first_line != row.line:
            plan.messages.append(
                _(
                    "The reference « %(reference)s » is already on line %(line)s of the file: "
                    "each product must appear only once."
                )
                % {"reference": sku, "line": first_line}
            )
            return plan
    existing = shop.by_sku.get(sku) if sku else None
    if existing is None and not all(c in values for c in csv_format.COLUMNS_TO_CREATE):
        if sku:
            message = _(
                "No product of your shop has the reference « %(reference)s ». To create it, "
                "the file needs the columns « titre » and « prix »."
            ) % {"reference": sku}
        else:
            message = _("This line has no reference: it cannot update a product.")
        plan.messages.append(message)
        return plan
    if existing is not None:
        plan.title = plan.title or existing.title
    product = copy.copy(existing) if existing is not None else Product(merchant=shop.merchant)

    failed: set[str] = set()
    for column in columns:
        text = values.get(column, "")
        if column in KEEP_WHEN_EMPTY and not text:
            continue
        try:
            value = _parse_cell(column, text, shop)
        except ValidationError as error:
            failed.add(FIELD_OF_COLUMN[column])
            plan.messages.extend(_column_message(column, m) for m in error.messages)
            continue
        setattr(product, FIELD_OF_COLUMN[column], value)
    if product.status == Product.Status.PUBLISHED and product.published_at is None:
        product.published_at = now  # the rule of catalog.services.products._set_status

    # The slug is given when the row is written; the shop and category exist (read above);
    # uniqueness is checked against the shop's index; constraints are checked below.
    exclude = ["slug", "merchant", "category", *failed]
    try:
        product.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for model_field, messages in error.message_dict.items():
            named = COLUMN_OF_FIELD.get(model_field)  # None for the whole product's errors
            plan.messages.extend(
                m if named is None else _column_message(named, m) for m in messages
            )
    if (
        "price" not in failed
        and "compare_at_price" not in failed
        and product.compare_at_price is not None
        and product.price is not None
        and product.compare_at_price <= product.price
    ):
        plan.messages.append(
            # The same words as the product form (catalog.services.products._validate).
            _column_message("prix_barre", _("The former price must be higher than the price."))
        )
    if plan.messages:
        return plan

    plan.product = product
    if existing is None:
        plan.outcome = CREATED
        return plan
    for column in columns:
        model_field = FIELD_OF_COLUMN[column]
        if _field_value(existing, model_field) != _field_value(product, model_field):
            plan.changes.append(column)
            plan.update_fields.append(model_field)
    if plan.changes:
        plan.outcome = UPDATED
        if product.published_at != existing.published_at:
            plan.update_fields.append("published_at")
        plan.update_fields.append("updated_at")
    else:
        plan.outcome = UNCHANGED
    return plan


def _write_chunk(plans: list[_Plan], shop: _Shop) -> None:
    """Write the planned rows of a chunk: all together, or else one by one.

    First one INSERT for the new products and one UPDATE per updated product, in a
    savepoint. If the database refuses anything (a product changed at the same moment, a
    rule the planning missed), that savepoint is rolled back and each row is written again
    alone, in its own savepoint, so that only the faulty rows fail. The outcome is that of
    writing row by row, with one query per updated row and one per chunk of new rows
    instead of three per row.
    """
    to_write = [plan for plan in plans if plan.outcome in (CREATED, UPDATED)]
    if not to_write:
        return
    try:
        with transaction.atomic():
            _write_together(to_write, shop)
    except DatabaseError:
        logger.info("Import chunk of shop %s refused: row by row", shop.merchant.pk)
        for plan in to_write:
            if plan.outcome == CREATED and plan.product is not None:
                # Back to unsaved: the INSERT was rolled back with the savepoint.
                shop.slugs.discard(plan.product.slug)
                plan.product.pk, plan.product.slug = None, ""
                plan.product._state.adding = True
            _write(plan, shop)


def _write_together(plans: list[_Plan], shop: _Shop) -> None:
    created = [plan.product for plan in plans if plan.outcome == CREATED and plan.product]
    for product in created:
        product.slug = shop.free_slug(product.title)
    Product.objects.bulk_create(created)
    # One UPDATE per row, of its changed columns only (bulk_update's CASE expressions are
    # slower to build than these are to run).
    for plan in plans:
        if plan.outcome == UPDATED and plan.product is not None:
            plan.product.save(update_fields=plan.update_fields)


def _write(plan: _Plan, shop: _Shop) -> None:
    """Write one planned row in its own savepoint: all of it or nothing."""
    product = plan.product
    if product is None or plan.outcome not in (CREATED, UPDATED):
        return
    try:
        with transaction.atomic():
            if plan.outcome == CREATED:
                product.slug = shop.free_slug(product.title)
                product.save(force_insert=True)
            else:
                product.save(update_fields=plan.update_fields)
    except DatabaseError:
        logger.warning(
            "Import row %s of shop %s refused", plan.line, shop.merchant.pk, exc_info=True
        )
        plan.outcome = ERROR
        plan.messages.append(
            _(
                "This row could not be saved: the product was changed at the same time. "
                "Import the file again."
            )
        )


def _webhooks(merchant: Merchant, plans: list[_Plan]) -> None:
    """One webhook event per product the chunk created or changed (``stock.changed`` too
    when its stock changed): a few queries per chunk, whatever its size."""
    from partners.services.webhooks import emit_products

    written = [(plan, plan.product) for plan in plans if plan.product is not None]
    for event_type, products in (
        ("product.created", [p for plan, p in written if plan.outcome == CREATED]),
        ("product.updated", [p for plan, p in written if plan.outcome == UPDATED]),
        (
            "stock.changed",
            [p for plan, p in written if plan.outcome == UPDATED and "stock" in plan.update_fields],
        ),
    ):
        if products:
            emit_products(event_type=event_type, merchant=merchant, products=products)


def _rows(job: ImportJob) -> list[csv_format.Row]:
    return [csv_format.Row(line=row["line"], values=row["values"]) for row in job.rows]


# --- Services -----------------------------------------------------------------------------


@transaction.atomic
def import_job_create(*, actor: User, merchant: Merchant, upload: File) -> ImportJob:
    """Read a shopkeeper's CSV file and plan each row; write no product.

    Raises ValidationError (for the upload form) when the file as a whole cannot be used:
    too large, unreadable, columns missing. Problems of single rows are in the preview.
    """
    require(can_edit_products_of(actor, merchant))
    if upload.size is not None and upload.size > csv_format.MAX_BYTES:
        raise csv_format.too_large(upload.size)
    upload.seek(0)
    parsed = csv_format.read(upload.read(csv_format.MAX_BYTES + 1))
    shop = _Shop.load(merchant)
    shop.load_products(row.values.get("reference", "") for row in parsed.rows)
    now = timezone.now()
    preview = [_plan_row(row, shop, parsed.columns, now).as_json() for row in parsed.rows]
    return ImportJob.objects.create(
        merchant=merchant,
        created_by=actor,
        filename=PurePath(upload.name or "produits.csv").name[:200],
        rows=[{"line": row.line, "values": row.values} for row in parsed.rows],
        preview=preview,
        report={
            "file": {
                "encoding": parsed.encoding,
                "delimiter": parsed.delimiter,
                "columns": parsed.columns,
                "ignored_columns": parsed.ignored_columns,
            }
        },
        total_rows=len(parsed.rows),
    )


def import_job_confirm(*, actor: User, job: ImportJob, language: str | None = None) -> ImportJob:
    """Apply a previewed import: now for a small file, else in the Celery task (queued once
    this transaction commits). A job that is not waiting for confirmation is refused."""
    from catalog.tasks import apply_import_job

    require(can_edit_products_of(actor, job.merchant))
    language = language or translation.get_language()
    in_request = job.total_rows <= SYNC_MAX_ROWS
    with transaction.atomic():
        confirmed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
            status=ImportJob.Status.QUEUED
        )
        if not confirmed:
            raise ValidationError(
                _("This import was already confirmed or cancelled."), code="not_previewed"
            )
        if not in_request:
            job_id = job.pk
            transaction.on_commit(lambda: apply_import_job.delay(job_id, language))
    if in_request:
        import_job_apply(job_id=job.pk, language=language)
    job.refresh_from_db()
    return job


@transaction.atomic
def import_job_cancel(*, actor: User, job: ImportJob) -> ImportJob:
    """Drop a previewed import: no product is written, the file's rows are forgotten."""
    require(can_edit_products_of(actor, job.merchant))
    cancelled = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
        status=ImportJob.Status.CANCELLED, rows=[], finished_at=timezone.now()
    )
    if not cancelled:
        raise ValidationError(
            _("This import was already confirmed or cancelled."), code="not_previewed"
        )
    job.refresh_from_db()
    return job


def import_job_apply(*, job_id: int, language: str | None = None) -> ImportJob | None:
    """Write the rows of a confirmed import (the Celery task calls this).

    Idempotent: only a ``queued`` job is taken (atomically moved to ``running``), so a task
    delivered twice does nothing the second time. Rows are written ``CHUNK_ROWS`` at a time,
    each chunk in one transaction that also records the progress, each row in its own
    savepoint. If the run stops on an unexpected error, the job is marked failed; the chunks
    already committed stay (importing the file again shows them as unchanged).
    """
    taken = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, processed_rows=0
    )
    job = ImportJob.objects.select_related("merchant").filter(pk=job_id).first()
    if not taken or job is None:
        return job
    with translation.override(language or translation.get_language()):
        try:
            _apply(job)
        except Exception:
            logger.exception("Import job %s failed", job_id)
            report = {**job.report, "error": _("The import stopped on an unexpected error.")}
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJob.Status.FAILED, finished_at=timezone.now(), report=report
            )
    job.refresh_from_db()
    return job


def _apply(job: ImportJob) -> None:
    rows = _rows(job)
    columns = job.report.get("file", {}).get("columns") or sorted(
        {column for row in rows for column in row.values}
    )
    shop = _Shop.load(job.merchant)
    shop.slugs = set(job.merchant.products.values_list("slug", flat=True))
    counts: Counter[str] = Counter()
    outcomes: list[dict[str, Any]] = []
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        with transaction.atomic():
            # Products are read again chunk by chunk, just before their rows are written.
            shop.load_products(row.values.get("reference", "") for row in chunk)
            now = timezone.now()
            plans = [_plan_row(row, shop, columns, now) for row in chunk]
            _write_chunk(plans, shop)
            # One UPDATE for the chunk's written products (all their searched fields may
            # have changed: title, description, category).
            search_vectors_refresh(
                products=[
                    plan.product.pk
                    for plan in plans
                    if plan.outcome in (CREATED, UPDATED) and plan.product is not None
                ]
            )
            _webhooks(job.merchant, plans)
            for plan in plans:
                counts[plan.outcome] += 1
                outcomes.append(plan.as_json())
            ImportJob.objects.filter(pk=job.pk).update(
                processed_rows=len(outcomes),
                created_count=counts[CREATED],
                updated_count=counts[UPDATED],
                error_count=counts[ERROR],
            )
    report = {**job.report, "rows": outcomes, "unchanged_count": counts[UNCHANGED]}
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now(), report=report, rows=[]
    )


# --- Export -------------------------------------------------------------------------------


def products_for_export(*, merchant: Merchant, include_archived: bool) -> QuerySet[Product]:
    products = merchant.products.select_related("category__parent").order_by("title", "pk")
    if not include_archived:
        products = products.exclude(status=Product.Status.ARCHIVED)
    return products


def _export_row(product: Product) -> dict[str, str]:
    return {
        "reference": product.sku,
        "titre": product.title,
        "description": product.description,
        "prix": csv_format.format_decimal(product.price),
        "prix_barre": csv_format.format_decimal(product.compare_at_price),
        "tva": csv_format.format_vat_rate(Decimal(product.vat_rate)),
        "unite": csv_format.UNIT_NAMES.get(product.unit, product.unit),
        "stock": "" if product.stock is None else str(product.stock),
        "statut": csv_format.STATUS_NAMES.get(product.status, product.status),
        "categorie": category_name(product.category) if product.category else "",
        "labels": csv_format.format_labels(product.labels),
    }


def products_export(
    *, actor: User, merchant: Merchant, include_archived: bool = False
) -> Iterator[bytes]:
    """The shop's products as a CSV file, produced chunk by chunk for a streamed download
    (one query, read with a server-side cursor). Archived products only when asked."""
    require(can_edit_products_of(actor, merchant))
    products = products_for_export(merchant=merchant, include_archived=include_archived)
    return csv_format.write(_export_row(p) for p in products.iterator(chunk_size=500))


def export_filename(merchant: Merchant) -> str:
    return f"produits-{merchant.slug}-{timezone.localdate():%Y-%m-%d}.csv"


# --- Reads for the import pages (shared taxonomy, not tenant data) --------------------------


def categories_for_import() -> list[tuple[str, str]]:
    """Every category as (name to write in the file, slug), in the taxonomy's order."""

    def order(category: Category) -> tuple[int, str, bool, int, str]:
        top = category.parent or category
        is_child = category.parent is not None
        return (top.position, top.name, is_child, category.position, category.name)

    categories = sorted(Category.objects.select_related("parent"), key=order)
    return [(category_name(category), category.slug) for category in categories]


def outcome_counts(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """How many rows of a preview or report have each outcome."""
    counts = Counter(row["outcome"] for row in rows)
    return {outcome: counts[outcome] for outcome in OUTCOME_LABELS}

"""Setting the stock of many products at once, matched by their reference (SKU): what a
shop's till sends through the API (``POST /api/v1/merchants/{slug}/stock/``).

All or nothing: every line is checked first (a reference, a stock of 0 or more or none, no
reference twice) and nothing is written if one is wrong; then every known reference is set
in **one statement** — the lines go to PostgreSQL as two arrays (``unnest``), the shop's
matching products are locked in primary-key order (two syncs of the same shop at once
cannot deadlock, and a reservation taking units waits for the sync, or the sync for it),
and only the products whose stock differs are updated. References the shop does not have
are reported, not refused: a till knows articles the shop never listed online.

Like :func:`catalog.services.product_set_stock`, the stock given replaces the stock counted
(``None``: the shop stops counting the product's units); archived products are matched too.
Each product whose stock changed emits a ``stock.changed`` webhook event (written to the
outbox in the same transaction).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from catalog.models import Product
from catalog.permissions import can_edit_products_of
from catalog.services.products import MAX_STOCK
from merchants.models import Merchant

MAX_LINES = 10_000
# A call with thousands of wrong lines names this many of them (the first ones).
MAX_ERRORS_LISTED = 100
SKU_MAX_LENGTH = Product._meta.get_field("sku").max_length or 64


class StockLine(NamedTuple):
    """One line of a sync: a product's reference and its stock (None: not counted)."""

    sku: str
    stock: int | None


@dataclass
class StockSyncResult:
    """What a sync did: products changed, products already at that stock, references of
    no product of the shop (in the order given), and the ids of the products changed."""

    updated: int
    unchanged: int
    unknown_skus: list[str]
    changed_product_ids: list[int] = field(default_factory=list)


def line_error_key(index: int, name: str) -> str:
    """The key naming a field of a line in the errors: ``"3.stock"`` (lines count from 0)."""
    return f"{index}.{name}"


def _check(lines: Sequence[StockLine]) -> None:
    """Raise one ``ValidationError`` naming every wrong line (the first
    :data:`MAX_ERRORS_LISTED`), keyed by :func:`line_error_key`."""
    if len(lines) > MAX_LINES:
        raise ValidationError(
            _("At most %(max)s lines per call; send the rest in another call.")
            % {"max": f"{MAX_LINES:,}"},
            code="too_many_lines",
        )
    errors: dict[str, list[ValidationError]] = {}
    first_line: dict[str, int] = {}
    wrong = 0
    for index, (sku, stock) in enumerate(lines):
        line_errors: dict[str, ValidationError] = {}
        if not sku:
            line_errors["sku"] = ValidationError(_("A reference (SKU) is required."), "required")
        elif len(sku) > SKU_MAX_LENGTH:
            line_errors["sku"] = ValidationError(
                _("A reference has at most %(max)s characters.") % {"max": SKU_MAX_LENGTH},
                "max_length",
            )
        elif first_line.setdefault(sku, index) != index:
            line_errors["sku"] = ValidationError(
                _("The reference « %(sku)s » is already on line %(line)s: each reference once.")
                % {"sku": sku, "line": first_line[sku]},
                "duplicate",
            )
        if stock is not None and stock < 0:
            line_errors["stock"] = ValidationError(_("Stock cannot be negative."), "min_value")
        elif stock is not None and stock > MAX_STOCK:
            line_errors["stock"] = ValidationError(
                _("Stock cannot be more than %(limit)s.") % {"limit": MAX_STOCK}, "max_value"
            )
        if line_errors:
            wrong += 1
            if wrong <= MAX_ERRORS_LISTED:
                for name, error in line_errors.items():
                    errors[line_error_key(index, name)] = [error]
    if wrong > MAX_ERRORS_LISTED:
        errors["__all__"] = [
            ValidationError(
                _("%(count)s lines are wrong; the first %(listed)s are listed.")
                % {"count": wrong, "listed": MAX_ERRORS_LISTED},
                "too_many_errors",
            )
        ]
    if errors:
        raise ValidationError(errors)


# Lines → arrays → rows; lock the shop's matching products in id order; update those whose
# stock differs; count and report in the same statement. ``p.sku <> ''`` lets PostgreSQL use
# the partial unique index on (merchant, sku).
_SYNC_SQL = """
WITH wanted AS (
    SELECT w.sku, w.stock, w.position
    FROM unnest(%(skus)s::varchar[], %(stocks)s::integer[])
        WITH ORDINALITY AS w(sku, stock, position)
),
locked AS (
    SELECT p.id, p.sku, w.stock
    FROM catalog_product AS p
    JOIN wanted AS w ON w.sku = p.sku
    WHERE p.merchant_id = %(merchant)s AND p.sku <> ''
    ORDER BY p.id
    FOR UPDATE OF p
),
changed AS (
    UPDATE catalog_product AS p
    SET stock = locked.stock, updated_at = %(now)s
    FROM locked
    WHERE p.id = locked.id AND p.stock IS DISTINCT FROM locked.stock
    RETURNING p.id
)
SELECT
    (SELECT count(*) FROM locked),
    (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM changed),
    (SELECT coalesce(array_agg(w.sku ORDER BY w.position), '{}')
     FROM wanted AS w
     WHERE NOT EXISTS (SELECT 1 FROM locked WHERE locked.sku = w.sku))
"""


def _webhooks(merchant: Merchant, product_ids: list[int]) -> None:
    """``stock.changed`` for each product changed, in this transaction (the outbox): one
    query to find the endpoints; the products are read (one query) only if some listen."""
    from partners.services.webhooks import emit_products

    def products() -> Iterator[Product]:
        # A generator: even the queryset (10,000 ids to prepare) is built only if needed.
        yield from Product.objects.filter(pk__in=product_ids).order_by("pk")

    emit_products(event_type="stock.changed", merchant=merchant, products=products())


@transaction.atomic
def products_sync_stock(
    *, actor: User, merchant: Merchant, lines: Sequence[StockLine]
) -> StockSyncResult:
    """Set the stock of the shop's products named by reference, all or nothing (module
    docstring). Raises ``ValidationError`` naming each wrong line (``"<index>.sku"``,
    ``"<index>.stock"``), or ``too_many_lines`` beyond :data:`MAX_LINES`."""
    require(can_edit_products_of(actor, merchant))
    _check(lines)
    if not lines:
        return StockSyncResult(updated=0, unchanged=0, unknown_skus=[])
    with connection.cursor() as cursor:
        cursor.execute(
            _SYNC_SQL,
            {
                "skus": [line.sku for line in lines],
                "stocks": [line.stock for line in lines],
                "merchant": merchant.pk,
                "now": timezone.now(),
            },
        )
        row = cursor.fetchone()
    assert row is not None  # an aggregate SELECT always returns its row
    known, changed_ids, unknown = row
    if changed_ids:
        _webhooks(merchant, changed_ids)
    return StockSyncResult(
        updated=len(changed_ids),
        unchanged=known - len(changed_ids),
        unknown_skus=list(unknown),
        changed_product_ids=list(changed_ids),
    )

"""What the merchant write endpoints accept: input serializers, separate from what they return
(a product as the read endpoints show it: ``partners.api.serializers.ProductSerializer``).

They parse types only — a price is a decimal with two places, a category a known slug, a
stock a whole number or null — and refuse fields they do not know (a typo must not be
ignored silently). The rules of a product (price not negative, former price above the price,
a reference once per shop…) are the services' (``catalog.services``), checked the same way
for the API and the pages.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings

from catalog.models import Category, Label, Product, Unit, VatRate
from catalog.services import MAX_STOCK
from catalog.services.stock_sync import (
    MAX_ERRORS_LISTED,
    MAX_LINES,
    SKU_MAX_LENGTH,
    StockLine,
    line_error_key,
)

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
LINE_FIELDS = frozenset({"sku", "stock"})
VAT_RATES = {Decimal(value) for value in VatRate.values}


@extend_schema_field(
    {
        "type": "string",
        "enum": sorted(VatRate.values, key=Decimal, reverse=True),
        "description": 'A French VAT rate in percent; "5.5" and 5.5 are accepted too.',
    }
)
class VatRateField(serializers.DecimalField):
    """A French VAT rate in percent: ``"5.5"``, ``5.5`` or ``"5.50"`` are the same."""

    default_error_messages = {
        "unknown_rate": _("Choose one of the French VAT rates: 20, 10, 5.5 or 2.1.")
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=4, decimal_places=2, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        value = super().to_internal_value(data)
        if value not in VAT_RATES:
            self.fail("unknown_rate")
        return value


def _money(**kwargs: Any) -> serializers.DecimalField:
    # A string ("12.50") or a number (12.5); stored with two places, as the database does.
    return serializers.DecimalField(max_digits=10, decimal_places=2, **kwargs)


class _StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare, each named in the errors."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Unknown field.")] for name in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)


class ProductWriteSerializer(_StrictSerializer):
    """The fields of a product a shop writes through the API."""

    title = serializers.CharField(max_length=150)
    description = serializers.CharField(allow_blank=True, required=False)
    price = _money()
    compare_at_price = _money(allow_null=True, required=False)
    vat_rate = VatRateField(required=False)
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        allow_null=True,
        required=False,
        label="category",
        help_text="The slug of a category of the shared taxonomy (e.g. `fromagerie`); null: none.",
    )
    labels = serializers.ListField(
        child=serializers.ChoiceField(choices=Label.choices), required=False, max_length=20
    )
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    sku = serializers.CharField(allow_blank=True, max_length=SKU_MAX_LENGTH, required=False)
    stock = serializers.IntegerField(
        allow_null=True, min_value=0, max_value=MAX_STOCK, required=False
    )


class ProductCreateSerializer(ProductWriteSerializer):
    """``POST /api/v1/merchants/{slug}/products/``: ``title`` and ``price`` are required; the
    product is a draft unless ``status`` is ``published``."""

    status = serializers.ChoiceField(
        choices=[Product.Status.DRAFT, Product.Status.PUBLISHED],
        default=Product.Status.DRAFT,
    )


class ProductUpdateSerializer(ProductWriteSerializer):
    """``PATCH /api/v1/products/{id}/``: any field; ``status`` publishes, takes back to draft
    or archives."""

    status = serializers.ChoiceField(choices=Product.Status.choices, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class StockLineSerializer(_StrictSerializer):
    """One line of a stock sync; kept for the schema. The endpoint parses lines with
    :func:`parse_stock_lines`, which says the same faster (10,000 lines)."""

    sku = serializers.CharField(max_length=SKU_MAX_LENGTH)
    stock = serializers.IntegerField(allow_null=True, min_value=0, max_value=MAX_STOCK)


class TooManyLines(exceptions.APIException):
    """413: more lines than one call takes."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Too many lines in one call.")
    default_code = "too_many_lines"


def parse_stock_lines(data: Any) -> list[StockLine]:
    """The lines of ``[{"sku": "...", "stock": 12}, …]`` with their types checked: a list of
    objects, each with a ``sku`` (text) and a ``stock`` (a whole number, or null for « not
    counted »). Errors name the line — ``"3.stock"``, lines counting from 0 — for the first
    :data:`MAX_ERRORS_LISTED` wrong lines. The rules of the values (not negative, each
    reference once) are the service's."""
    if not isinstance(data, list):
        raise serializers.ValidationError(
            {NON_FIELD: [gettext('Send a JSON list: [{"sku": "…", "stock": 12}, …].')]},
            code="not_a_list",
        )
    if len(data) > MAX_LINES:
        raise TooManyLines(
            gettext("At most %(max)s lines per call; send the rest in another call.")
            % {"max": f"{MAX_LINES:,}"}
        )
    lines: list[StockLine] = []
    errors: dict[str, list[str]] = {}
    wrong = 0
    for index, item in enumerate(data):
        line_errors = _line_errors(index, item)
        if line_errors:
            wrong += 1
            if wrong <= MAX_ERRORS_LISTED:
                errors.update(line_errors)
        elif not errors:
            stock = None if item["stock"] is None else int(item["stock"])
            lines.append(StockLine(sku=item["sku"].strip(), stock=stock))
    if wrong > MAX_ERRORS_LISTED:
        errors[NON_FIELD] = [
            gettext("%(count)s lines are wrong; the first %(listed)s are listed.")
            % {"count": wrong, "listed": MAX_ERRORS_LISTED}
        ]
    if errors:
        raise serializers.ValidationError(errors, code="invalid")
    return lines


def _line_errors(index: int, item: Any) -> dict[str, list[str]]:
    if not isinstance(item, dict):
        return {str(index): [gettext('Each line is an object: {"sku": "…", "stock": 12}.')]}
    errors: dict[str, list[str]] = {}
    if len(item) > 2 or not item.keys() <= LINE_FIELDS:  # cheap: 10,000 lines go through
        for name in sorted(item.keys() - LINE_FIELDS):
            errors[line_error_key(index, name)] = [gettext("Unknown field.")]
    if not isinstance(item.get("sku"), str):
        errors[line_error_key(index, "sku")] = [gettext("A reference (SKU) is required, as text.")]
    if "stock" not in item:
        errors[line_error_key(index, "stock")] = [
            gettext("A stock is required: a whole number, or null if units are not counted.")
        ]
    elif not _whole_number_or_null(item["stock"]):
        errors[line_error_key(index, "stock")] = [
            gettext("A stock is a whole number, or null if units are not counted.")
        ]
    return errors


def _whole_number_or_null(value: Any) -> bool:
    # 12 and 12.0 (some tills write every number with a decimal point), not true or "12".
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return True
    return isinstance(value, float) and value.is_integer()


class StockSyncResultSerializer(serializers.Serializer):
    """What a stock sync answers."""

    updated = serializers.IntegerField(help_text="Products whose stock changed.")
    unchanged = serializers.IntegerField(help_text="Products already at the stock sent.")
    unknown_skus = serializers.ListField(
        child=serializers.CharField(),
        help_text="References sent that no product of the shop has, in the order sent.",
    )

"""Forms of a shop's listings in « Mon commerce »: they parse what the shopkeeper typed; the
services (catalog.services) decide whether it is acceptable and write it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Label, Product, ProductImage, Unit, VatRate
from catalog.selectors import BACKOFFICE_STATUS_ALL

# (top-level category, its sub-categories), as catalog.selectors.categories_grouped gives them.
GroupedCategories = Sequence[tuple[Category, Sequence[Category]]]

# Spaces a French keyboard or a copy-paste may put in a number (« 1 234,50 »), and the euro
# sign people type out of habit.
_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f€]")


def _model_field(field_name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", Product._meta.get_field(field_name))


def _label(field_name: str) -> Any:
    """The model field's verbose name, capitalised (already translated in the catalogue)."""
    return capfirst(_model_field(field_name).verbose_name)


def _help(field_name: str) -> Any:
    return _model_field(field_name).help_text


class PriceField(forms.DecimalField):
    """A price in euros typed either way: « 12,50 », « 12.50 », « 12,50 € », « 1 234,50 ».

    The comma is accepted whatever the language of the page (a French shopkeeper may browse
    in English), and the value is shown back the way the page's language writes numbers.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # A text box with the decimal keypad: type="number" refuses the comma in some browsers.
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        attrs.pop("step", None)
        return attrs

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _NUMBER_NOISE.sub("", value).replace(",", ".")
        return super().to_python(value)


class CategoryField(forms.ModelChoiceField):
    """A category chosen in a grouped ``<select>``: one ``<optgroup>`` per top-level
    category. ``top_label`` names the option that stands for the top-level category itself
    (« Alimentation (général) » on a product, « Alimentation (tout) » in a filter)."""

    def __init__(self, *, categories: GroupedCategories, top_label: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Category.objects.all())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        empty: list[Any] = [("", self.empty_label or "")]
        self.choices = empty + [
            (
                top.label,
                [(top.pk, top_label % {"category": top.label})]
                + [(child.pk, child.label) for child in children],
            )
            for top, children in categories
        ]


class StockField(forms.IntegerField):
    """A number of units; empty means the shop does not count them (None)."""

    default_error_messages = {
        "invalid": _("Enter a whole number of units, or leave empty if you do not count them."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # A text box with the digit keypad, not type="number": a browser empties a number
        # box holding « -3 » or « 2,5 », and the shopkeeper must see what they typed refused.
        attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        attrs.pop("step", None)
        return attrs

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = _NUMBER_NOISE.sub("", value)
        return super().to_python(value)


class ProductForm(forms.Form):
    """Create or edit a product (its status has buttons of its own)."""

    title = forms.CharField(label=_label("title"), max_length=150)
    sku = forms.CharField(
        label=_label("sku"), max_length=64, required=False, help_text=_help("sku")
    )
    description = forms.CharField(
        label=_label("description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    price = PriceField(label=_label("price"), help_text=_("For example 12,50"))
    compare_at_price = PriceField(
        label=_label("compare_at_price"), required=False, help_text=_help("compare_at_price")
    )
    vat_rate = forms.TypedChoiceField(
        label=_label("vat_rate"),
        choices=VatRate.choices,
        coerce=Decimal,
        initial=VatRate.STANDARD,
    )
    unit = forms.ChoiceField(label=_label("unit"), choices=Unit.choices, initial=Unit.PIECE)
    stock = StockField(label=_label("stock"), help_text=_help("stock"))
    labels = forms.MultipleChoiceField(
        label=_label("labels"),
        choices=Label.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, categories: GroupedCategories, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = CategoryField(
            categories=categories,
            top_label=_("%(category)s (general)"),
            label=_label("category"),
            empty_label=_("— No category —"),
        )

    @staticmethod
    def initial_for(product: Product) -> dict[str, Any]:
        """The form's initial values for an existing product."""
        return {
            "title": product.title,
            "sku": product.sku,
            "description": product.description,
            "price": product.price,
            "compare_at_price": product.compare_at_price,
            "vat_rate": product.vat_rate,
            "unit": product.unit,
            "stock": product.stock,
            "labels": list(product.labels),
            "category": product.category_id,
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once. Each file is checked by the service that adds it, so that one
    refused file does not refuse the others."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"multiple": True, "accept": "image/jpeg,image/png,image/webp"})
        return attrs

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return list(files)


class PhotoUploadForm(forms.Form):
    photos = PhotosField(
        label=_("Add photos"),
        help_text=_("JPEG, PNG or WebP; you may choose several at once."),
    )


class ProductCreateForm(ProductForm):
    """The first form also takes photos, so a product is listed in one go from a phone."""

    photos = PhotoUploadForm.base_fields["photos"]


class StockForm(forms.Form):
    """The quick stock edit of a row of the list."""

    stock = StockField(label=_("Stock"))


def product_ids(values: Sequence[str]) -> list[int]:
    """The ids of the ticked rows; anything that is not a number is no row of ours."""
    return [int(value) for value in values if value.isdigit()]


class BulkActionForm(forms.Form):
    """An action on the ticked rows of the list."""

    PUBLISH = "publish"
    ARCHIVE = "archive"
    CATEGORY = "category"

    action = forms.ChoiceField(
        choices=[
            (PUBLISH, _("Publish")),
            (ARCHIVE, _("Archive")),
            (CATEGORY, _("Change category")),
        ]
    )

    def __init__(self, *args: Any, categories: GroupedCategories, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = CategoryField(
            categories=categories,
            top_label=_("%(category)s (general)"),
            label=_("New category"),
            empty_label=_("— No category —"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ids = product_ids(self.data.getlist("products") if hasattr(self.data, "getlist") else [])
        if not ids:
            raise ValidationError(_("Tick at least one product first."), code="no_selection")
        cleaned["products"] = ids
        return cleaned


class ProductFilterForm(forms.Form):
    """Search, filters and order of the list, read from the URL (bookmarkable, no JS)."""

    SORTS = [
        ("title", _("Title, A to Z")),
        ("-title", _("Title, Z to A")),
        ("price", _("Price, lowest first")),
        ("-price", _("Price, highest first")),
        ("stock", _("Stock, lowest first")),
        ("-stock", _("Stock, highest first")),
        ("-updated", _("Recently updated first")),
        ("updated", _("Least recently updated first")),
    ]
    STATUSES = [
        ("", _("Drafts and published")),
        (Product.Status.DRAFT, Product.Status.DRAFT.label),
        (Product.Status.PUBLISHED, Product.Status.PUBLISHED.label),
        (Product.Status.ARCHIVED, Product.Status.ARCHIVED.label),
        (BACKOFFICE_STATUS_ALL, _("All, archived included")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def __init__(self, *args: Any, categories: GroupedCategories, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": gettext("Title, reference, description…")}
        )
        self.fields["category"] = CategoryField(
            categories=categories,
            top_label=_("%(category)s (all)"),
            label=_("Category"),
            empty_label=_("All categories"),
        )

    def filters(self) -> dict[str, Any]:
        """The filters for products_for_backoffice. A parameter that is not valid (a stale
        bookmark naming a category that no longer exists) is dropped, the others kept."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "",
            "category": data.get("category"),
            "sort": data.get("sort") or "title",
        }


class PhotoAltForm(forms.Form):
    alt_text = forms.CharField(
        label=capfirst(ProductImage._meta.get_field("alt_text").verbose_name),
        help_text=ProductImage._meta.get_field("alt_text").help_text,
        max_length=200,
        required=False,
    )


class PhotoMoveForm(forms.Form):
    direction = forms.TypedChoiceField(choices=[("-1", "up"), ("1", "down")], coerce=int)


class PhotoOrderForm(forms.Form):
    """The new order of the photos after a drag and drop: their ids, main photo first."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = self.data.getlist("order") if hasattr(self.data, "getlist") else []
        ids = product_ids(values)
        if not ids or len(ids) != len(values):
            raise ValidationError(_("The new order of the photos did not come through."))
        cleaned["order"] = ids
        return cleaned


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("publish", "publish"), ("unpublish", "unpublish"), ("archive", "archive")]
    )

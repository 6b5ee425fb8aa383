"""The shared catalog's filters, read from the URL (bookmarkable, shareable, work without JS).

Categories and shops are chosen by slug among lists the page has already fetched, so
validating the form makes no query of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.forms.products import GroupedCategories, PriceField
from catalog.models import Category, Label
from merchants.models import Merchant


class CatalogFilterForm(forms.Form):
    """Category, shop, label, price range, in stock only, and the order of the results."""

    SORTS = [
        ("recent", _("Newest first")),
        ("prix", _("Price, lowest first")),
        ("-prix", _("Price, highest first")),
        ("titre", _("Title, A to Z")),
    ]
    # The URL's parameters, French like the page's URL; ``page`` is the paginator's.
    FILTER_NAMES = ("categorie", "boutique", "label", "prix_min", "prix_max", "en_stock")

    label = forms.ChoiceField(
        label=_("Label"), choices=[("", _("All labels")), *Label.choices], required=False
    )
    prix_min = PriceField(
        label=_("Minimum price (€)"),
        required=False,
        min_value=Decimal(0),
        error_messages={"invalid": _("Enter a price in euros, for example 12,50.")},
    )
    prix_max = PriceField(
        label=_("Maximum price (€)"),
        required=False,
        min_value=Decimal(0),
        error_messages={"invalid": _("Enter a price in euros, for example 12,50.")},
    )
    en_stock = forms.BooleanField(label=_("In stock only"), required=False)
    tri = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def __init__(
        self,
        *args: Any,
        categories: GroupedCategories,
        shops: Sequence[Merchant],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._categories = {top.slug: top for top, _children in categories}
        self._categories.update(
            {child.slug: child for _top, children in categories for child in children}
        )
        self._shops = {shop.slug: shop for shop in shops}
        self.fields["categorie"] = forms.ChoiceField(
            label=_("Category"),
            required=False,
            choices=[
                ("", _("All categories")),
                *[
                    (
                        top.label,
                        [(top.slug, _("%(category)s (all)") % {"category": top.label})]
                        + [(child.slug, child.label) for child in children],
                    )
                    for top, children in categories
                ],
            ],
        )
        self.fields["boutique"] = forms.ChoiceField(
            label=_("Shop"),
            required=False,
            choices=[("", _("All shops")), *[(shop.slug, shop.name) for shop in shops]],
        )
        self.order_fields(["categorie", "boutique", "label", "prix_min", "prix_max", "en_stock"])
        for name in ("prix_min", "prix_max"):
            self.fields[name].widget.attrs["placeholder"] = "12,50"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("prix_min"), data.get("prix_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "prix_max", ValidationError(_("The maximum price must be above the minimum."))
            )
        return data

    def filters(self) -> dict[str, Any]:
        """The arguments of collectives.selectors.collective_catalog. A parameter that is not
        valid (a stale link naming a shop that left) is dropped, the others kept."""
        self.is_valid()
        data = self.cleaned_data
        category: Category | None = self._categories.get(data.get("categorie") or "")
        return {
            "category": category,
            "shop": self._shops.get(data.get("boutique") or ""),
            "label": data.get("label") or "",
            "min_price": data.get("prix_min"),
            "max_price": data.get("prix_max"),
            "in_stock": bool(data.get("en_stock")),
            "sort": data.get("tri") or "recent",
        }

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.FILTER_NAMES)

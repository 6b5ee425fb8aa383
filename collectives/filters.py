"""The shared catalog's search box and filters, read from the URL (bookmarkable, shareable,
work without JS), and its facets.

Categories and shops are chosen by slug among lists the page has already fetched, so
validating the form makes no query of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from catalog.forms.products import GroupedCategories, PriceField
from catalog.models import Category, Label
from catalog.search import NEAREST, GeoPoint, ProductFacets, ProductFilters
from merchants.models import Merchant

# « Within … km »: the distances offered (a link may carry only these).
DISTANCES_KM = ("1", "2", "5", "10", "20")


@dataclass(frozen=True)
class FacetChoice:
    """One value of a facet: its label, how many products it gives, the URL that applies it
    (or, when it is the chosen one, removes it)."""

    label: str
    count: int
    url: str
    selected: bool = False
    nested: bool = False  # a sub-category, listed under its parent


@dataclass(frozen=True)
class FacetGroup:
    """A facet of the results (categories, shops, labels) with the choices that give some."""

    name: str
    title: str
    choices: list[FacetChoice]
    all_url: str  # the URL without this facet's filter
    selected: bool


class CatalogFilterForm(forms.Form):
    """The search box; category, shop, label, price range, in stock only, open now and
    distance; and the order of the results."""

    SORTS = [
        # Empty: relevance when there is a query, else newest first (see catalog.search).
        ("", _("Most relevant")),
        ("recent", _("Newest first")),
        ("prix", _("Price, lowest first")),
        ("-prix", _("Price, highest first")),
        ("titre", _("Title, A to Z")),
        (NEAREST, _("Nearest first")),
    ]
    # The URL's parameters, French like the page's URL; ``page`` is the paginator's.
    FILTER_NAMES = (
        "q",
        "categorie",
        "boutique",
        "label",
        "prix_min",
        "prix_max",
        "en_stock",
        "ouvert",
        "km",
        "lat",
        "lng",
    )

    q = forms.CharField(
        label=_("Search the catalog"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "enterkeyhint": "search",
                "spellcheck": "false",
            }
        ),
    )
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
    ouvert = forms.BooleanField(label=_("Shop open now"), required=False)
    km = forms.TypedChoiceField(
        label=_("Distance"),
        required=False,
        coerce=Decimal,
        empty_value=None,
        choices=[
            ("", _("Any distance")),
            *[(km, _("Within %(km)s km") % {"km": km}) for km in DISTANCES_KM],
        ],
    )
    # The point distances are measured from (« Near me » fills it in); without it, the
    # collective's map centre.
    lat = forms.FloatField(
        required=False, min_value=-90, max_value=90, localize=False, widget=forms.HiddenInput
    )
    lng = forms.FloatField(
        required=False, min_value=-180, max_value=180, localize=False, widget=forms.HiddenInput
    )
    tri = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def __init__(
        self,
        *args: Any,
        categories: GroupedCategories,
        shops: Sequence[Merchant],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._grouped = categories
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
        self.order_fields(
            [
                "q",
                "categorie",
                "boutique",
                "label",
                "prix_min",
                "prix_max",
                "en_stock",
                "ouvert",
                "km",
            ]
        )
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
        latitude, longitude = data.get("lat"), data.get("lng")
        near = None
        if latitude is not None and longitude is not None:
            near = GeoPoint(latitude=latitude, longitude=longitude)
        filters = ProductFilters(
            q=data.get("q") or "",
            category=category,
            shop=self._shops.get(data.get("boutique") or ""),
            label=data.get("label") or "",
            min_price=data.get("prix_min"),
            max_price=data.get("prix_max"),
            in_stock=bool(data.get("en_stock")),
            open_now=bool(data.get("ouvert")),
            near=near,
            km=data.get("km"),
        )
        return {"filters": filters, "sort": data.get("tri") or ""}

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.FILTER_NAMES)

    # --- Facets ---------------------------------------------------------------------------

    def url_with(self, **changes: str | None) -> str:
        """The current URL's query with ``changes`` (None removes a parameter), back to the
        first page."""
        query = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        for name, value in {**changes, "page": None}.items():
            if value is None:
                query.pop(name, None)
            else:
                query[name] = value
        return f"?{query.urlencode()}"

    def _choice(self, name: str, value: str, label: str, count: int, **extra: Any) -> FacetChoice:
        selected = self.data.get(name) == value
        url = self.url_with(**{name: None if selected else value})
        return FacetChoice(label=label, count=count, url=url, selected=selected, **extra)

    def facet_groups(self, facets: ProductFacets) -> list[FacetGroup]:
        """The facets of the results, in the taxonomy's and the page's orders, with only the
        choices that give products (and the chosen one, even if it gives none)."""
        categories: list[FacetChoice] = []
        for top, children in self._grouped:
            counts = [(child, facets.categories.get(child.pk, 0)) for child in children]
            total = facets.categories.get(top.pk, 0) + sum(count for _child, count in counts)
            if total or self.data.get("categorie") == top.slug:
                categories.append(self._choice("categorie", top.slug, str(top.label), total))
            categories += [
                self._choice("categorie", child.slug, str(child.label), count, nested=True)
                for child, count in counts
                if count or self.data.get("categorie") == child.slug
            ]
        shops = [
            self._choice("boutique", shop.slug, shop.name, facets.shops.get(shop.pk, 0))
            for shop in self._shops.values()
            if facets.shops.get(shop.pk) or self.data.get("boutique") == shop.slug
        ]
        labels = [
            self._choice("label", str(value), str(text), facets.labels.get(str(value), 0))
            for value, text in Label.choices
            if facets.labels.get(str(value)) or self.data.get("label") == value
        ]
        return [
            FacetGroup(
                name=name,
                title=str(title),
                choices=choices,
                all_url=self.url_with(**{name: None}),
                selected=any(choice.selected for choice in choices),
            )
            for name, title, choices in (
                ("categorie", _("Categories"), categories),
                ("boutique", _("Shops"), shops),
                ("label", _("Labels"), labels),
            )
            if choices
        ]

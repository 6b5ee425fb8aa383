"""Forms of group buys: opening one (the shop's and the organisers' form) and a customer's
pledge. They only parse what was sent; the rules live in :mod:`orders.services.group_buys`,
whose errors the views put back next to the fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from collectives.forms.selections import LocalDateTimeInput
from collectives.models import EventOccurrence
from merchants.views.shop import attach_errors
from orders.models import Source
from orders.services.group_buys import MAX_PLEDGE, MAX_TIERS, TierRequest

SHOP_PICKUP = "shop"


class ProductChoiceField(forms.ModelChoiceField):
    """« Product — 12,50 € », with the shop's name when several shops are offered."""

    def __init__(self, *args: Any, with_shop: bool = False, **kwargs: Any) -> None:
        self.with_shop = with_shop
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        price = formats.number_format(obj.price, 2)
        label = f"{obj.title} — {price} €"
        return f"{obj.merchant.name} · {label}" if self.with_shop else label


class GroupBuyForm(forms.Form):
    """A new group buy: the product, up to five tiers (rows of quantity + discount), the
    deadline (Paris time), an optional maximum and the pickup place."""

    product = ProductChoiceField(queryset=Product.objects.none(), label=_("Product"))
    description = forms.CharField(
        label=_("A word to customers (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example where the goods come from and when they arrive."),
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        widget=LocalDateTimeInput(),
        help_text=_("Pledges close then (at most 90 days ahead)."),
    )
    max_quantity = forms.IntegerField(
        label=_("Maximum quantity (optional)"),
        required=False,
        min_value=1,
        help_text=_("Empty: no limit. Pledges above it are refused."),
    )
    pickup = forms.ChoiceField(label=_("Pickup"), choices=())

    def __init__(
        self,
        *args: Any,
        products: QuerySet[Product],
        pickup_dates: QuerySet[EventOccurrence],
        with_shop: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        product_field = self.fields["product"]
        assert isinstance(product_field, ProductChoiceField)
        product_field.queryset = products
        product_field.with_shop = with_shop
        self.dates = {str(o.pk): o for o in pickup_dates}
        pickup_field = self.fields["pickup"]
        assert isinstance(pickup_field, forms.ChoiceField)
        pickup_field.choices = [
            (SHOP_PICKUP, _("In the shop")),
            *[(key, _date_label(occurrence)) for key, occurrence in self.dates.items()],
        ]
        self.tier_errors: list[str] = []
        for row in range(1, MAX_TIERS + 1):
            self.fields[f"tier_quantity_{row}"] = forms.IntegerField(
                label=_("From (units in total)"), required=False, min_value=1
            )
            self.fields[f"tier_discount_{row}"] = forms.DecimalField(
                label=_("Discount (%)"),
                required=False,
                min_value=Decimal("0.01"),
                max_value=Decimal("99.99"),
                decimal_places=2,
            )

    def tier_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        """The tier inputs, row by row, for the template."""
        return [
            (row, self[f"tier_quantity_{row}"], self[f"tier_discount_{row}"])
            for row in range(1, MAX_TIERS + 1)
        ]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("product", "description", "deadline", "max_quantity")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tiers = []
        for row in range(1, MAX_TIERS + 1):
            quantity = cleaned.get(f"tier_quantity_{row}")
            discount = cleaned.get(f"tier_discount_{row}")
            if quantity is None and discount is None:
                continue
            if quantity is None or discount is None:
                missing = f"tier_quantity_{row}" if quantity is None else f"tier_discount_{row}"
                if missing not in self.errors:
                    self.add_error(missing, _("Fill in both the quantity and the discount."))
                continue
            tiers.append(TierRequest(min_quantity=quantity, discount=discount))
        if not tiers and not any(name.startswith("tier_") for name in self.errors):
            self.tier_errors.append(str(_("Add at least one price tier.")))
            raise ValidationError(_("Please correct the errors below."), code="tiers")
        cleaned["tiers"] = tiers
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``group_buy_open`` (without the actor and collective)."""
        data = self.cleaned_data
        return {
            "product": data["product"],
            "tiers": data["tiers"],
            "deadline": data["deadline"],
            "max_quantity": data.get("max_quantity"),
            "pickup_occurrence": self.dates.get(data["pickup"]),
            "description": data.get("description", ""),
        }

    def attach_service_errors(self, error: ValidationError) -> None:
        """Put the service's errors next to their fields: the tiers' above the tier rows,
        the pickup date's on the pickup choice."""
        if hasattr(error, "error_dict"):
            errors = dict(error.error_dict)
            self.tier_errors.extend(m for e in errors.pop("tiers", []) for m in e.messages)
            if "pickup_occurrence" in errors:
                errors["pickup"] = errors.pop("pickup_occurrence")
            if errors:
                attach_errors(self, ValidationError(errors))
            elif self.tier_errors:
                self.add_error(None, _("Please correct the errors below."))
            return
        attach_errors(self, error)


def _date_label(occurrence: EventOccurrence) -> str:
    starts = timezone.localtime(occurrence.starts_at)
    when = formats.date_format(starts, "l j F Y, H:i")
    return f"{occurrence.event.title} — {when} ({occurrence.event.collective.name})"


class PledgeForm(forms.Form):
    """How many units the customer pledges (and, hidden, where they came from)."""

    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_PLEDGE,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    source = forms.ChoiceField(
        choices=Source.choices,
        required=False,
        widget=forms.HiddenInput(),
    )

    def clean_source(self) -> str:
        return self.cleaned_data.get("source") or Source.GROUP_BUY

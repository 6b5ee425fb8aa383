"""Forms of reservations: the customer's reserve form, and the shop's decline, cancel and
pickup-code boxes. They only parse what was typed; the rules live in
:mod:`orders.services.reservations`, whose field errors come back next to the fields
(``merchants.views.shop.attach_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.selectors.reservations import ReservationOffer
from orders.services.reservations import NOTE_MAX_LENGTH, PHONE_MAX_LENGTH


class ReserveForm(forms.Form):
    """Quantity, pickup (one of the offer's choices), an optional message and phone. The
    fields are laid out by ``orders/reservations/_reserve.html``, shared with the product
    page, which shows the same form unbound."""

    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    pickup = forms.ChoiceField(label=_("Pick up"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Message to the shop"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=PHONE_MAX_LENGTH)
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, offer: ReservationOffer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # At most what is left (and the sane maximum): the shop's stock decides.
        self.fields["quantity"] = forms.IntegerField(
            label=_("Quantity"), min_value=1, max_value=offer.max_quantity, initial=1
        )
        self.fields["pickup"].choices = [(c.key, c.label) for c in offer.choices]  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (the customer reads it)"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ShopCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (the customer reads it)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PickupCodeForm(forms.Form):
    """The code a customer shows or says at the counter (spaces and dashes are fine)."""

    code = forms.CharField(
        label=_("Pickup code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

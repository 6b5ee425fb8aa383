"""The form of a webhook endpoint. It only parses what was sent; the rules (HTTPS, public
address, events offered to the owner) live in :mod:`partners.services.webhooks`, whose field
errors the views put back next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import MERCHANT_ONLY_EVENTS, WEBHOOK_EVENTS, WebhookEndpoint

# What each event means, for the checkboxes (the code itself is shown beside it).
EVENT_LABELS = {
    "product.created": _("A product is created"),
    "product.updated": _("A product is changed, published or unpublished"),
    "product.archived": _("A product is archived"),
    "stock.changed": _("The stock of a product changes"),
    "event.published": _("An event is published"),
    "event.updated": _("A published event or one of its dates changes"),
    "event.cancelled": _("An event is cancelled"),
    "reservation.created": _("A customer reserves"),
    "reservation.updated": _("A reservation changes status"),
    "groupbuy.closed": _("A group buy closes"),
}


def event_choices(*, for_merchant: bool) -> list[tuple[str, str]]:
    """The events an owner may subscribe to: reservations are a shop's business only."""
    return [
        (event, f"{event} — {EVENT_LABELS[event]}")
        for event in WEBHOOK_EVENTS
        if for_merchant or event not in MERCHANT_ONLY_EVENTS
    ]


class EndpointForm(forms.Form):
    """Address, description and events of an endpoint."""

    url = forms.CharField(
        label=_("Address (HTTPS)"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
        help_text=_("Halle sends a POST request with a signed JSON body to this address."),
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        max_length=200,
        required=False,
        help_text=_("Who receives it, e.g. « Caisse du magasin » or « Site de la mairie »."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    def __init__(self, *args: Any, for_merchant: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = event_choices(for_merchant=for_merchant)  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(endpoint: WebhookEndpoint) -> dict[str, Any]:
        return {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": list(endpoint.events),
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"url": data["url"], "description": data["description"], "events": data["events"]}

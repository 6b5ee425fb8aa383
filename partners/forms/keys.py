"""The organisers' form for a new partner key. It only parses what was sent; the rules
(origins, rate) live in :func:`partners.services.keys.partner_key_create`, whose field errors
the view puts back next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.services.keys import ORGANISER_MAX_RATE


class PartnerKeyForm(forms.Form):
    """Name, allowed sites (one a line) and rate of a new key."""

    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Who uses it, e.g. « Site de la mairie » or « Office de tourisme »."),
    )
    allowed_origins = forms.CharField(
        label=_("Sites allowed to call the API from a browser (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://www.mairie-exemple.fr"}),
        help_text=_(
            "One address a line, such as https://www.mairie-exemple.fr. Leave empty if the "
            "partner calls the API from their server only."
        ),
    )
    rate_per_minute = forms.IntegerField(
        label=_("Requests per minute"),
        min_value=1,
        max_value=ORGANISER_MAX_RATE,
        initial=ORGANISER_MAX_RATE,
        help_text=_("At most %(max)d; anonymous calls get 60.") % {"max": ORGANISER_MAX_RATE},
    )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "allowed_origins": data["allowed_origins"].splitlines(),
            "rate": data["rate_per_minute"],
        }

"""The form that names a new shop API token. The rules are the service's
(:func:`partners.services.tokens.merchant_token_create`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import MerchantToken


class MerchantTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=MerchantToken._meta.get_field("name").max_length,
        help_text=_("What will use it, e.g. « Till of the shop » or « Online shop sync »."),
    )

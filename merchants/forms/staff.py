"""Forms of the shop's team page."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StaffInviteForm(forms.Form):
    """Whom to invite: the e-mail address the link is sent to, and the one they must log in
    with to accept it."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_(
            "We send a link valid for 7 days. Your colleague logs in (or creates an account) "
            "with this address to join."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

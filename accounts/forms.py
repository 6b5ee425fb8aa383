"""Forms of the account pages."""

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (allauth calls ``signup`` after creating the user)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("How you appear to shops and organisers, e.g. “Marie L.”."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=User.Language.choices, required=False
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        data: dict[str, Any] = self.cleaned_data
        user.display_name = data.get("display_name", "")
        # Without an explicit choice, keep the language the person is browsing in.
        language = data.get("preferred_language") or getattr(request, "LANGUAGE_CODE", "fr")
        user.preferred_language = language if language in User.Language.values else "fr"
        user.save(update_fields=["display_name", "preferred_language"])

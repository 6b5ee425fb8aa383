"""Forms of « Mon compte »: the person's settings, and the confirmation of an account's
deletion."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class AccountSettingsForm(forms.Form):
    """Name shown to shops and organisers, language, and where notices are e-mailed."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("How you appear to shops and organisers, e.g. “Marie L.”."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=User.Language.choices,
        help_text=_("The language of your e-mails from Halle."),
    )
    notification_email = forms.EmailField(
        label=_("E-mail for notifications"),
        required=False,
        help_text=_("Where Halle sends your notices. Leave empty to use your log-in address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> AccountSettingsForm:
        """The form, filled with the user's current settings."""
        return cls(
            data=data,
            initial={
                "display_name": user.display_name,
                "preferred_language": user.preferred_language,
                "notification_email": user.notification_email,
            },
        )


class AccountDeleteForm(forms.Form):
    """« Are you sure? »: the person types their password — or, for an account without one,
    their e-mail address — so a session left open on a shared device cannot delete it."""

    secret = forms.CharField(strip=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.by_password = user.has_usable_password()
        field = self.fields["secret"]
        if self.by_password:
            field.label = _("Your password")
            field.widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
        else:
            field.label = _("Your e-mail address")
            field.widget = forms.EmailInput(attrs={"autocomplete": "off"})

    def clean_secret(self) -> str:
        secret: str = self.cleaned_data["secret"]
        if self.by_password:
            if not self.user.check_password(secret):
                raise forms.ValidationError(_("This is not your password."), code="password")
        elif secret.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(
                _("This is not the e-mail address of your account."), code="email"
            )
        return secret

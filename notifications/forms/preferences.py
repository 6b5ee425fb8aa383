"""The preferences form: one choice per kind of notice (transactional ones shown, locked),
and « only the essential e-mails »."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind
from notifications.models import Preference


def field_name(kind: Kind) -> str:
    """The form field of a kind (dots are not welcome in HTML ids)."""
    return "kind__" + kind.name.replace(".", "__")


class PreferencesForm(forms.Form):
    """Built from the kinds the person sees and their current choices."""

    all_off = forms.BooleanField(
        label=_(
            "Only the essential e-mails (about your reservations, registrations and invitations)"
        ),
        required=False,
    )

    def __init__(
        self, *args: Any, kinds: list[Kind], chosen: dict[str, str], all_off: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["all_off"].initial = all_off
        for kind in kinds:
            self.fields[field_name(kind)] = forms.ChoiceField(
                label=str(kind.label),
                choices=Preference.Mode.choices,
                widget=forms.RadioSelect,
                initial=kind.mode_for(chosen.get(kind.name)),
                # Transactional: shown so people know they get them, but never changed.
                disabled=kind.transactional,
                help_text=_("Always sent: it is about something you asked for.")
                if kind.transactional
                else "",
            )

    def modes(self) -> dict[str, str]:
        """The chosen mode of each kind that can be changed (after ``is_valid()``)."""
        return {
            kind.name: self.cleaned_data[field_name(kind)]
            for kind in self.kinds
            if not kind.transactional
        }

    def rows(self) -> list[dict[str, Any]]:
        """The fields by audience, for the template."""
        return [{"kind": kind, "field": self[field_name(kind)]} for kind in self.kinds]

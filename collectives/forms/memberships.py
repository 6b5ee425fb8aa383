"""Forms of the organiser space, of joining a collective, and of a shop's collectives."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from collectives.models import Collective
from merchants.models import Merchant


class CollectiveCreateForm(forms.ModelForm):
    """A new collective: the essentials; it stays a draft until an admin publishes it."""

    class Meta:
        model = Collective
        fields = ["name", "town", "description", "charter"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "charter": forms.Textarea(attrs={"rows": 6}),
        }


class CollectiveEditForm(forms.ModelForm):
    """The collective's page, charter and map centre (admins)."""

    class Meta:
        model = Collective
        fields = [
            "name",
            "town",
            "description",
            "charter",
            "map_latitude",
            "map_longitude",
            "map_zoom",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "charter": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("map_latitude", "map_longitude"):
            field = self.fields[name]
            field.localize = True  # « 44,4087 » as well as « 44.4087 »
            field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
            field.widget.is_localized = True

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class OrganiserAddForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of their Halle account"),
        max_length=254,
        help_text=_("The person must already have a Halle account."),
    )


class CollectiveInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Shopkeeper's e-mail address"),
        max_length=254,
        help_text=_(
            "We send a link valid for 14 days. They log in (or create an account) with this "
            "address, pick or create their shop and accept the charter."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    message = forms.CharField(
        label=_("Personal message (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MessageForm(forms.Form):
    """An optional message with an answer (declining a request, suspending, asking to join)."""

    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class JoinForm(forms.Form):
    """Accepting an invitation: which of my shops joins, and the charter accepted."""

    merchant = forms.ModelChoiceField(
        label=_("Which shop joins?"),
        queryset=Merchant.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the shops you own.")},
    )
    accept_charter = forms.BooleanField(
        label=_("I accept the charter"),
        required=False,  # checked by the service, so the message is the same everywhere
    )

    def __init__(self, *args: Any, shops: QuerySet[Merchant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchant"].queryset = shops  # type: ignore[attr-defined]


class JoinRequestForm(forms.Form):
    """A shop asks to join an active collective it is not in."""

    collective = forms.ModelChoiceField(
        label=_("Collective"),
        queryset=Collective.objects.none(),
        error_messages={"invalid_choice": _("Choose a collective from the list.")},
    )
    message = forms.CharField(
        label=_("Message to the organisers (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, collectives: QuerySet[Collective], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collective"].queryset = collectives  # type: ignore[attr-defined]

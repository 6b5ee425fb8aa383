"""Forms of selections: the organisers' selection form, their product search, and a shop's
proposal. They only parse what was sent; the rules live in
:mod:`collectives.services.selections`, whose field errors the views put back next to the
fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from collectives.models import Selection, SelectionItem

IMAGE_TYPES = "image/jpeg,image/png,image/webp"


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is Europe/Paris time (``TIME_ZONE``),
    which the field turns into an aware datetime."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class SelectionForm(forms.Form):
    """Title, text, visibility window, switches and cover of a selection."""

    title = forms.CharField(
        label=_("Title"),
        max_length=150,
        help_text=_("For example « Noël local », « Fête des mères », « Nouveautés »."),
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few words about what brings these products together."),
    )
    visible_from = forms.DateTimeField(
        label=_("Visible from (optional)"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("Empty: as soon as it is published."),
    )
    visible_until = forms.DateTimeField(
        label=_("Visible until (optional)"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("Empty: until you unpublish it."),
    )
    is_featured = forms.BooleanField(
        label=_("Feature it on the collective's page"), required=False, initial=True
    )
    accepts_proposals = forms.BooleanField(
        label=_("Member shops may propose products"), required=False, initial=True
    )
    cover = forms.FileField(
        label=_("Cover photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, in landscape. A new photo replaces the current one."),
        widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
    )
    cover_alt_text = forms.CharField(
        label=_("Description of the cover photo"),
        required=False,
        max_length=200,
        help_text=_("What the photo shows, for people who cannot see it."),
    )

    def __init__(self, *args: Any, has_cover: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if has_cover:
            self.fields["remove_cover"] = forms.BooleanField(
                label=_("Remove the cover photo"), required=False
            )

    @staticmethod
    def initial_for(selection: Selection) -> dict[str, Any]:
        cover = selection.photos.all()[0] if selection.photos.all() else None
        return {
            "title": selection.title,
            "text": selection.text,
            "visible_from": selection.visible_from,
            "visible_until": selection.visible_until,
            "is_featured": selection.is_featured,
            "accepts_proposals": selection.accepts_proposals,
            "cover_alt_text": cover.alt_text if cover else "",
        }

    def service_arguments(self) -> dict[str, Any]:
        """What the create and update services take, from the cleaned data."""
        data = dict(self.cleaned_data)
        if not data.get("cover"):
            data["cover"] = None
        return data


class ProductSearchForm(forms.Form):
    """The organiser's search in the shared catalog (title or shop)."""

    q = forms.CharField(
        label=_("Search the shared catalog"),
        required=False,
        max_length=100,
        help_text=_("A word of the product's title or of the shop's name."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def search(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class ProposalForm(forms.Form):
    """A shop proposes one of its published products, with a word for the organisers."""

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), empty_label=None
    )
    note = forms.CharField(
        label=_("Message to the organisers (optional)"),
        required=False,
        max_length=SelectionItem._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this product fits the selection."),
    )

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = products

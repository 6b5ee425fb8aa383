"""Forms of the stories of craft in « Mon commerce ».

They only parse what the shopkeeper sent: the rules (video providers, photo checks, products of
the shop only, lengths) live in :mod:`merchants.services.stories`, whose field errors the views
put back next to the fields.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant
from merchants.selectors import story_product_choices
from merchants.services.stories import BODY_MAX_LENGTH, MAX_PHOTOS


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one ``<input type="file" multiple>``; cleans to a list of files."""

    widget = MultiplePhotoInput

    def clean(self, data: Any, initial: Any = None) -> list[File]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProductCheckboxes(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.status != "published":
            return gettext("%(title)s (draft)") % {"title": obj.title}
        return str(obj.title)


class StoryForm(forms.Form):
    """Title, text, video link, photos to add and linked products of a story."""

    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Write as you would speak. Layout help is just below."),
    )
    video_url = forms.CharField(
        label=_("Video link (optional)"),
        required=False,
        max_length=500,
        # A text input, not type=url: the server's message says what links are accepted.
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"}
        ),
        help_text=_(
            "The address of the video's page on PeerTube, YouTube or Vimeo. Visitors see a "
            "link; the video plays only if they ask for it."
        ),
    )
    photos = MultiplePhotoField(
        label=_("Add photos"),
        required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    products = ProductCheckboxes(
        label=_("Products this story tells about"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The story will also appear on these products' pages."),
    )

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the shop's own products can be chosen: another shop's product is refused
        # as "not one of the available choices".
        products = self.fields["products"]
        assert isinstance(products, forms.ModelMultipleChoiceField)
        products.queryset = story_product_choices(merchant=merchant)
        self.fields["photos"].help_text = gettext(
            "JPEG, PNG or WebP, up to %(count)s photos per story. You can describe each photo "
            "once it is added."
        ) % {"count": MAX_PHOTOS}

    def story_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("title", "body", "video_url")}


class StoryImageForm(forms.Form):
    """The description of one photo."""

    alt_text = forms.CharField(
        label=_("Description of the photo"),
        max_length=200,
        required=False,
        help_text=_("What the photo shows, for people who cannot see it."),
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: next to its field when the form has
    one, at the top of the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)

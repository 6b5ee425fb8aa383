"""Forms of a live session's control room: adding a product to the line-up, moving one."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from collectives.models import LineupItem


def _choice_label(product: Product) -> str:
    price = formats.number_format(product.price, 2)
    return f"{product.title} — {product.merchant.name} — {price} €"


class LineupAddForm(forms.Form):
    """A product to add at the end of the line-up, and a note shown with it.

    ``candidates`` is every product that may be added (it validates the choice); ``shown``
    is the few the organiser searched for (the options of the list), so the page stays
    short however large the collective's catalog.
    """

    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        empty_label=_("Choose a product"),
        error_messages={
            "invalid_choice": _("Choose a published product of a member shop."),
        },
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=LineupItem._meta.get_field("note").max_length,
        required=False,
        help_text=_("Shown with the product, e.g. « −10 % during the live »."),
    )

    def __init__(
        self,
        *args: Any,
        candidates: QuerySet[Product],
        shown: list[Product],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates
        # The options are only the products searched for; the chosen one stays listed
        # when the form comes back with an error, so nothing typed is lost.
        options = list(shown)
        chosen = self.data.get(self.add_prefix("product")) if self.is_bound else None
        if chosen and not any(str(p.pk) == str(chosen) for p in options):
            options += list(candidates.filter(pk=chosen)) if str(chosen).isdigit() else []
        field.widget.choices = [
            ("", field.empty_label),
            *((p.pk, _choice_label(p)) for p in options),
        ]


class LineupMoveForm(forms.Form):
    """Up or down, from the arrow buttons of a line-up row."""

    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])

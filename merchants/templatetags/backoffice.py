"""Template helpers of « Mon commerce »."""

from django import template
from django.db.models import QuerySet

from merchants.models import Merchant
from merchants.selectors import shops_of

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_shops(context: template.Context) -> QuerySet[Merchant]:
    """The shops the current user works in, for the shop switcher."""
    return shops_of(actor=context["request"].user)

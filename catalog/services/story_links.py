"""Links between products and the shop's stories of craft, seen from the product's side.

The link is ``Product.stories`` (catalog builds on merchants). The story form sets it from the
story's side with :func:`merchants.services.story_set_products`; this is the product form's
way. Both enforce the same rule: a product and a story are linked only within one shop.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from catalog.models import Product
from catalog.permissions import can_edit_product
from merchants.models import Story


@transaction.atomic
def product_set_stories(*, actor: User, product: Product, stories: Iterable[Story]) -> Product:
    """Replace the stories that tell about ``product``; only its own shop's stories may be set."""
    require(can_edit_product(actor, product))
    story_list = list(stories)
    if any(story.merchant_id != product.merchant_id for story in story_list):
        raise ValidationError(
            {
                "stories": ValidationError(
                    _("A product can only be linked to its own shop's stories."),
                    code="foreign_story",
                )
            }
        )
    product.stories.set(story_list)
    return product

"""Who may do what with products. Organisers of a collective never edit a member's products:
only the people who work for the shop do."""

from accounts.permissions import Actor
from catalog.models import Product
from merchants.models import Merchant
from merchants.permissions import can_edit_merchant


def can_edit_products_of(user: Actor, merchant: Merchant) -> bool:
    return can_edit_merchant(user, merchant)


def can_edit_product(user: Actor, product: Product) -> bool:
    return can_edit_merchant(user, product.merchant)

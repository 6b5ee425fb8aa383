"""Who may do what with a shop."""

from accounts.permissions import Actor
from merchants.models import Merchant, MerchantMember


def merchant_role(user: Actor, merchant: Merchant) -> str | None:
    """The user's role in the shop (``owner``/``staff``), or None."""
    if not user.is_authenticated:
        return None
    return (
        MerchantMember.objects.filter(user=user, merchant=merchant)
        .values_list("role", flat=True)
        .first()
    )


def can_edit_merchant(user: Actor, merchant: Merchant) -> bool:
    """Owners and staff edit the shop, its products, hours and stories."""
    return merchant_role(user, merchant) is not None


def can_manage_merchant(user: Actor, merchant: Merchant) -> bool:
    """Only owners publish the shop, manage its staff and commit it to a collective."""
    return merchant_role(user, merchant) == MerchantMember.Role.OWNER

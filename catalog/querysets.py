"""Named query terms for products and their photos."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from accounts.permissions import Actor
    from catalog.models import Product  # noqa: F401 -- named by the generic base below
    from collectives.models import Collective
    from merchants.models import Merchant


class ProductQuerySet(models.QuerySet["Product"]):
    def published(self) -> ProductQuerySet:
        """What the public sees: published products of active shops."""
        return self.filter(status="published", merchant__status="active")

    def for_merchant(self, merchant: Merchant) -> ProductQuerySet:
        return self.filter(merchant=merchant)

    def for_collective(self, collective: Collective) -> ProductQuerySet:
        """Products of the shops that are active members of ``collective``."""
        from collectives.models import Membership

        members = Membership.objects.filter(collective=collective, status="active").values(
            "merchant_id"
        )
        return self.filter(merchant_id__in=members)

    def visible_to(self, user: Actor) -> ProductQuerySet:
        """Published products, plus every product of the shops the user works in."""
        if not user.is_authenticated:
            return self.published()
        from merchants.models import MerchantMember

        staffed = MerchantMember.objects.filter(user=user).values("merchant_id")
        return self.filter(
            models.Q(status="published", merchant__status="active")
            | models.Q(merchant_id__in=staffed)
        )

    def in_stock(self) -> ProductQuerySet:
        """Products that can be sold now: untracked stock counts as available."""
        return self.filter(models.Q(stock__isnull=True) | models.Q(stock__gt=0))

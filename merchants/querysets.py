"""Named query terms for shops."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from accounts.permissions import Actor
    from merchants.models import Merchant, Story  # noqa: F401 -- generic bases below


class MerchantQuerySet(models.QuerySet["Merchant"]):
    def active(self) -> MerchantQuerySet:
        """Shops open to the public (published and not suspended)."""
        return self.filter(status="active")

    def for_collective(self, collective: object) -> MerchantQuerySet:
        """Shops that are active members of ``collective``."""
        return self.filter(
            collective_memberships__collective=collective,
            collective_memberships__status="active",
        )

    def staffed_by(self, user: Actor) -> MerchantQuerySet:
        """Shops where ``user`` is owner or staff."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(members__user=user)

    def visible_to(self, user: Actor) -> MerchantQuerySet:
        """Active shops, plus the drafts and suspended shops the user works in."""
        if not user.is_authenticated:
            return self.active()
        from merchants.models import MerchantMember

        staffed = MerchantMember.objects.filter(user=user).values("merchant_id")
        return self.filter(models.Q(status="active") | models.Q(pk__in=staffed))


class StoryQuerySet(models.QuerySet["Story"]):
    def published(self) -> StoryQuerySet:
        """Published stories of active shops, newest first."""
        return self.filter(status="published", merchant__status="active").order_by("-published_at")

"""Named query terms for collectives and their memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from accounts.permissions import Actor
    from collectives.models import Collective, Membership  # noqa: F401 -- generic bases


class CollectiveQuerySet(models.QuerySet["Collective"]):
    def active(self) -> CollectiveQuerySet:
        return self.filter(status="active")

    def organised_by(self, user: Actor) -> CollectiveQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisers__user=user)

    def visible_to(self, user: Actor) -> CollectiveQuerySet:
        """Active collectives, plus those the user organises whatever their status."""
        if not user.is_authenticated:
            return self.active()
        from collectives.models import Organiser

        organised = Organiser.objects.filter(user=user).values("collective_id")
        return self.filter(models.Q(status="active") | models.Q(pk__in=organised))


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(status="active")

    def pending(self) -> MembershipQuerySet:
        """Invitations and join requests that await an answer."""
        return self.filter(status__in=["invited", "requested"])

"""Named query terms for collectives and their memberships."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.permissions import Actor
    from collectives.models import (  # noqa: F401 -- generic bases
        Collective,
        Event,
        EventOccurrence,
        Membership,
        Selection,
    )


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


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> EventQuerySet:
        """Events the public sees: published, and cancelled ones (shown as cancelled, so
        people who planned to come learn it)."""
        return self.filter(status__in=["published", "cancelled"])

    def visible_to(self, user: Actor) -> EventQuerySet:
        """Published and cancelled events, plus every event of collectives the user
        organises (drafts previewed)."""
        if not user.is_authenticated:
            return self.published()
        from collectives.models import Organiser

        organised = Organiser.objects.filter(user=user).values("collective_id")
        return self.filter(
            models.Q(status__in=["published", "cancelled"]) | models.Q(collective_id__in=organised)
        )


class EventOccurrenceQuerySet(models.QuerySet["EventOccurrence"]):
    def public(self) -> EventOccurrenceQuerySet:
        """Dates of published (or cancelled) events of active collectives."""
        return self.filter(
            event__status__in=["published", "cancelled"], event__collective__status="active"
        )

    def upcoming(self, now: dt.datetime | None = None) -> EventOccurrenceQuerySet:
        """Dates not over yet (a market that started this morning is still on)."""
        return self.filter(ends_at__gt=now or timezone.now())


class SelectionQuerySet(models.QuerySet["Selection"]):
    def visible(self, now: dt.datetime | None = None) -> SelectionQuerySet:
        """Published selections inside their visibility window."""
        now = now or timezone.now()
        return self.filter(
            models.Q(visible_from__isnull=True) | models.Q(visible_from__lte=now),
            models.Q(visible_until__isnull=True) | models.Q(visible_until__gt=now),
            status="published",
        )

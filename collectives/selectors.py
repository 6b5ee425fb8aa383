"""Reads of collectives, scoped to the person asking."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.permissions import Actor
from collectives.models import Collective, Membership
from merchants.models import Closure, Merchant, OpeningHours


def collectives_for_home(*, actor: Actor) -> QuerySet[Collective]:
    """Collectives listed on the home page, with their number of active member shops."""
    return (
        Collective.objects.visible_to(actor)
        .annotate(
            member_count=Count(
                "memberships",
                filter=Q(memberships__status=Membership.Status.ACTIVE)
                & Q(memberships__merchant__status=Merchant.Status.ACTIVE),
            )
        )
        .order_by("name")
    )


def collective_for_public_page(*, actor: Actor, slug: str) -> Collective:
    try:
        return Collective.objects.visible_to(actor).get(slug=slug)
    except Collective.DoesNotExist:
        raise Http404 from None


def member_shops(*, collective: Collective) -> QuerySet[Merchant]:
    """The collective's active, public member shops with their weekly hours."""
    return (
        Merchant.objects.active()
        .for_collective(collective)
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            Prefetch(
                "closures", queryset=Closure.objects.filter(ends_on__gte=timezone.localdate())
            ),
        )
        .order_by("name")
    )


def collectives_for_sitemap() -> QuerySet[Collective]:
    return Collective.objects.active().only("slug", "updated_at").order_by("pk")

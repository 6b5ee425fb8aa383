"""Reads of shops, scoped to the person asking."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.permissions import Actor
from merchants.models import Closure, Merchant, OpeningHours


def merchant_for_public_page(*, actor: Actor, slug: str) -> Merchant:
    """The shop of a public page, with its hours and upcoming closures; 404 if out of reach.

    Drafts and suspended shops are visible only to the people who work there.
    """
    from django.utils import timezone

    today = timezone.localdate()
    queryset = Merchant.objects.visible_to(actor).prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
        Prefetch(
            "closures",
            queryset=Closure.objects.filter(ends_on__gte=today).order_by("starts_on"),
        ),
    )
    try:
        return queryset.get(slug=slug)
    except Merchant.DoesNotExist:
        raise Http404 from None


def merchant_for_staff(*, actor: Actor, slug: str) -> Merchant:
    """A shop the actor works in, whatever its status; 404 for anybody else's."""
    try:
        return Merchant.objects.staffed_by(actor).get(slug=slug)
    except Merchant.DoesNotExist:
        raise Http404 from None


def merchants_for_sitemap() -> QuerySet[Merchant]:
    return Merchant.objects.active().only("slug", "updated_at").order_by("pk")

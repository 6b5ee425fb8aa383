"""Reads of shops, scoped to the person asking."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.permissions import Actor
from merchants.models import Closure, Merchant, MerchantMember, OpeningHours


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


def staff_membership(*, actor: Actor, slug: str) -> MerchantMember:
    """The actor's role in the shop ``slug``, with the shop; 404 if they do not work there.

    One query: the back-office resolves the tenant once per request with it.
    """
    if not actor.is_authenticated:
        raise Http404
    member = (
        MerchantMember.objects.select_related("merchant")
        .filter(user=actor, merchant__slug=slug)
        .first()
    )
    if member is None:
        raise Http404
    return member


def shops_of(*, actor: Actor) -> QuerySet[Merchant]:
    """The shops the actor works in, for the shop switcher."""
    return Merchant.objects.staffed_by(actor).only("name", "slug", "status").order_by("name")

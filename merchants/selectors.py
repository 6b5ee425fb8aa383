"""Reads of shops, scoped to the person asking."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.permissions import Actor
from merchants.models import (
    Closure,
    Merchant,
    MerchantMember,
    OpeningHours,
    StaffInvitation,
    Story,
    StoryImage,
)


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


# --- « Mon commerce »: the shop's own pages (the tenant is already resolved) ----------------
# (This section was appended while other parts of the file were being written in parallel; its
# import sits here rather than at the top for that reason.)


def shop_checklist(*, merchant: Merchant) -> dict[str, bool]:
    """What makes a good shop page, and whether this shop has it, in the order to show it.

    One query (are there weekly hours?); the rest is read from the shop's row.
    """
    return {
        "address": bool(merchant.street and merchant.postcode and merchant.city),
        "hours": merchant.opening_hours.exists(),
        "position": merchant.has_location,
        "logo": bool(merchant.logo),
        "description": bool(merchant.short_description),
    }


def weekly_hours(*, merchant: Merchant) -> list[OpeningHours]:
    """The shop's weekly opening ranges, by day then time."""
    return list(merchant.opening_hours.order_by("weekday", "opens"))


def upcoming_closures(*, merchant: Merchant) -> list[Closure]:
    """The shop's exceptional closures not yet over, soonest first."""
    from django.utils import timezone

    today = timezone.localdate()
    return list(merchant.closures.filter(ends_on__gte=today).order_by("starts_on", "pk"))


def staff_members(*, merchant: Merchant) -> list[MerchantMember]:
    """The shop's team with each person's account: owners first ("owner" sorts before
    "staff"), then by e-mail address."""
    return list(merchant.members.select_related("user").order_by("role", "user__email", "pk"))


def pending_staff_invitations(*, merchant: Merchant) -> list[StaffInvitation]:
    """Invitations neither accepted nor withdrawn, newest first; expired ones included, so
    the owner sees them and can send a new link."""
    return list(
        merchant.staff_invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def staff_invitation_for_token(*, token: str) -> StaffInvitation | None:
    """The invitation an e-mailed link points to, with its shop, or None. The link itself is
    the credential: whoever holds it may see which shop it is for."""
    from merchants.invitations import invitation_token_hash

    return (
        StaffInvitation.objects.select_related("merchant", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


# --- Stories of craft ----------------------------------------------------------------------


def _story_images() -> Prefetch:
    return Prefetch("images", queryset=StoryImage.objects.order_by("position", "pk"))


def _stories_visible_q(actor: Actor) -> Q:
    """The rule of products' ``visible_to``, for stories: the public sees published stories of
    active shops; a shop's own team also sees its drafts (previewing them)."""
    published = Q(status=Story.Status.PUBLISHED, merchant__status=Merchant.Status.ACTIVE)
    if not actor.is_authenticated:
        return published
    staffed = MerchantMember.objects.filter(user=actor).values("merchant_id")
    return published | Q(merchant_id__in=staffed)


def stories_visible_to(*, actor: Actor) -> QuerySet[Story]:
    """Every story the actor may read, newest first (drafts, for their team, come first)."""
    return Story.objects.filter(_stories_visible_q(actor)).order_by("-published_at", "-created_at")


def stories_for_backoffice(*, merchant: Merchant) -> QuerySet[Story]:
    """The shop's stories for « Mon commerce », with photos and the number of linked products:
    one query for the stories, one for their photos, whatever their number."""
    return (
        merchant.stories.annotate(product_count=Count("products"))
        .prefetch_related(_story_images())
        .order_by("-created_at", "-pk")
    )


def story_for_staff(*, merchant: Merchant, pk: int) -> Story:
    """One story of the shop, with its photos; 404 if it belongs to another shop."""
    try:
        return merchant.stories.prefetch_related(_story_images()).get(pk=pk)
    except Story.DoesNotExist:
        raise Http404 from None


def story_image_for_staff(*, merchant: Merchant, story_pk: int, pk: int) -> StoryImage:
    """One photo of one of the shop's stories; 404 for anybody else's."""
    image = (
        StoryImage.objects.select_related("story", "story__merchant")
        .filter(pk=pk, story_id=story_pk, story__merchant=merchant)
        .first()
    )
    if image is None:
        raise Http404
    return image


def story_product_choices(*, merchant: Merchant) -> QuerySet[Any]:
    """The products a story of the shop may be linked to: its own, archived ones aside.

    Reached through the reverse relation ``merchant.products`` (catalog builds on merchants).
    """
    return (
        merchant.products.exclude(status="archived")
        .only("pk", "title", "status")
        .order_by("title", "pk")
    )


def stories_for_shop_page(*, actor: Actor, merchant: Merchant) -> QuerySet[Story]:
    """The shop's stories the actor may read, newest first, with their photos.

    Starting from ``merchant.stories`` attaches the shop to every story: no query per link.
    """
    return (
        merchant.stories.filter(_stories_visible_q(actor))
        .prefetch_related(_story_images())
        .order_by("-published_at", "-created_at")
    )


def story_for_public_page(*, actor: Actor, merchant_slug: str, slug: str) -> Story:
    """One story with its shop and photos; 404 if the actor may not read it."""
    story = (
        stories_visible_to(actor=actor)
        .select_related("merchant")
        .prefetch_related(_story_images())
        .filter(merchant__slug=merchant_slug, slug=slug)
        .first()
    )
    if story is None:
        raise Http404
    return story


def stories_for_sitemap() -> QuerySet[Story]:
    return (
        Story.objects.filter(status=Story.Status.PUBLISHED, merchant__status=Merchant.Status.ACTIVE)
        .select_related("merchant")
        .only("slug", "updated_at", "merchant__slug")
        .order_by("pk")
    )

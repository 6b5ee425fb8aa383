"""A person's share of the merchants app, for « Mon compte » (see
:mod:`accounts.personal_data`): the shops they work for.

A shop is not its owner's personal data: it has customers, reservations and a team. So a
person who is the only owner of a shop that customers know (active or suspended) or that
others work for cannot delete their account until someone else owns it or the shop is
closed; the account would otherwise leave it with nobody able to run it. A draft that only
they ever worked on is theirs alone: it stays unpublished, with no team.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import User
from merchants.models import Merchant, MerchantMember

OWNER = MerchantMember.Role.OWNER


def export_shops(user: User) -> list[dict[str, Any]]:
    """The shops the person works for: name, role and since when (nothing of the shop's
    other people)."""
    members = (
        MerchantMember.objects.filter(user=user)
        .select_related("merchant")
        .order_by("merchant__name", "pk")
    )
    return [
        {"shop": m.merchant.name, "role": m.get_role_display(), "since": m.created_at}
        for m in members
    ]


def shops_left_without_owner(user: User) -> list[Merchant]:
    """The shops that deleting ``user`` would leave without an owner although customers know
    them (active, suspended) or other people work there."""
    others = ~Q(members__user=user)
    own = MerchantMember.objects.filter(user=user, role=OWNER).values("merchant_id")
    # By id, not by joining the user's row: the counts must see the whole team.
    owned = (
        Merchant.objects.filter(pk__in=own)
        .annotate(
            other_owners=Count("members", filter=others & Q(members__role=OWNER), distinct=True),
            other_members=Count("members", filter=others, distinct=True),
        )
        .order_by("name", "pk")
    )
    return [
        shop
        for shop in owned
        if shop.other_owners == 0
        and (shop.status != Merchant.Status.DRAFT or shop.other_members > 0)
    ]


def check_shops(user: User) -> list[str]:
    """Why the account cannot go yet: one message per shop it would leave without an owner."""
    return [
        _(
            "You are the only owner of the shop « %(shop)s ». Before deleting your account, "
            "hand the shop over to someone who will run it (the Halle team can make them its "
            "owner) or ask the Halle team to close it."
        )
        % {"shop": shop.name}
        for shop in shops_left_without_owner(user)
    ]


def erase_shops(user: User) -> None:
    """Take the person off every shop team. The shops they own are locked first (as when an
    owner is removed from a team) and checked again, so a co-owner leaving at the same
    moment cannot leave a shop with nobody."""
    shop_ids = list(
        MerchantMember.objects.filter(user=user, role=OWNER)
        .order_by("merchant_id")
        .values_list("merchant_id", flat=True)
    )
    list(Merchant.objects.select_for_update().filter(pk__in=shop_ids).order_by("pk"))
    refusals = check_shops(user)
    if refusals:
        raise ValidationError([ValidationError(r, code="refused") for r in refusals])
    MerchantMember.objects.filter(user=user).delete()

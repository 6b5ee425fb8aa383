"""Following shops and collectives: the writes behind the « Suivre » buttons.

Every function is idempotent: following twice keeps the one row (the database's unique
constraints guard it even when two clicks race), unfollowing what one does not follow does
nothing. Only what the public sees may be followed — an active shop, an active collective —
while unfollowing always works, so a person can let go of a shop that has since closed.
The actor is always the follower: nobody follows on someone else's behalf.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from collectives.models import Collective, Follow
from merchants.models import Merchant


def _require_follower(actor: User) -> None:
    require(actor.is_authenticated, "Log in to follow shops and collectives.")


@transaction.atomic
def follow_shop(*, actor: User, merchant: Merchant) -> Follow:
    """The actor follows ``merchant``: its new products and stories come into « Mon fil ».

    Returns the follow (the existing one when already following). Refused with a
    ``not_public`` ValidationError unless the shop is active (a draft or suspended shop is
    not public, even to its own team, who have no reason to follow it)."""
    _require_follower(actor)
    # Read the status as it is now, not as the caller's copy remembers it.
    status = Merchant.objects.filter(pk=merchant.pk).values_list("status", flat=True).first()
    if status != Merchant.Status.ACTIVE:
        raise ValidationError(_("Only a public shop can be followed."), code="not_public")
    follow, _created = Follow.objects.get_or_create(user=actor, merchant=merchant)
    return follow


@transaction.atomic
def unfollow_shop(*, actor: User, merchant: Merchant) -> None:
    """The actor stops following ``merchant`` (nothing happens if they did not follow it)."""
    _require_follower(actor)
    Follow.objects.filter(user=actor, merchant=merchant).delete()


@transaction.atomic
def follow_collective(*, actor: User, collective: Collective) -> Follow:
    """The actor follows ``collective``: its events and selections, and the new products of
    its member shops, come into « Mon fil ».

    Returns the follow (the existing one when already following). Refused with a
    ``not_public`` ValidationError unless the collective is active."""
    _require_follower(actor)
    status = Collective.objects.filter(pk=collective.pk).values_list("status", flat=True).first()
    if status != Collective.Status.ACTIVE:
        raise ValidationError(_("Only a public collective can be followed."), code="not_public")
    follow, _created = Follow.objects.get_or_create(user=actor, collective=collective)
    return follow


@transaction.atomic
def unfollow_collective(*, actor: User, collective: Collective) -> None:
    """The actor stops following ``collective`` (nothing happens if they did not follow it)."""
    _require_follower(actor)
    Follow.objects.filter(user=actor, collective=collective).delete()

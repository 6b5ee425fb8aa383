"""Every write to a shop's team: invitations by e-mail, accepting them, removing members.

An invitation link carries a random token that exists only in the e-mail: the database keeps
its SHA-256, so a leaked table hands out no working link. A link works once and for
:data:`INVITATION_VALIDITY`; inviting the same address again renews the open invitation with a
new link (the old one stops working).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import Actor, require
from merchants.invitations import (
    invitation_check,
    invitation_renew,
    invitation_token_hash,
)
from merchants.models import Merchant, MerchantMember, StaffInvitation
from merchants.permissions import can_manage_merchant

INVITATION_VALIDITY = dt.timedelta(days=7)


def staff_invitation_check(*, invitation: StaffInvitation | None, actor: Actor) -> None:
    """Raise ``ValidationError`` (with a ``code`` the page uses) unless ``actor`` may accept
    ``invitation`` now: the codes of :func:`merchants.invitations.invitation_check`, plus
    ``already_member``."""
    invitation_check(invitation=invitation, actor=actor)
    assert invitation is not None  # invitation_check refuses a missing invitation
    team = MerchantMember.objects.filter(merchant_id=invitation.merchant_id)
    # invitation_check refused visitors: ``actor`` is a User from here on.
    if team.filter(user=actor).exists():  # type: ignore[misc]
        raise ValidationError(_("You already work for this shop."), code="already_member")


@transaction.atomic
def staff_invite(*, actor: User, merchant: Merchant, email: str) -> tuple[StaffInvitation, str]:
    """Invite ``email`` to join the shop's staff and e-mail them a link, once committed.

    Returns the invitation and the link's token — the only time the token exists outside
    the e-mail. Re-inviting an address with an open (or expired) invitation renews it.
    """
    require(can_manage_merchant(actor, merchant))
    email = email.strip()
    if MerchantMember.objects.filter(merchant=merchant, user__email__iexact=email).exists():
        raise ValidationError(
            {"email": _("This person already works for this shop.")}, code="already_member"
        )
    invitation, token = invitation_renew(
        model=StaffInvitation,
        scope={"merchant": merchant},
        email=email,
        actor=actor,
        validity=INVITATION_VALIDITY,
        role=MerchantMember.Role.STAFF,
    )

    from merchants.tasks import send_staff_invitation

    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_staff_invitation.delay(invitation_id, token))
    return invitation, token


@transaction.atomic
def staff_invitation_withdraw(*, actor: User, invitation: StaffInvitation) -> StaffInvitation:
    """Withdraw an invitation that has not been accepted: its link stops working."""
    require(can_manage_merchant(actor, invitation.merchant))
    invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."), code="used")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def staff_invitation_accept(*, actor: User, token: str) -> MerchantMember:
    """Join the shop's team with an invitation link. Raises ``ValidationError`` with the codes
    of :func:`staff_invitation_check`. The link works once (the row is locked while it is used)."""
    require(actor.is_authenticated)
    invitation = (
        StaffInvitation.objects.select_for_update()
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
    staff_invitation_check(invitation=invitation, actor=actor)
    assert invitation is not None  # invitation_check refuses a missing invitation
    member = MerchantMember.objects.create(
        merchant_id=invitation.merchant_id, user=actor, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return member


@transaction.atomic
def staff_member_remove(*, actor: User, member: MerchantMember) -> None:
    """Take someone off the shop's team. A shop always keeps at least one owner, so the last
    owner can be removed by nobody, themselves included."""
    require(can_manage_merchant(actor, member.merchant))
    # Lock the shop: two owners removing each other at once must not leave it with none.
    Merchant.objects.select_for_update().filter(pk=member.merchant_id).first()
    if member.role == MerchantMember.Role.OWNER:
        owners = MerchantMember.objects.filter(
            merchant_id=member.merchant_id, role=MerchantMember.Role.OWNER
        )
        if not owners.exclude(pk=member.pk).exists():
            raise ValidationError(
                _("A shop needs at least one owner: this person is the last one."),
                code="last_owner",
            )
    MerchantMember.objects.filter(pk=member.pk).delete()

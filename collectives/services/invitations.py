"""Invitations to join a collective, sent by e-mail to a shopkeeper who may not be on Halle yet.

It works like the invitation to a shop's team (``merchants.services.staff``): the link carries
a random token that exists only in the e-mail, the database keeps its SHA-256, the link works
once and until it expires, and inviting the same address again renews the open invitation with
a new link. The invitee logs in with the invited address, picks one of the shops they own (or
creates one first), accepts the charter, and that shop becomes an active member.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from collectives.models import Collective, CollectiveInvitation, Membership
from collectives.permissions import can_organise
from collectives.services.memberships import _activate, _locked
from merchants.invitations import (
    invitation_check,
    invitation_is_open,
    invitation_renew,
    invitation_token_hash,
)
from merchants.models import Merchant
from merchants.permissions import can_manage_merchant

# A shopkeeper may take longer than a colleague to answer: twice the staff invitation's week.
COLLECTIVE_INVITATION_VALIDITY = dt.timedelta(days=14)

S = Membership.Status


# The rules are those of every e-mailed invitation (merchants.invitations).
collective_invitation_is_open = invitation_is_open
collective_invitation_check = invitation_check


@transaction.atomic
def collective_invite(
    *, actor: User, collective: Collective, email: str, message: str = ""
) -> tuple[CollectiveInvitation, str]:
    """Invite ``email`` to bring a shop into the collective, and e-mail them a link once
    committed. Returns the invitation and the link's token (the only time it exists outside
    the e-mail). Re-inviting an address with an open (or expired) invitation renews it."""
    require(can_organise(actor, collective))
    email = email.strip()
    invitation, token = invitation_renew(
        model=CollectiveInvitation,
        scope={"collective": collective},
        email=email,
        actor=actor,
        validity=COLLECTIVE_INVITATION_VALIDITY,
        message=message,
    )

    from collectives.tasks import send_collective_invitation

    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_collective_invitation.delay(invitation_id, token))
    return invitation, token


@transaction.atomic
def collective_invitation_withdraw(
    *, actor: User, invitation: CollectiveInvitation
) -> CollectiveInvitation:
    """Withdraw an invitation that has not been accepted: its link stops working."""
    require(can_organise(actor, invitation.collective))
    invitation = CollectiveInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."), code="used")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def collective_invitation_accept(
    *, actor: User, token: str, merchant: Merchant, charter_accepted: bool
) -> Membership:
    """Bring ``merchant`` (a shop ``actor`` owns) into the collective with an invitation link.

    Raises ``ValidationError`` with the codes of :func:`collective_invitation_check`, or naming
    the field at fault (``accept_charter``, ``merchant``); ``PermissionDenied`` for a shop the
    actor does not own. The invitation row is locked, so the link works once.
    """
    require(actor.is_authenticated)
    invitation = (
        CollectiveInvitation.objects.select_for_update()
        .select_related("collective")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
    collective_invitation_check(invitation=invitation, actor=actor)
    assert invitation is not None  # the check refuses None
    if not can_manage_merchant(actor, merchant):
        raise PermissionDenied
    if not charter_accepted:
        raise ValidationError(
            {"accept_charter": _("Tick this box to accept the charter: it is how you join.")},
            code="charter",
        )
    membership = _locked(invitation.collective, merchant)
    inviter = invitation.invited_by
    if membership is None:
        membership = Membership.objects.create(
            collective=invitation.collective,
            merchant=merchant,
            status=S.ACTIVE,
            joined_at=timezone.now(),
            invited_by=inviter,
        )
    elif membership.status == S.ACTIVE:
        raise ValidationError(
            {
                "merchant": _("%(shop)s is already a member of this collective.")
                % {"shop": merchant}
            },
            code="already_member",
        )
    elif membership.status == S.SUSPENDED:
        raise ValidationError(
            {
                "merchant": _("%(shop)s is suspended from this collective: ask its organisers.")
                % {"shop": merchant}
            },
            code="suspended",
        )
    else:  # invited, requested, declined or left: the row moves to active
        membership = _activate(membership, by=inviter)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.merchant = merchant
    invitation.save(update_fields=["accepted_at", "accepted_by", "merchant"])
    return membership

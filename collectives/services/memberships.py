"""Every write to collectives, their organisers and their memberships.

A membership moves through its states (invited/requested → active → left…) on one row per
(collective, shop); each transition locks that row so two answers at once cannot both apply.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from collectives.models import Collective, Membership, Organiser
from collectives.permissions import can_administer, can_organise
from merchants.models import Merchant
from merchants.permissions import can_manage_merchant
from merchants.slugs import unique_slug

S = Membership.Status

# Words of the organiser space's URLs (/organiser/nouveau-collectif/): never a collective's slug.
RESERVED_SLUGS = frozenset({"nouveau-collectif"})


@transaction.atomic
def collective_create(*, actor: User, name: str, town: str, **fields: Any) -> Collective:
    """Create a collective; ``actor`` becomes its first admin."""
    require(actor.is_authenticated)
    collective = Collective(name=name, town=town, **fields)
    collective.slug = unique_slug(
        Collective.objects.all(), name, max_length=160, reserved=RESERVED_SLUGS
    )
    collective.full_clean()
    collective.save()
    Organiser.objects.create(collective=collective, user=actor, role=Organiser.Role.ADMIN)
    return collective


@transaction.atomic
def collective_publish(*, actor: User, collective: Collective) -> Collective:
    require(can_administer(actor, collective))
    collective.status = Collective.Status.ACTIVE
    collective.save(update_fields=["status", "updated_at"])
    return collective


@transaction.atomic
def organiser_add(
    *, actor: User, collective: Collective, user: User, role: str = Organiser.Role.ORGANISER
) -> Organiser:
    """Make ``user`` a co-organiser (admins only)."""
    require(can_administer(actor, collective))
    if Organiser.objects.filter(collective=collective, user=user).exists():
        raise ValidationError(
            _("%(user)s already organises this collective.") % {"user": user},
            code="already_organiser",
        )
    organiser = Organiser(collective=collective, user=user, role=role)
    organiser.full_clean()
    organiser.save()
    return organiser


def _locked(collective: Collective, merchant: Merchant) -> Membership | None:
    return (
        Membership.objects.select_for_update()
        .filter(collective=collective, merchant=merchant)
        .first()
    )


def _activate(membership: Membership, *, by: User | None) -> Membership:
    membership.status = S.ACTIVE
    membership.joined_at = timezone.now()
    membership.left_at = None
    if by is not None:
        membership.invited_by = by
    membership.save()
    return membership


def _already_message(membership: Membership, *, own: bool) -> str:
    """Why a new invitation or request makes no sense, for the organiser or the shop."""
    shop = {"shop": membership.merchant}
    if membership.status == S.INVITED:
        return _("%(shop)s has already been invited.") % shop
    if membership.status == S.REQUESTED:
        if own:
            return _("Your request to join is already waiting for an answer.")
        return _("%(shop)s has already asked to join.") % shop
    if membership.status == S.SUSPENDED:
        if own:
            return _("Your shop is suspended from this collective.")
        return _("%(shop)s is suspended from this collective.") % shop
    if own:
        return _("Your shop is already a member of this collective.")
    return _("%(shop)s is already a member of this collective.") % shop


def _transition(membership: Membership, allowed_from: set[str], error: str) -> Membership:
    """Re-read ``membership`` under a lock and check it is in one of ``allowed_from``."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.status not in allowed_from:
        raise ValidationError(error, code="invalid_transition")
    return locked


@transaction.atomic
def membership_invite(
    *, actor: User, collective: Collective, merchant: Merchant, message: str = ""
) -> Membership:
    """An organiser invites a shop. A shop that had asked to join is simply accepted."""
    require(can_organise(actor, collective))
    membership = _locked(collective, merchant)
    if membership is None:
        return Membership.objects.create(
            collective=collective,
            merchant=merchant,
            status=S.INVITED,
            message=message,
            invited_by=actor,
        )
    if membership.status == S.REQUESTED:
        return _activate(membership, by=actor)
    if membership.status in {S.DECLINED, S.LEFT}:
        membership.status, membership.message, membership.invited_by = S.INVITED, message, actor
        membership.save()
        return membership
    raise ValidationError(_already_message(membership, own=False), code="already_member")


@transaction.atomic
def membership_request(
    *, actor: User, collective: Collective, merchant: Merchant, message: str = ""
) -> Membership:
    """A shop's owner asks to join. A shop that had been invited simply joins."""
    require(can_manage_merchant(actor, merchant))
    if collective.status != Collective.Status.ACTIVE:
        raise ValidationError(_("This collective does not take members yet."), code="inactive")
    membership = _locked(collective, merchant)
    if membership is None:
        membership = Membership.objects.create(
            collective=collective, merchant=merchant, status=S.REQUESTED, message=message
        )
        _tell_organisers(membership)
        return membership
    if membership.status == S.INVITED:
        return _activate(membership, by=None)
    if membership.status in {S.DECLINED, S.LEFT}:
        membership.status, membership.message = S.REQUESTED, message
        membership.save()
        _tell_organisers(membership)
        return membership
    raise ValidationError(_already_message(membership, own=True), code="already_member")


def _tell_organisers(membership: Membership) -> None:
    """A request waits for an answer: each organiser hears of it (in the same transaction,
    so a request that fails tells nobody)."""
    from django.urls import reverse

    from notifications.services.notify import notify

    link = reverse("organiser:members", kwargs={"collective_slug": membership.collective.slug})
    organisers = Organiser.objects.filter(collective=membership.collective).select_related("user")
    for organiser in organisers.order_by("pk"):
        notify(
            recipient=organiser.user,
            kind="membership.requested",
            context={"membership_id": membership.pk, "status": "requested"},
            link=link,
        )


@transaction.atomic
def membership_accept(*, actor: User, membership: Membership) -> Membership:
    """The shop's owner accepts an invitation (and with it the collective's charter)."""
    require(can_manage_merchant(actor, membership.merchant))
    locked = _transition(membership, {S.INVITED}, _("This invitation is no longer open."))
    return _activate(locked, by=None)


@transaction.atomic
def membership_decline(*, actor: User, membership: Membership, message: str = "") -> Membership:
    """The shop's owner declines an invitation."""
    require(can_manage_merchant(actor, membership.merchant))
    locked = _transition(membership, {S.INVITED}, _("This invitation is no longer open."))
    locked.status, locked.message = S.DECLINED, message
    locked.save()
    return locked


def _notify_answer(membership: Membership) -> None:
    """E-mail the shop's owners the organisers' answer to its request, once committed."""
    from collectives.tasks import send_membership_answer

    membership_id, status = membership.pk, membership.status
    transaction.on_commit(lambda: send_membership_answer.delay(membership_id, status))


@transaction.atomic
def membership_approve(*, actor: User, membership: Membership) -> Membership:
    """An organiser approves a shop's request to join."""
    require(can_organise(actor, membership.collective))
    locked = _transition(membership, {S.REQUESTED}, _("This request is no longer open."))
    _activate(locked, by=actor)
    _notify_answer(locked)
    return locked


@transaction.atomic
def membership_reject(*, actor: User, membership: Membership, message: str = "") -> Membership:
    """An organiser declines a shop's request to join, with a message."""
    require(can_organise(actor, membership.collective))
    locked = _transition(membership, {S.REQUESTED}, _("This request is no longer open."))
    locked.status, locked.message = S.DECLINED, message
    locked.save()
    _notify_answer(locked)
    return locked


@transaction.atomic
def membership_leave(*, actor: User, membership: Membership) -> Membership:
    """The shop's owner leaves the collective; its products leave the shared catalog."""
    require(can_manage_merchant(actor, membership.merchant))
    locked = _transition(membership, {S.ACTIVE, S.SUSPENDED}, _("Your shop is not a member."))
    locked.status, locked.left_at = S.LEFT, timezone.now()
    locked.save()
    return locked


# Fields of the collective's page an admin edits (the slug and status have their own ways).
COLLECTIVE_EDITABLE_FIELDS = frozenset(
    {"name", "town", "description", "charter", "map_latitude", "map_longitude", "map_zoom"}
)


@transaction.atomic
def collective_update(*, actor: User, collective: Collective, **fields: Any) -> Collective:
    """Change the collective's page, charter or map centre (admins only)."""
    require(can_administer(actor, collective))
    unknown = set(fields) - COLLECTIVE_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"collective_update() cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(collective, name, value)
    collective.full_clean()
    collective.save()
    return collective


@transaction.atomic
def organiser_add_by_email(
    *, actor: User, collective: Collective, email: str, role: str = Organiser.Role.ORGANISER
) -> Organiser:
    """Make the Halle account with this e-mail address a co-organiser (admins only)."""
    require(can_administer(actor, collective))
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError(
            {
                "email": _(
                    "No Halle account uses this address. Ask the person to create an "
                    "account first, then add them again."
                )
            },
            code="unknown_user",
        )
    return organiser_add(actor=actor, collective=collective, user=user, role=role)


@transaction.atomic
def membership_suspend(*, actor: User, membership: Membership, message: str = "") -> Membership:
    """An organiser suspends an active member: its shop leaves the collective's pages until
    it is reinstated, but keeps its place (and joining date)."""
    require(can_organise(actor, membership.collective))
    locked = _transition(membership, {S.ACTIVE}, _("Only an active member can be suspended."))
    locked.status, locked.message = S.SUSPENDED, message
    locked.save()
    return locked


@transaction.atomic
def membership_reinstate(*, actor: User, membership: Membership) -> Membership:
    """An organiser lifts a suspension; the shop is an active member again."""
    require(can_organise(actor, membership.collective))
    locked = _transition(membership, {S.SUSPENDED}, _("This shop is not suspended."))
    locked.status, locked.left_at = S.ACTIVE, None
    if locked.joined_at is None:  # rows suspended before joining dates were kept
        locked.joined_at = timezone.now()
    locked.save()
    return locked

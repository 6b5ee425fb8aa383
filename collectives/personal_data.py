"""A person's share of the collectives app, for « Mon compte » (see
:mod:`accounts.personal_data`): the collectives they organise, their registrations for
events, and what they follow.

Registrations to come are cancelled through the registration service before the rows go,
so a freed seat goes at once to the first person on the waiting list (who is told by
e-mail). Like a shop, a collective that people rely on is never left without an
administrator: its only admin must hand it over first.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from collectives.models import Collective, Follow, Organiser, Registration
from collectives.services.registrations import registration_cancel

ADMIN = Organiser.Role.ADMIN
LIVE = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


# --- Organisers ----------------------------------------------------------------------------


def export_collectives(user: User) -> list[dict[str, Any]]:
    """The collectives the person organises: name, role and since when."""
    seats = (
        Organiser.objects.filter(user=user)
        .select_related("collective")
        .order_by("collective__name", "pk")
    )
    return [
        {"collective": s.collective.name, "role": s.get_role_display(), "since": s.created_at}
        for s in seats
    ]


def collectives_left_without_admin(user: User) -> list[Collective]:
    """The collectives that deleting ``user`` would leave without an administrator although
    they are active or other people organise them."""
    others = ~Q(organisers__user=user)
    administered = Organiser.objects.filter(user=user, role=ADMIN).values("collective_id")
    # By id, not by joining the user's row: the counts must see every organiser.
    collectives = (
        Collective.objects.filter(pk__in=administered)
        .annotate(
            other_admins=Count(
                "organisers", filter=others & Q(organisers__role=ADMIN), distinct=True
            ),
            other_organisers=Count("organisers", filter=others, distinct=True),
        )
        .order_by("name", "pk")
    )
    return [
        c
        for c in collectives
        if c.other_admins == 0 and (c.status == Collective.Status.ACTIVE or c.other_organisers > 0)
    ]


def check_collectives(user: User) -> list[str]:
    """Why the account cannot go yet: one message per collective it would leave without an
    administrator."""
    return [
        _(
            "You are the only administrator of the collective « %(collective)s ». Before "
            "deleting your account, make another organiser an administrator, or ask the Halle "
            "team to close the collective."
        )
        % {"collective": collective.name}
        for collective in collectives_left_without_admin(user)
    ]


def erase_collectives(user: User) -> None:
    """Take the person off every collective's organisers, checking again under lock that
    none is left without an administrator."""
    ids = list(
        Organiser.objects.filter(user=user, role=ADMIN)
        .order_by("collective_id")
        .values_list("collective_id", flat=True)
    )
    list(Collective.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    refusals = check_collectives(user)
    if refusals:
        raise ValidationError([ValidationError(r, code="refused") for r in refusals])
    Organiser.objects.filter(user=user).delete()


# --- Registrations -------------------------------------------------------------------------


def export_registrations(user: User) -> list[dict[str, Any]]:
    """Every registration of the person, cancelled ones included, newest date first."""
    registrations = (
        Registration.objects.filter(user=user)
        .select_related("occurrence__event__collective")
        .order_by("-occurrence__starts_at", "-pk")
    )
    return [
        {
            "event": r.occurrence.event.title,
            "collective": r.occurrence.event.collective.name,
            "starts_at": r.occurrence.starts_at,
            "ends_at": r.occurrence.ends_at,
            "place": r.occurrence.event.place_name or r.occurrence.event.city,
            "status": r.get_status_display(),
            "registered_at": r.created_at,
            "confirmed_at": r.confirmed_at,
            "cancelled_at": r.cancelled_at,
        }
        for r in registrations
    ]


def erase_registrations(user: User) -> None:
    """Cancel the registrations to come (their seats go to the waiting list), then delete
    every registration row of the person. Past dates are only deleted: their seat count is
    what happened."""
    upcoming = (
        Registration.objects.filter(
            user=user, status__in=LIVE, occurrence__starts_at__gt=timezone.now()
        )
        # In the order the service takes its locks (date, then registration): no deadlock
        # with someone registering for the same dates.
        .order_by("occurrence_id", "pk")
    )
    for registration in list(upcoming):
        registration_cancel(actor=user, registration=registration)
    Registration.objects.filter(user=user).delete()


# --- Follows -------------------------------------------------------------------------------


def export_follows(user: User) -> list[dict[str, Any]]:
    """The shops and collectives the person follows, newest first."""
    follows = Follow.objects.filter(user=user).select_related("merchant", "collective")
    return [
        {
            "kind": "shop" if f.merchant_id else "collective",
            "name": f.merchant.name if f.merchant else (f.collective.name if f.collective else ""),
            "since": f.created_at,
        }
        for f in follows
    ]


def erase_follows(user: User) -> None:
    """Stop following everything."""
    Follow.objects.filter(user=user).delete()

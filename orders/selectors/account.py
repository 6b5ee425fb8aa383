"""Reads behind « Mon compte »: the person's own reservations, pledges, registrations and
follows, each list one query whatever its length (joined, never looped over).

Everything is filtered on the actor: the page shows nobody else's rows. Each list is cut at
:data:`ACCOUNT_LIST_LIMIT` rows (the export holds everything); the selectors fetch one more
row so the page can say that the list goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Case, F, IntegerField, Model, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from collectives.models import Follow, Registration
from collectives.selectors.follows import follows_of
from orders.models import Pledge, Reservation

ACCOUNT_LIST_LIMIT = 50

T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class Cut(Generic[T]):
    """The first rows of a list, and whether there are more than those."""

    rows: list[T]
    has_more: bool


def _cut(queryset: QuerySet[T], limit: int) -> Cut[T]:
    rows = list(queryset[: limit + 1])
    return Cut(rows=rows[:limit], has_more=len(rows) > limit)


def account_reservations(*, actor: User, limit: int = ACCOUNT_LIST_LIMIT) -> Cut[Reservation]:
    """The actor's reservations: open ones first, soonest pickup deadline first; then the
    others, newest first."""
    is_open = Case(
        When(status__in=Reservation.OPEN_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    queryset = (
        Reservation.objects.filter(customer=actor)
        .select_related("merchant", "pickup_occurrence__event")
        .annotate(closed_rank=is_open)
        .order_by(
            "closed_rank",
            Case(When(status__in=Reservation.OPEN_STATUSES, then=F("pickup_deadline"))).asc(
                nulls_last=True
            ),
            "-created_at",
            "-pk",
        )
    )
    return _cut(queryset, limit)


def account_pledges(*, actor: User, limit: int = ACCOUNT_LIST_LIMIT) -> Cut[Pledge]:
    """The actor's pledges: active ones first (soonest deadline first), then the others,
    newest first."""
    active = Case(
        When(status=Pledge.Status.ACTIVE, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    queryset = (
        Pledge.objects.filter(customer=actor)
        .select_related("group_buy__product", "group_buy__merchant", "reservation")
        .annotate(done_rank=active)
        .order_by("done_rank", "group_buy__deadline", "-created_at", "-pk")
    )
    return _cut(queryset, limit)


def account_registrations(*, actor: User, limit: int = ACCOUNT_LIST_LIMIT) -> Cut[Registration]:
    """The actor's registrations: dates to come first (soonest first, cancelled ones
    included so the person sees them), then past dates, most recent first."""
    now = timezone.now()
    upcoming = Case(
        When(occurrence__starts_at__gt=now, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    queryset = (
        Registration.objects.filter(user=actor)
        .select_related("occurrence__event__collective")
        .annotate(past_rank=upcoming)
        .order_by(
            "past_rank",
            Case(When(occurrence__starts_at__gt=now, then=F("occurrence__starts_at"))).asc(
                nulls_last=True
            ),
            "-occurrence__starts_at",
            "-pk",
        )
    )
    return _cut(queryset, limit)


def account_follows(*, actor: User, limit: int = ACCOUNT_LIST_LIMIT) -> Cut[Follow]:
    """The shops and collectives the actor follows, newest first."""
    return _cut(follows_of(user=actor), limit)

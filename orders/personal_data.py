"""A person's share of the orders app, for « Mon compte » (see
:mod:`accounts.personal_data`): their reservations and their pledges to group buys.

The shop keeps every reservation it handled — its figures, its stock history and its
accounts depend on them — but not the person: when an account is deleted, its open
reservations are cancelled (their stock given back), then every reservation loses its link
to the account and the customer's name, e-mail, phone and message, replaced by an anonymous
label. Active pledges are withdrawn, so the group buy's total is what the remaining
customers pledged; past pledges stay as anonymous counts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from orders.models import GroupBuy, Pledge, Reservation, ReservationLine
from orders.services.group_buys import pledge_withdraw
from orders.services.reservations import reservation_cancel

# -- Export ---------------------------------------------------------------------------------


def export_reservations(user: User) -> list[dict[str, Any]]:
    """Every reservation of the person, newest first, with its lines and pickup code."""
    reservations = (
        Reservation.objects.filter(customer=user)
        .select_related("merchant", "pickup_occurrence__event")
        .prefetch_related(Prefetch("lines", queryset=ReservationLine.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )
    return [
        {
            "code": r.code,
            "shop": r.merchant.name,
            "status": r.get_status_display(),
            "reserved_at": r.created_at,
            "pickup_deadline": r.pickup_deadline,
            "pickup_at_event": (
                {
                    "event": r.pickup_occurrence.event.title,
                    "starts_at": r.pickup_occurrence.starts_at,
                }
                if r.pickup_occurrence
                else None
            ),
            "customer_name": r.customer_name,
            "customer_email": r.customer_email,
            "customer_phone": r.customer_phone,
            "note": r.note,
            "total": r.total,
            "decline_reason": r.decline_reason,
            "confirmed_at": r.confirmed_at,
            "ready_at": r.ready_at,
            "collected_at": r.collected_at,
            "closed_at": r.closed_at,
            "lines": [
                {"product": line.title, "unit_price": line.unit_price, "quantity": line.quantity}
                for line in r.lines.all()
            ],
        }
        for r in reservations
    ]


def export_pledges(user: User) -> list[dict[str, Any]]:
    """Every pledge of the person to a group buy, newest first."""
    pledges = (
        Pledge.objects.filter(customer=user)
        .select_related("group_buy__merchant", "group_buy__product", "reservation")
        .order_by("-created_at", "-pk")
    )
    return [
        {
            "product": p.group_buy.product.title,
            "shop": p.group_buy.merchant.name,
            "quantity": p.quantity,
            "status": p.get_status_display(),
            "pledged_at": p.created_at,
            "group_buy_deadline": p.group_buy.deadline,
            "group_buy_status": p.group_buy.get_status_display(),
            "reservation_code": p.reservation.code if p.reservation else None,
        }
        for p in pledges
    ]


# -- Erase ----------------------------------------------------------------------------------


def deleted_customer_label() -> str:
    """What a shop reads instead of a deleted customer's name, in the site's language (the
    row is read by the shop's team, whoever they are)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Deleted customer")


def erase_reservations(user: User) -> None:
    """Cancel the person's open reservations through the reservation service (stock given
    back, the shop told as for any cancellation by a customer), then keep every reservation
    for the shop without the person."""
    open_ones = Reservation.objects.filter(
        customer=user, status__in=Reservation.OPEN_STATUSES
    ).order_by("pk")
    for reservation in list(open_ones):
        reservation_cancel(actor=user, reservation=reservation)
    Reservation.objects.filter(customer=user).update(
        customer=None,
        customer_name=deleted_customer_label(),
        customer_email="",
        customer_phone="",
        note="",
        updated_at=timezone.now(),
    )


def erase_pledges(user: User) -> None:
    """Withdraw the person's active pledges (the group buy's total drops by their quantity),
    then keep every pledge as an anonymous count."""
    active = Pledge.objects.filter(customer=user, status=Pledge.Status.ACTIVE).order_by(
        "group_buy_id", "pk"
    )
    for pledge in list(active):
        try:
            pledge_withdraw(actor=user, pledge=pledge)
        except ValidationError:
            # Past its deadline, a group buy waits for the closing task and refuses
            # withdrawals; an account being deleted still takes its pledge out, or the
            # closing would turn it into a reservation for nobody.
            _withdraw_after_deadline(pledge)
    Pledge.objects.filter(customer=user).update(customer=None, updated_at=timezone.now())


def _withdraw_after_deadline(pledge: Pledge) -> None:
    """Withdraw an active pledge whatever the deadline, under the group buy's row lock (taken
    first, as the group buy services do), keeping the total exact."""
    GroupBuy.objects.select_for_update().filter(pk=pledge.group_buy_id).values_list("pk").get()
    locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if locked.status != Pledge.Status.ACTIVE:
        return
    GroupBuy.objects.filter(pk=locked.group_buy_id, status=GroupBuy.Status.OPEN).update(
        pledged_quantity=F("pledged_quantity") - locked.quantity, updated_at=timezone.now()
    )
    locked.status = Pledge.Status.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])

"""Every write to click & collect reservations.

:func:`reservation_record` is the one place a reservation row is made — from a product page,
a live session or a group buy that succeeded — so codes, frozen prices and held stock follow
the same rules wherever a reservation comes from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Product
from catalog.services import product_stock_return, product_stock_take
from collectives.models import EventOccurrence
from merchants.models import Merchant
from orders.codes import new_pickup_code
from orders.models import GroupBuy, Reservation, ReservationLine, Source

# Attempts at a free pickup code before giving up (a collision is one in millions).
CODE_ATTEMPTS = 8


@dataclass(frozen=True)
class LineRequest:
    """A product and a quantity asked for; ``unit_price`` defaults to the product's price
    now (a group buy passes its discounted price)."""

    product: Product
    quantity: int
    unit_price: Decimal | None = None


def reservation_record(
    *,
    merchant: Merchant,
    customer: User | None,
    lines: list[LineRequest],
    pickup_deadline: dt.datetime,
    pickup_occurrence: EventOccurrence | None = None,
    status: str = Reservation.Status.PENDING,
    source: str = Source.DIRECT,
    group_buy: GroupBuy | None = None,
    hold_stock: bool = True,
    customer_name: str = "",
    customer_email: str = "",
    customer_phone: str = "",
    note: str = "",
) -> Reservation:
    """Write a reservation and its lines, with a fresh pickup code, prices frozen and — if
    ``hold_stock`` — the units taken from the products' stock (a conditional UPDATE each; a
    product without enough left raises a ``ValidationError`` naming it, and nothing is kept).

    Checks of who may reserve what belong to the callers (the services below and the group
    buy services); this function only keeps the rules every reservation obeys. It must run
    inside the caller's transaction.
    """
    if not lines:
        raise ValidationError(_("Choose at least one product."), code="no_lines")
    if any(line.product.merchant_id != merchant.pk for line in lines):
        raise ValueError("every line of a reservation is a product of its shop")
    now_status = Reservation.Status(status)
    reservation = Reservation(
        merchant=merchant,
        customer=customer,
        customer_name=customer_name or (customer.get_full_name() if customer else ""),
        customer_email=customer_email or (customer.email if customer else ""),
        customer_phone=customer_phone,
        note=note,
        status=now_status,
        pickup_deadline=pickup_deadline,
        pickup_occurrence=pickup_occurrence,
        source=source,
        group_buy=group_buy,
    )
    if now_status == Reservation.Status.CONFIRMED:
        reservation.confirmed_at = timezone.now()
    _save_with_new_code(reservation)
    rows = []
    total = Decimal("0.00")
    for line in lines:
        if line.quantity < 1:
            raise ValidationError(_("The quantity must be at least 1."), code="quantity")
        held = False
        if hold_stock:
            taken = product_stock_take(product_id=line.product.pk, quantity=line.quantity)
            if taken is False:
                raise ValidationError(
                    _("Not enough « %(title)s » left for this quantity.")
                    % {"title": line.product.title},
                    code="insufficient_stock",
                )
            held = bool(taken)
        price = line.product.price if line.unit_price is None else line.unit_price
        rows.append(
            ReservationLine(
                reservation=reservation,
                product=line.product,
                title=line.product.title,
                unit_price=price,
                quantity=line.quantity,
                holds_stock=held,
            )
        )
        total += price * line.quantity
    ReservationLine.objects.bulk_create(rows)
    reservation.total = total
    reservation.save(update_fields=["total"])
    return reservation


def _save_with_new_code(reservation: Reservation) -> None:
    """Insert with a random code, retrying on the rare collision within the shop (each try
    in a savepoint, so the caller's transaction survives a duplicate)."""
    for _attempt in range(CODE_ATTEMPTS):
        reservation.code = new_pickup_code()
        try:
            with transaction.atomic():
                reservation.save()
            return
        except IntegrityError as error:
            if "orders_reservation_code" not in str(error):
                raise
    raise RuntimeError("no free pickup code after several attempts")


def reservation_release_stock(reservation: Reservation) -> None:
    """Give back every unit the reservation's lines hold, once: lines are marked as no
    longer holding, so a second call gives nothing back."""
    held = list(
        ReservationLine.objects.select_for_update()
        .filter(reservation=reservation, holds_stock=True)
        .order_by("pk")
    )
    for line in held:
        product_stock_return(product_id=line.product_id, quantity=line.quantity)
    ReservationLine.objects.filter(pk__in=[line.pk for line in held]).update(holds_stock=False)

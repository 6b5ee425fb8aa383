"""Every write to click & collect reservations.

:func:`reservation_record` is the one place a reservation row is made — from a product page,
a live session or a group buy that succeeded — so codes, frozen prices and held stock follow
the same rules wherever a reservation comes from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from catalog.models import Product
from catalog.services import product_stock_return, product_stock_take
from collectives.models import EventOccurrence
from merchants.models import Merchant, MerchantMember
from merchants.permissions import can_edit_merchant
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
    _webhook("reservation.created", reservation)
    return reservation


def _webhook(event_type: str, reservation: Reservation) -> None:
    """Tell the shop's webhooks (partners is downstream: imported where used)."""
    from partners.services.webhooks import emit_reservation

    emit_reservation(event_type=event_type, reservation=reservation)


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


# --- A customer reserves from a product page -------------------------------------------------

NOTE_MAX_LENGTH = 1000
PHONE_MAX_LENGTH = 30


@transaction.atomic
def reservation_create(
    *,
    actor: User,
    product: Product,
    quantity: int,
    pickup: str,
    note: str = "",
    phone: str = "",
    source: str = Source.DIRECT,
    now: dt.datetime | None = None,
) -> Reservation:
    """Reserve ``quantity`` units of a product for pickup, paid in the shop.

    The product must be published by an active shop; ``pickup`` is the key of one of the
    choices :func:`orders.selectors.reservations.pickup_choices` offers now (an opening day,
    until closing time, or a date of an event where the shop has a stand, until it ends).
    The units are held at once (none left → a ``ValidationError``, nothing kept) and the
    shop's team is e-mailed once the reservation is committed."""
    from orders.selectors.reservations import MAX_QUANTITY, clean_source, pickup_choice
    from orders.tasks_reservations import send_reservation_notice

    require(actor.is_authenticated)
    current = Product.objects.published().select_related("merchant").filter(pk=product.pk).first()
    if current is None:
        raise ValidationError(_("This product cannot be reserved."), code="not_public")
    errors: dict[str, ValidationError] = {}
    if not 1 <= quantity <= MAX_QUANTITY:
        errors["quantity"] = ValidationError(
            _("Reserve between 1 and %(max)s units.") % {"max": MAX_QUANTITY}, code="quantity"
        )
    note, phone = note.strip(), phone.strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = ValidationError(
            _("Keep the message under %(max)s characters.") % {"max": NOTE_MAX_LENGTH},
            code="note",
        )
    if len(phone) > PHONE_MAX_LENGTH:
        errors["phone"] = ValidationError(_("This phone number is too long."), code="phone")
    choice = pickup_choice(merchant=current.merchant, key=pickup, now=now)
    if choice is None:
        errors["pickup"] = ValidationError(
            _("Choose one of the pickup dates offered."), code="pickup"
        )
    if errors:
        raise ValidationError(errors)
    assert choice is not None
    reservation = reservation_record(
        merchant=current.merchant,
        customer=actor,
        lines=[LineRequest(product=current, quantity=quantity)],
        pickup_deadline=choice.deadline,
        pickup_occurrence=choice.occurrence,
        source=clean_source(source),
        customer_email=actor.notification_email or actor.email,
        customer_phone=phone,
        note=note,
    )
    transaction.on_commit(partial(send_reservation_notice.delay, reservation.pk, "new"))
    return reservation


# --- The shop answers, the customer picks up -------------------------------------------------

S = Reservation.Status
OPEN = Reservation.OPEN_STATUSES


def _locked(reservation: Reservation) -> Reservation:
    """The reservation's row, locked until the transaction ends, read as it now is."""
    return (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("merchant")
        .get(pk=reservation.pk)
    )


def _refuse(current: Reservation, message: str) -> ValidationError:
    return ValidationError(
        message % {"status": current.get_status_display()}, code="invalid_transition"
    )


def _notify(reservation: Reservation, kind: NoticeKind) -> None:
    from orders.tasks_reservations import send_reservation_notice

    transaction.on_commit(partial(send_reservation_notice.delay, reservation.pk, kind))


@transaction.atomic
def reservation_confirm(*, actor: User, reservation: Reservation) -> Reservation:
    """The shop accepts a waiting reservation; the customer is told. Confirming twice (a
    double tap) changes nothing."""
    current = _locked(reservation)
    require(can_edit_merchant(actor, current.merchant))
    if current.status == S.CONFIRMED:
        return current
    if current.status != S.PENDING:
        raise _refuse(current, _("This reservation cannot be confirmed: it is « %(status)s »."))
    now = timezone.now()
    current.status, current.confirmed_at = S.CONFIRMED, now
    current.seen_at = current.seen_at or now
    current.save(update_fields=["status", "confirmed_at", "seen_at", "updated_at"])
    _webhook("reservation.updated", current)
    _notify(current, "confirmed")
    return current


@transaction.atomic
def reservation_mark_ready(*, actor: User, reservation: Reservation) -> Reservation:
    """The order is prepared and waits at the counter; the customer is told. A waiting
    reservation may go straight to ready (preparing it is accepting it)."""
    current = _locked(reservation)
    require(can_edit_merchant(actor, current.merchant))
    if current.status == S.READY:
        return current
    if current.status not in (S.PENDING, S.CONFIRMED):
        raise _refuse(current, _("This reservation cannot be marked ready: it is « %(status)s »."))
    now = timezone.now()
    current.status, current.ready_at = S.READY, now
    current.confirmed_at = current.confirmed_at or now
    current.seen_at = current.seen_at or now
    current.save(update_fields=["status", "ready_at", "confirmed_at", "seen_at", "updated_at"])
    _webhook("reservation.updated", current)
    _notify(current, "ready")
    return current


@transaction.atomic
def reservation_collect(*, actor: User, reservation: Reservation) -> Reservation:
    """The customer picked the order up (and paid in the shop). Only a confirmed or ready
    reservation is handed over: a waiting one is confirmed first. The held units are now
    sold: they stay taken."""
    current = _locked(reservation)
    require(can_edit_merchant(actor, current.merchant))
    if current.status == S.COLLECTED:
        return current
    if current.status not in (S.CONFIRMED, S.READY):
        raise _refuse(
            current, _("This reservation cannot be marked collected: it is « %(status)s ».")
        )
    now = timezone.now()
    current.status, current.collected_at = S.COLLECTED, now
    current.seen_at = current.seen_at or now
    current.save(update_fields=["status", "collected_at", "seen_at", "updated_at"])
    _webhook("reservation.updated", current)
    # Units held by the lines are now sold: the lines stop « holding » so that nothing can
    # give them back later.
    ReservationLine.objects.filter(reservation=current, holds_stock=True).update(holds_stock=False)
    return current


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = reason.strip()
    if required and not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Tell the customer why."), code="reason_required")}
        )
    if len(reason) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Keep the reason under %(max)s characters.") % {"max": NOTE_MAX_LENGTH},
                    code="reason",
                )
            }
        )
    return reason


def _close(current: Reservation, status: str, *, reason: str = "") -> None:
    """Close an open reservation and give its units back (the caller holds the row lock)."""
    now = timezone.now()
    current.status, current.closed_at = status, now
    fields = ["status", "closed_at", "seen_at", "updated_at"]
    if reason:
        current.decline_reason = reason
        fields.append("decline_reason")
    current.save(update_fields=fields)
    reservation_release_stock(current)
    _webhook("reservation.updated", current)


@transaction.atomic
def reservation_decline(*, actor: User, reservation: Reservation, reason: str) -> Reservation:
    """The shop cannot honour a waiting reservation and says why; the units go back on
    sale and the customer is told. (Once confirmed, the shop cancels instead.)"""
    current = _locked(reservation)
    require(can_edit_merchant(actor, current.merchant))
    reason = _clean_reason(reason, required=True)
    if current.status == S.DECLINED:
        return current
    if current.status != S.PENDING:
        raise _refuse(current, _("This reservation cannot be declined: it is « %(status)s »."))
    current.seen_at = current.seen_at or timezone.now()
    _close(current, S.DECLINED, reason=reason)
    _notify(current, "declined")
    return current


@transaction.atomic
def reservation_cancel(*, actor: User, reservation: Reservation, reason: str = "") -> Reservation:
    """Call off an open reservation: the customer, who changed their mind, or the shop's
    team (with an optional reason). The units go back on sale and the other side is told."""
    current = _locked(reservation)
    by_shop = can_edit_merchant(actor, current.merchant)
    require(by_shop or (current.customer_id is not None and current.customer_id == actor.pk))
    reason = _clean_reason(reason, required=False) if by_shop else ""
    if current.status == S.CANCELLED:
        return current
    if current.status not in OPEN:
        raise _refuse(current, _("This reservation cannot be cancelled: it is « %(status)s »."))
    # The customer's own cancellation is theirs even if they also work in the shop.
    by_customer = current.customer_id == actor.pk
    _close(current, S.CANCELLED, reason=reason)
    _notify(current, "cancelled_by_customer" if by_customer else "cancelled")
    return current


def reservation_expire_overdue(*, now: dt.datetime | None = None) -> int:
    """Expire every open reservation whose pickup deadline has passed, giving its units
    back and telling the customer (periodic task). Returns how many expired.

    The overdue rows are selected in one query, then each is expired in its own short
    transaction under its row lock (re-checked there): a reservation being collected at the
    counter at that instant is skipped (``SKIP LOCKED``) and seen by the next run if still
    open. Running twice, or two runs at once, expires each reservation once."""
    now = now or timezone.now()
    overdue = list(
        Reservation.objects.filter(status__in=OPEN, pickup_deadline__lt=now)
        .order_by("pickup_deadline", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in overdue if _expire_one(pk, now))


@transaction.atomic
def _expire_one(pk: int, now: dt.datetime) -> bool:
    current = (
        Reservation.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, status__in=OPEN, pickup_deadline__lt=now)
        .first()
    )
    if current is None:
        return False
    _close(current, S.EXPIRED)
    _notify(current, "expired")
    return True


def reservation_mark_seen(*, actor: User, reservation: Reservation) -> Reservation:
    """The shop's team opened the reservation: it is no longer highlighted as new. One
    conditional UPDATE (the first look counts; later ones change nothing)."""
    require(can_edit_merchant(actor, reservation.merchant))
    if reservation.seen_at is None:
        now = timezone.now()
        if Reservation.objects.filter(pk=reservation.pk, seen_at__isnull=True).update(seen_at=now):
            reservation.seen_at = now
    return reservation


# --- E-mails ---------------------------------------------------------------------------------

NoticeKind = Literal[
    "new", "cancelled_by_customer", "confirmed", "ready", "declined", "cancelled", "expired"
]
# Who each notice is for, and the statuses in which it still makes sense to send it (a
# reservation confirmed and collected before the task ran needs no « confirmed » e-mail).
_TO_SHOP = {"new", "cancelled_by_customer"}
_STILL_APPLIES: dict[str, tuple[str, ...]] = {
    "new": (S.PENDING,),
    "cancelled_by_customer": (S.CANCELLED,),
    "confirmed": (S.CONFIRMED,),
    "ready": (S.READY,),
    "declined": (S.DECLINED,),
    "cancelled": (S.CANCELLED,),
    "expired": (S.EXPIRED,),
}
# A notice belongs to one reservation and one status it reaches once: the marker outlives
# any retry or duplicate delivery of the task.
_MARKER_TIMEOUT = 60 * 60 * 24 * 120


# The notification kind of each notice (notifications.kinds).
NOTIFICATION_KINDS: dict[str, str] = {
    "new": "reservation.created",
    "cancelled_by_customer": "reservation.cancelled_by_customer",
    "confirmed": "reservation.confirmed",
    "ready": "reservation.ready",
    "declined": "reservation.declined",
    "cancelled": "reservation.cancelled",
    "expired": "reservation.expired",
}


def reservation_notice_send(*, reservation_id: int, kind: NoticeKind) -> bool:
    """Send one notice about a reservation, at most once, if it still applies. Returns
    whether an e-mail left.

    The customer's notices go through the notification path: an inbox entry and an e-mail
    in their language, given once (a marker added atomically in the cache, in the same
    step as the notification); a mail server that fails (``OSError``) leaves the
    notification to send and re-raises, and the task's retry sends it. The shop's notices
    are one e-mail to the whole team (as the shop reads them together), claimed by the
    marker and released if the mail server fails; once it left, each member also gets an
    inbox entry. A guest reservation (no account) is e-mailed directly."""
    reservation = _for_notice(reservation_id)
    if reservation is None or reservation.status not in _STILL_APPLIES.get(kind, ()):
        return False
    marker = f"orders:reservation-notice:{reservation.pk}:{kind}"
    if kind not in _TO_SHOP and reservation.customer is not None:
        return _notify_customer(reservation, kind, marker)
    message = _notice_message(reservation, kind)
    if message is None:
        return False
    if not cache.add(marker, True, timeout=_MARKER_TIMEOUT):
        return False
    try:
        message.send()
    except OSError:
        cache.delete(marker)  # not sent: let the retry send it
        raise
    if kind in _TO_SHOP:
        _notify_team_inbox(reservation, kind)
    return True


def _for_notice(reservation_id: int) -> Reservation | None:
    return (
        Reservation.objects.select_related("merchant", "customer", "pickup_occurrence__event")
        .prefetch_related("lines")
        .filter(pk=reservation_id)
        .first()
    )


def _notify_customer(reservation: Reservation, kind: NoticeKind, marker: str) -> bool:
    """The customer's notice through notifications (see reservation_notice_send)."""
    from notifications.services.delivery import notification_send_once

    assert reservation.customer is not None
    return notification_send_once(
        marker=marker,
        marker_timeout=_MARKER_TIMEOUT,
        recipient=reservation.customer,
        kind=NOTIFICATION_KINDS[kind],
        context={"reservation_id": reservation.pk, "notice": kind},
        link=reverse("reservations:detail", kwargs={"pk": reservation.pk}),
    )


@transaction.atomic
def _notify_team_inbox(reservation: Reservation, kind: NoticeKind) -> None:
    """An inbox entry for each member of the shop's team (the e-mail went to all of them
    at once)."""
    from notifications.services.notify import notify

    link = reverse(
        "shop_reservations:detail",
        kwargs={"merchant_slug": reservation.merchant.slug, "pk": reservation.pk},
    )
    team = MerchantMember.objects.filter(merchant=reservation.merchant).select_related("user")
    for member in team.order_by("pk"):
        notify(
            recipient=member.user,
            kind=NOTIFICATION_KINDS[kind],
            context={"reservation_id": reservation.pk, "notice": kind},
            link=link,
            email=False,
        )


def reservation_notice_context(reservation_id: int, kind: str) -> dict[str, object] | None:
    """The templates' context of a notice (``orders/emails/reservation_<kind>*.txt``), in
    the active language with times in Paris; ``None`` if the reservation is gone. The
    notifications' loader for the ``reservation.*`` kinds."""
    reservation = _for_notice(reservation_id)
    if reservation is None or kind not in NOTIFICATION_KINDS:
        return None
    return _notice_context(reservation, kind)


def _notice_context(reservation: Reservation, kind: str) -> dict[str, object]:
    site = settings.SITE_URL.rstrip("/")
    if kind in _TO_SHOP:
        path_name, kwargs = (
            "shop_reservations:detail",
            {"merchant_slug": reservation.merchant.slug, "pk": reservation.pk},
        )
    else:
        path_name, kwargs = "reservations:detail", {"pk": reservation.pk}
    merchant = reservation.merchant
    return {
        "reservation": reservation,
        "merchant": merchant,
        "lines": list(reservation.lines.all()),
        "deadline": timezone.localtime(reservation.pickup_deadline),
        "occurrence": reservation.pickup_occurrence,
        "address": ", ".join(
            part
            for part in (merchant.street, f"{merchant.postcode} {merchant.city}".strip())
            if part
        ),
        "link": site + reverse(path_name, kwargs=kwargs),
    }


def _notice_message(reservation: Reservation, kind: str) -> EmailMessage | None:
    """The e-mail sent directly (the shop's team, or a guest), in the reader's language,
    with times in Paris (None: nobody to tell)."""
    if kind in _TO_SHOP:
        team = list(
            MerchantMember.objects.filter(merchant=reservation.merchant)
            .select_related("user")
            .order_by("pk")
        )
        recipients = [m.user.notification_email or m.user.email for m in team]
        language = settings.LANGUAGE_CODE
    else:
        customer = reservation.customer
        address = (
            (customer.notification_email or customer.email) if customer else ""
        ) or reservation.customer_email
        recipients = [address] if address else []
        language = (customer.preferred_language if customer else "") or settings.LANGUAGE_CODE
    if not recipients:
        return None
    with translation.override(language):
        context = _notice_context(reservation, kind)
        subject = render_to_string(f"orders/emails/reservation_{kind}_subject.txt", context)
        body = render_to_string(f"orders/emails/reservation_{kind}.txt", context)
    return EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, recipients)

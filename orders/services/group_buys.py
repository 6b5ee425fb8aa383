"""Every write to group buys: opening, pledging, withdrawing, closing, cancelling, and the
e-mails they send.

Concurrency. Every change to the pledges of a group buy takes that :class:`GroupBuy` row's
lock first, then reads and writes ``pledged_quantity`` in the same transaction: two
customers pledging the last units at the same instant are served one after the other, and
the database's CHECK (``pledged_quantity <= max_quantity``) refuses anything that would
still slip through. The counter therefore always equals the sum of the active pledges.

Stock. A group buy is how a shop buys in bulk: it orders the goods from its supplier once it
knows the quantity, which is what pays for the discount. So the units pledged do not come
off the shelf: opening does not compare ``max_quantity`` with the counted stock, and the
reservations made at closing hold nothing (``hold_stock=False``) — the shop's counted stock
stays for its walk-in customers. The shop's outcome e-mail states the quantity to order and
when it is to be picked up (in the shop: :data:`PICKUP_DAYS` days after the deadline; at an
event: by the end of that date).

E-mails are sent at most once each: before sending, a marker is claimed in the cache with
an atomic ``add`` (one per pledge and message); a mail server that fails releases it for the
task's retry — the pattern of :mod:`collectives.services.notices`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.permissions import Actor, require
from catalog.models import Product
from collectives.models import (
    Collective,
    Event,
    EventOccurrence,
    EventParticipation,
    Membership,
)
from collectives.permissions import can_organise
from merchants.models import Merchant, MerchantMember
from merchants.permissions import can_manage_merchant
from orders.models import GroupBuy, GroupBuyTier, Pledge, Source
from orders.services.reservations import LineRequest, reservation_record

G = GroupBuy.Status
P = Pledge.Status

MAX_TIERS = 5
MAX_DAYS_AHEAD = 90
# One customer's pledge: a household's order, not a wholesaler's (and a typo of 10 000
# units would otherwise block a group buy without a maximum).
MAX_PLEDGE = 999
# A pickup in the shop: the goods are ordered at the deadline and need time to arrive.
PICKUP_DAYS = 14
# How long the « sent » markers of the e-mails are kept (well past any retry).
NOTICE_MARKER_SECONDS = 60 * 60 * 24 * 120
CENT = Decimal("0.01")


@dataclass(frozen=True)
class TierRequest:
    """A price tier as typed: from ``min_quantity`` units in total, ``discount`` % off."""

    min_quantity: int
    discount: Decimal


def discounted_price(unit_price: Decimal, discount: Decimal) -> Decimal:
    """The unit price after ``discount`` %, to the cent, halves rounded up (12,34 € at
    −15 % → 10,49 €)."""
    return (unit_price * (Decimal(100) - discount) / Decimal(100)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


def can_run_group_buy(user: Actor, group_buy: GroupBuy) -> bool:
    """The shop's owners run every group buy on its products; a collective's organisers run
    the ones they opened for the collective."""
    if can_manage_merchant(user, group_buy.merchant):
        return True
    collective = group_buy.collective
    return collective is not None and can_organise(user, collective)


def is_active_member(merchant: Merchant, collective: Collective) -> bool:
    return Membership.objects.filter(
        merchant=merchant, collective=collective, status=Membership.Status.ACTIVE
    ).exists()


def _address(user: User) -> str:
    """Where a person's notices go: their notification address, else their log-in one."""
    return user.notification_email or user.email


# --- Opening -------------------------------------------------------------------------------


def _tier_errors(tiers: Sequence[TierRequest]) -> list[str]:
    if not tiers:
        return [_("Add at least one price tier.")]
    if len(tiers) > MAX_TIERS:
        return [_("At most %(count)s price tiers.") % {"count": MAX_TIERS}]
    errors = []
    for tier in tiers:
        if tier.min_quantity < 1:
            errors.append(_("A tier starts from at least 1 unit."))
        if not Decimal(0) < tier.discount < Decimal(100) or tier.discount != tier.discount.quantize(
            CENT
        ):
            errors.append(
                _("A discount is a percentage above 0 and below 100, with at most two decimals.")
            )
    pairs = itertools.pairwise(tiers)
    if any(
        later.min_quantity <= earlier.min_quantity or later.discount <= earlier.discount
        for earlier, later in pairs
    ):
        errors.append(_("Each tier needs more units and a bigger discount than the one before it."))
    return list(dict.fromkeys(errors))


def _pickup_error(
    occurrence: EventOccurrence,
    *,
    merchant: Merchant,
    collective: Collective | None,
    deadline: dt.datetime,
) -> str:
    """Why the shop cannot hand over the goods at this date of an event, or ``""``: it must
    be a date to come, after the deadline, of a published event of an active collective the
    shop is a member of and takes part in (and, for a group buy of a collective, one of that
    collective's events)."""
    occurrence = EventOccurrence.objects.select_related("event__collective").get(pk=occurrence.pk)
    event = occurrence.event
    if (
        occurrence.status != EventOccurrence.Status.SCHEDULED
        or event.status != Event.Status.PUBLISHED
        or event.collective.status != Collective.Status.ACTIVE
        or occurrence.starts_at <= timezone.now()
    ):
        return _("Choose a date to come of a published event.")
    if collective is not None and event.collective_id != collective.pk:
        return _("Choose a date of one of this collective's events.")
    takes_part = EventParticipation.objects.filter(
        event=event, merchant=merchant, status=EventParticipation.Status.ACCEPTED
    ).exists()
    if not takes_part or not is_active_member(merchant, event.collective):
        return _("The shop does not take part in this event.")
    if occurrence.starts_at <= deadline:
        return _("The pickup date must come after the deadline.")
    return ""


@transaction.atomic
def group_buy_open(
    *,
    actor: User,
    product: Product,
    tiers: Sequence[TierRequest],
    deadline: dt.datetime,
    max_quantity: int | None = None,
    pickup_occurrence: EventOccurrence | None = None,
    description: str = "",
    collective: Collective | None = None,
) -> GroupBuy:
    """Open a group buy on a published product of an active shop, at the product's price now.

    By the shop's owners (``collective`` left empty), or by an organiser of a collective the
    shop is an active member of (``collective`` set: the group buy is the collective's).
    1 to 5 tiers, strictly increasing in quantity and discount; a deadline within 90 days;
    an optional maximum at least the first tier; pickup in the shop, or at a date to come of
    an event the shop takes part in. One open group buy per product at a time.
    """
    merchant = product.merchant
    if collective is None:
        require(can_manage_merchant(actor, merchant))
    else:
        require(can_organise(actor, collective) and is_active_member(merchant, collective))
    # The product's lock keeps two group buys from being opened on it at the same instant.
    product = Product.objects.select_for_update().get(pk=product.pk)
    errors: dict[str, list[str]] = {}
    if not Product.objects.published().filter(pk=product.pk).exists():
        errors["product"] = [_("Only a published product of an open shop can be offered.")]
    elif GroupBuy.objects.filter(product=product, status=G.OPEN).exists():
        errors["product"] = [_("This product already has a group buy under way.")]
    ordered = list(tiers)
    tier_errors = _tier_errors(ordered)
    if tier_errors:
        errors["tiers"] = tier_errors
    now = timezone.now()
    if deadline <= now:
        errors["deadline"] = [_("The deadline must be in the future.")]
    elif deadline > now + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["deadline"] = [
            _("The deadline can be at most %(days)s days ahead.") % {"days": MAX_DAYS_AHEAD}
        ]
    if max_quantity is not None:
        if max_quantity < 1:
            errors["max_quantity"] = [_("The maximum must be at least 1.")]
        elif ordered and not tier_errors and max_quantity < ordered[0].min_quantity:
            errors["max_quantity"] = [
                _("The maximum cannot be below the first tier (%(count)s units).")
                % {"count": ordered[0].min_quantity}
            ]
    if pickup_occurrence is not None and "deadline" not in errors:
        problem = _pickup_error(
            pickup_occurrence, merchant=merchant, collective=collective, deadline=deadline
        )
        if problem:
            errors["pickup_occurrence"] = [problem]
    if errors:
        raise ValidationError(errors, code="invalid")
    group_buy = GroupBuy(
        merchant=merchant,
        product=product,
        collective=collective,
        opened_by=actor,
        description=description.strip(),
        unit_price=product.price,
        deadline=deadline,
        max_quantity=max_quantity,
        pickup_occurrence=pickup_occurrence,
    )
    group_buy.full_clean()
    group_buy.save()
    GroupBuyTier.objects.bulk_create(
        GroupBuyTier(group_buy=group_buy, min_quantity=t.min_quantity, discount=t.discount)
        for t in ordered
    )
    return group_buy


# --- Pledges -------------------------------------------------------------------------------


def _locked(group_buy_id: int) -> GroupBuy:
    """Lock a group buy, then read it with its product and shop.

    Two statements on purpose: a ``SELECT … FOR UPDATE`` that waited for another transaction
    re-reads the locked row but not the rows joined to it; read after the lock is granted,
    the product and shop are seen as they now are."""
    GroupBuy.objects.select_for_update().filter(pk=group_buy_id).values_list("pk").get()
    return GroupBuy.objects.select_related("product__merchant", "merchant", "collective").get(
        pk=group_buy_id
    )


def _is_pledgeable(group_buy: GroupBuy) -> bool:
    return (
        group_buy.status == G.OPEN
        and group_buy.deadline > timezone.now()
        and group_buy.product.status == Product.Status.PUBLISHED
        and group_buy.merchant.status == Merchant.Status.ACTIVE
    )


def _units_left_message(left: int) -> str:
    if left <= 0:
        return _("The maximum quantity is reached: no units are left.")
    return ngettext("Only %(count)s unit is left.", "Only %(count)s units are left.", left) % {
        "count": left
    }


@transaction.atomic
def pledge_place(
    *, actor: User, group_buy: GroupBuy, quantity: int, source: str = Source.GROUP_BUY
) -> Pledge:
    """Pledge ``quantity`` units, or change the quantity of one's pledge (one active pledge
    per customer and group buy), while the group buy is open and before its deadline.

    Above the maximum, nothing changes and the error says how many units are left. A
    pledge that brings the total to a new tier queues the « tier reached » e-mails."""
    require(actor.is_authenticated)
    if not 1 <= quantity <= MAX_PLEDGE:
        message = _("Pledge between 1 and %(max)s units.") % {"max": MAX_PLEDGE}
        raise ValidationError({"quantity": ValidationError(message, code="quantity")})
    if source not in Source.values:
        source = Source.GROUP_BUY
    group_buy = _locked(group_buy.pk)
    if not _is_pledgeable(group_buy):
        raise ValidationError(_("This group buy is closed."), code="closed")
    pledge = (
        Pledge.objects.select_for_update()
        .filter(group_buy=group_buy, customer=actor, status=P.ACTIVE)
        .first()
    )
    before = group_buy.pledged_quantity
    mine = pledge.quantity if pledge else 0
    if pledge is not None and pledge.quantity == quantity:
        return pledge
    if group_buy.max_quantity is not None:
        left = group_buy.max_quantity - before + mine
        if quantity > left:
            refusal = ValidationError(_units_left_message(left), code="max_reached")
            raise ValidationError({"quantity": refusal})
    after = before - mine + quantity
    GroupBuy.objects.filter(pk=group_buy.pk).update(
        pledged_quantity=F("pledged_quantity") + (quantity - mine), updated_at=timezone.now()
    )
    if pledge is None:
        pledge = Pledge.objects.create(
            group_buy=group_buy, customer=actor, quantity=quantity, source=source
        )
    else:
        pledge.quantity = quantity
        pledge.save(update_fields=["quantity", "updated_at"])
    crossed = [t for t in group_buy.tiers.all() if before < t.min_quantity <= after]
    if crossed:
        from orders.tasks_group_buys import notify_group_buy_tier

        transaction.on_commit(partial(notify_group_buy_tier.delay, group_buy.pk, crossed[-1].pk))
    group_buy.pledged_quantity = after
    return pledge


@transaction.atomic
def pledge_withdraw(*, actor: User, pledge: Pledge) -> Pledge:
    """Withdraw one's pledge, until the deadline; its units are given back to the total.
    Withdrawing a pledge already withdrawn changes nothing."""
    require(pledge.customer_id is not None and pledge.customer_id == actor.pk)
    group_buy = _locked(pledge.group_buy_id)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status == P.WITHDRAWN:
        return pledge
    if pledge.status != P.ACTIVE or group_buy.status != G.OPEN:
        raise ValidationError(_("This group buy is closed."), code="closed")
    if group_buy.deadline <= timezone.now():
        raise ValidationError(
            _("The deadline has passed: the pledge can no longer be withdrawn."),
            code="deadline_passed",
        )
    GroupBuy.objects.filter(pk=group_buy.pk).update(
        pledged_quantity=F("pledged_quantity") - pledge.quantity, updated_at=timezone.now()
    )
    pledge.status = P.WITHDRAWN
    pledge.save(update_fields=["status", "updated_at"])
    return pledge


# --- Closing and cancelling ----------------------------------------------------------------


def _pickup_at_closing(
    group_buy: GroupBuy, now: dt.datetime
) -> tuple[EventOccurrence | None, dt.datetime]:
    """Where and until when the reservations are to be picked up: the event's date if it
    still takes place (until its end), else the shop, :data:`PICKUP_DAYS` days after the
    deadline at 19 h, Paris time."""
    occurrence = group_buy.pickup_occurrence
    if occurrence is not None:
        occurrence = EventOccurrence.objects.select_related("event").get(pk=occurrence.pk)
        if not occurrence.is_cancelled and occurrence.ends_at > now:
            return occurrence, occurrence.ends_at
    day = timezone.localtime(max(group_buy.deadline, now)).date() + dt.timedelta(days=PICKUP_DAYS)
    return None, timezone.make_aware(dt.datetime.combine(day, dt.time(19, 0)))


def _release(pledges: Sequence[Pledge]) -> None:
    Pledge.objects.filter(pk__in=[p.pk for p in pledges]).update(
        status=P.RELEASED, updated_at=timezone.now()
    )


def _queue_outcome(group_buy: GroupBuy) -> None:
    from orders.tasks_group_buys import notify_group_buy_outcome

    transaction.on_commit(partial(notify_group_buy_outcome.delay, group_buy.pk))


@transaction.atomic
def group_buy_close(*, group_buy_id: int) -> GroupBuy:
    """Close a group buy whose deadline has passed (the periodic task calls this).

    If the pledges reach the first tier, it succeeds at the highest tier reached: every
    active pledge becomes a confirmed reservation at the discounted unit price (pickup at
    the group buy's event date, or in the shop) and is linked to it. Otherwise it fails and
    every pledge is released. Everyone is then told by e-mail. A group buy already closed,
    or not yet due, is returned as it is — closing twice does nothing."""
    group_buy = _locked(group_buy_id)
    now = timezone.now()
    if group_buy.status != G.OPEN or group_buy.deadline > now:
        return group_buy
    pledges = list(
        Pledge.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(group_buy=group_buy, status=P.ACTIVE)
        .order_by("pk")
    )
    # An account deleted since pledging (its pledges are normally withdrawn with it) leaves
    # nobody to hand the goods to: such a pledge neither counts nor becomes a reservation.
    gone = [p for p in pledges if p.customer is None]
    _release(gone)
    pledges = [p for p in pledges if p.customer is not None]
    total = sum(p.quantity for p in pledges)
    reached = [t for t in group_buy.tiers.order_by("min_quantity") if t.min_quantity <= total]
    if reached:
        discount = reached[-1].discount
        price = discounted_price(group_buy.unit_price, discount)
        occurrence, pickup_deadline = _pickup_at_closing(group_buy, now)
        for pledge in pledges:
            customer = pledge.customer
            assert customer is not None
            pledge.reservation = reservation_record(
                merchant=group_buy.merchant,
                customer=customer,
                customer_email=_address(customer),
                lines=[LineRequest(group_buy.product, pledge.quantity, unit_price=price)],
                pickup_deadline=pickup_deadline,
                pickup_occurrence=occurrence,
                status="confirmed",
                source=pledge.source,
                group_buy=group_buy,
                hold_stock=False,  # ordered for the group buy: see the module's docstring
            )
            pledge.status = P.CONFIRMED
            pledge.save(update_fields=["status", "reservation", "updated_at"])
        group_buy.status = G.SUCCEEDED
        group_buy.final_discount = discount
    else:
        _release(pledges)
        group_buy.status = G.FAILED
    group_buy.pledged_quantity = total
    group_buy.closed_at = now
    group_buy.save(
        update_fields=["status", "final_discount", "pledged_quantity", "closed_at", "updated_at"]
    )
    _queue_outcome(group_buy)
    _webhook(group_buy)
    return group_buy


def _webhook(group_buy: GroupBuy) -> None:
    """Tell the webhooks that the group buy closed (partners is downstream: imported here)."""
    from partners.services.webhooks import emit_group_buy

    emit_group_buy(group_buy=group_buy)


def group_buys_close_due() -> int:
    """Close every open group buy whose deadline has passed; returns how many were closed.

    Each one in its own transaction (a failure leaves the others closed, and the next run
    tries it again); running twice at once is harmless, since closing takes the row's lock
    and leaves a closed group buy alone."""
    due = list(
        GroupBuy.objects.filter(status=G.OPEN, deadline__lte=timezone.now())
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )
    closed = 0
    for group_buy_id in due:
        if group_buy_close(group_buy_id=group_buy_id).status != G.OPEN:
            closed += 1
    return closed


@transaction.atomic
def group_buy_cancel(*, actor: User, group_buy: GroupBuy) -> GroupBuy:
    """Cancel an open group buy (its shop's owners, or the organisers of the collective it
    was opened for): every pledge is released and the pledgers are told. Cancelling twice
    changes nothing; a group buy already closed cannot be cancelled."""
    group_buy = _locked(group_buy.pk)
    require(can_run_group_buy(actor, group_buy))
    if group_buy.status == G.CANCELLED:
        return group_buy
    if group_buy.status != G.OPEN:
        raise ValidationError(_("This group buy is already closed."), code="closed")
    _release(list(Pledge.objects.select_for_update().filter(group_buy=group_buy, status=P.ACTIVE)))
    group_buy.status = G.CANCELLED
    group_buy.closed_at = timezone.now()
    group_buy.save(update_fields=["status", "closed_at", "updated_at"])
    _queue_outcome(group_buy)
    _webhook(group_buy)  # cancelled: closed too, without reaching its deadline
    return group_buy


# --- E-mails -------------------------------------------------------------------------------


def _claim(marker: str) -> Callable[[], object] | None:
    """Take the « sent » marker atomically; None if it was taken. Returns the undo."""
    if not cache.add(marker, True, timeout=NOTICE_MARKER_SECONDS):
        return None
    return lambda: cache.delete(marker)


def _send_claimed(message: EmailMessage, marker: str) -> bool:
    """Send ``message`` unless ``marker`` was claimed already; a mail server that fails
    releases the claim and re-raises, for the task's retry."""
    release = _claim(marker)
    if release is None:
        return False
    try:
        message.send()
    except OSError:
        release()
        raise
    return True


def _link(group_buy: GroupBuy) -> str:
    """The group buy's page, reversed in the active language (/en/… for English)."""
    path = reverse("group_buys:detail", kwargs={"group_buy_id": group_buy.pk})
    return settings.SITE_URL.rstrip("/") + path


def _render(template: str, context: dict[str, object]) -> tuple[str, str]:
    subject = render_to_string(f"orders/emails/{template}_subject.txt", context)
    body = render_to_string(f"orders/emails/{template}.txt", context)
    return " ".join(subject.split()), body


def _pledge_for_notice(pledge_id: int) -> Pledge | None:
    return (
        Pledge.objects.select_related(
            "customer",
            "reservation__pickup_occurrence__event",
            "group_buy__product",
            "group_buy__merchant",
            "group_buy__pickup_occurrence__event",
        )
        .filter(pk=pledge_id, customer__isnull=False)
        .first()
    )


def pledge_tier_notice_send(*, pledge_id: int, tier_id: int) -> bool:
    """Tell a pledger that the total reached a tier (once per pledge and tier), if the
    pledge is still active and the tier still reached: an inbox entry and an e-mail in
    their language (notifications). Returns whether an e-mail left."""
    from notifications.services.delivery import notification_send_once

    pledge = _pledge_for_notice(pledge_id)
    tier = GroupBuyTier.objects.filter(pk=tier_id).first()
    if pledge is None or tier is None or tier.group_buy_id != pledge.group_buy_id:
        return False
    group_buy = pledge.group_buy
    if (
        pledge.status != P.ACTIVE
        or group_buy.status != G.OPEN
        or group_buy.pledged_quantity < tier.min_quantity
    ):
        return False
    assert pledge.customer is not None
    return notification_send_once(
        marker=f"orders:group-buy-tier:{tier.pk}:{pledge.pk}",
        marker_timeout=NOTICE_MARKER_SECONDS,
        recipient=pledge.customer,
        kind="groupbuy.tier_reached",
        context={"pledge_id": pledge.pk, "tier_id": tier.pk},
        link=reverse("group_buys:detail", kwargs={"group_buy_id": group_buy.pk}),
    )


def pledge_tier_notice_context(pledge_id: int, tier_id: int) -> dict[str, object] | None:
    """The templates' context of « a tier is reached » (in the active language); the
    notifications' loader of ``groupbuy.tier_reached``."""
    pledge = _pledge_for_notice(pledge_id)
    tier = GroupBuyTier.objects.filter(pk=tier_id).first()
    if pledge is None or tier is None:
        return None
    group_buy = pledge.group_buy
    return {
        "customer": pledge.customer,
        "pledge": pledge,
        "group_buy": group_buy,
        "product": group_buy.product,
        "merchant": group_buy.merchant,
        "tier": tier,
        "price": discounted_price(group_buy.unit_price, tier.discount),
        "deadline": timezone.localtime(group_buy.deadline),
        "link": _link(group_buy),
    }


def pledge_outcome_notice_send(*, pledge_id: int) -> bool:
    """Tell a pledger how the group buy ended — their reservation (code, price, pickup) or
    the release of their pledge — once per pledge: an inbox entry and an e-mail in their
    language (notifications). Returns whether an e-mail left."""
    from notifications.services.delivery import notification_send_once

    pledge = _pledge_for_notice(pledge_id)
    if pledge is None or pledge.status not in (P.CONFIRMED, P.RELEASED):
        return False
    group_buy = pledge.group_buy
    if group_buy.status == G.OPEN:
        return False
    assert pledge.customer is not None
    return notification_send_once(
        marker=f"orders:group-buy-outcome:{pledge.pk}",
        marker_timeout=NOTICE_MARKER_SECONDS,
        recipient=pledge.customer,
        kind="groupbuy.closed",
        context={"pledge_id": pledge.pk},
        link=reverse("group_buys:detail", kwargs={"group_buy_id": group_buy.pk}),
    )


def pledge_outcome_notice_context(pledge_id: int) -> dict[str, object] | None:
    """The templates' context of a group buy's outcome for a pledger (in the active
    language); the notifications' loader of ``groupbuy.closed``."""
    pledge = _pledge_for_notice(pledge_id)
    if pledge is None:
        return None
    group_buy = pledge.group_buy
    reservation = pledge.reservation
    return {
        "customer": pledge.customer,
        "pledge": pledge,
        "group_buy": group_buy,
        "product": group_buy.product,
        "merchant": group_buy.merchant,
        "reservation": reservation,
        "unit_price": reservation.lines.get().unit_price if reservation else None,
        "pickup_deadline": timezone.localtime(reservation.pickup_deadline) if reservation else None,
        "link": _link(group_buy),
    }


def _shop_addresses(merchant: Merchant) -> list[str]:
    """The shop's own address if it gave one, else its owners'."""
    if merchant.email:
        return [merchant.email]
    owners = (
        MerchantMember.objects.filter(merchant=merchant, role=MerchantMember.Role.OWNER)
        .select_related("user")
        .order_by("pk")
    )
    return [_address(member.user) for member in owners]


def group_buy_shop_notice_send(*, group_buy_id: int) -> bool:
    """Tell the shop how its group buy ended: on success the quantity to order, the price
    and the pickup; once per group buy. The e-mail goes to the shop's own address (or its
    owners together); once it left, each owner also gets an inbox entry. Returns whether
    an e-mail left."""
    group_buy = (
        GroupBuy.objects.select_related("product", "merchant", "collective")
        .filter(pk=group_buy_id)
        .exclude(status=G.OPEN)
        .first()
    )
    if group_buy is None:
        return False
    recipients = _shop_addresses(group_buy.merchant)
    if not recipients:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _render("group_buy_shop_outcome", _shop_notice_context(group_buy))
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    if not _send_claimed(message, f"orders:group-buy-outcome-shop:{group_buy.pk}"):
        return False
    _notify_owners_inbox(group_buy)
    return True


@transaction.atomic
def _notify_owners_inbox(group_buy: GroupBuy) -> None:
    """An inbox entry for each owner of the shop (the e-mail went to the shop)."""
    from notifications.services.notify import notify

    owners = MerchantMember.objects.filter(
        merchant=group_buy.merchant, role=MerchantMember.Role.OWNER
    ).select_related("user")
    link = reverse("shop_group_buys:list", kwargs={"merchant_slug": group_buy.merchant.slug})
    for member in owners.order_by("pk"):
        notify(
            recipient=member.user,
            kind="groupbuy.shop_closed",
            context={"group_buy_id": group_buy.pk},
            link=link,
            email=False,
        )


def group_buy_shop_notice_context(group_buy_id: int) -> dict[str, object] | None:
    """The templates' context of the shop's outcome e-mail (in the active language); the
    notifications' loader of ``groupbuy.shop_closed``."""
    group_buy = (
        GroupBuy.objects.select_related("product", "merchant", "collective")
        .filter(pk=group_buy_id)
        .first()
    )
    return None if group_buy is None else _shop_notice_context(group_buy)


def _shop_notice_context(group_buy: GroupBuy) -> dict[str, object]:
    first = group_buy.reservations.select_related("pickup_occurrence__event").order_by("pk").first()
    return {
        "group_buy": group_buy,
        "product": group_buy.product,
        "merchant": group_buy.merchant,
        "reservation_count": group_buy.reservations.count(),
        "price": discounted_price(group_buy.unit_price, group_buy.final_discount)
        if group_buy.final_discount is not None
        else None,
        "pickup_deadline": timezone.localtime(first.pickup_deadline) if first else None,
        "pickup_occurrence": first.pickup_occurrence if first else None,
        "link": settings.SITE_URL.rstrip("/")
        + reverse("shop_group_buys:list", kwargs={"merchant_slug": group_buy.merchant.slug}),
    }

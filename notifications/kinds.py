"""The registry of notification kinds: what Halle can tell people, and how.

Each :class:`Kind` names its audience (for the preferences page), its default mode
(straight away or in the daily digest), whether it is *transactional* — a pickup code, a
cancelled date: it cannot be turned off and ignores the digest — its templates and the
function that turns a notification's stored context (ids and plain values) into the
template's context when the e-mail is written.

Templates: ``<templates>_subject.txt`` and ``<templates>.txt`` are required; an HTML body
``<templates>.html`` is used when it exists, else the text is laid out in
``notifications/emails/layout.html``. The loader (``context``, a dotted path) receives the
stored context and returns the template context, or ``None`` when the notice no longer
applies (the e-mail is then skipped). Without a loader the stored context is used as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Mode = Literal["immediate", "digest", "off"]
Audience = Literal["customer", "shop", "organiser"]

IMMEDIATE: Mode = "immediate"
DIGEST: Mode = "digest"
OFF: Mode = "off"

AUDIENCE_LABELS: dict[str, Promise] = {
    "customer": _("As a customer"),
    "shop": _("For your shop"),
    "organiser": _("For your collective"),
}


@dataclass(frozen=True)
class Kind:
    """One kind of notification (see the module's docstring)."""

    name: str
    label: Promise
    audience: Audience
    templates: str
    default_mode: Mode = IMMEDIATE
    transactional: bool = False
    context: str = ""
    # The in-app inbox always has the notice; e-mail is the only other channel today.
    channels: tuple[str, ...] = field(default=("inbox", "email"))

    def mode_for(self, chosen: str | None) -> Mode:
        """The mode that applies given the person's choice (``None``: no choice made).
        Transactional kinds are always sent straight away."""
        if self.transactional:
            return IMMEDIATE
        if chosen in (IMMEDIATE, DIGEST, OFF):
            return chosen
        return self.default_mode


_LOADERS = "notifications.contexts"

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        # --- Reservations (click & collect) ---------------------------------------------
        Kind(
            "reservation.created",
            _("A customer reserved something"),
            "shop",
            "orders/emails/reservation_new",
            transactional=True,
            context=f"{_LOADERS}.reservation",
        ),
        Kind(
            "reservation.cancelled_by_customer",
            _("A customer cancelled a reservation"),
            "shop",
            "orders/emails/reservation_cancelled_by_customer",
            transactional=True,
            context=f"{_LOADERS}.reservation",
        ),
        Kind(
            "reservation.confirmed",
            _("The shop confirmed your reservation"),
            "customer",
            "orders/emails/reservation_confirmed",
            transactional=True,
            context=f"{_LOADERS}.reservation",
        ),
        Kind(
            "reservation.ready",
            _("Your order is ready (pickup code)"),
            "customer",
            "orders/emails/reservation_ready",
            transactional=True,
            context=f"{_LOADERS}.reservation",
        ),
        Kind(
            "reservation.declined",
            _("The shop declined your reservation"),
            "customer",
            "orders/emails/reservation_declined",
            transactional=True,
            context=f"{_LOADERS}.reservation",
        ),
        Kind(
            "reservation.expired",
            _("Your reservation expired"),
            "customer",
            "orders/emails/reservation_expired",
            transactional=True,
            context=f"{_LOADERS}.reservation",
        ),
        Kind(
            "reservation.cancelled",
            _("The shop cancelled your reservation"),
            "customer",
            "orders/emails/reservation_cancelled",
            transactional=True,
            context=f"{_LOADERS}.reservation",
        ),
        # --- Group buys -------------------------------------------------------------------
        Kind(
            "groupbuy.tier_reached",
            _("A group buy you joined reached a better price"),
            "customer",
            "orders/emails/group_buy_tier_reached",
            context=f"{_LOADERS}.pledge_tier",
        ),
        Kind(
            "groupbuy.closed",
            _("How a group buy you joined ended"),
            "customer",
            "orders/emails/group_buy_outcome",
            transactional=True,
            context=f"{_LOADERS}.pledge_outcome",
        ),
        Kind(
            "groupbuy.shop_closed",
            _("How your shop's group buy ended"),
            "shop",
            "orders/emails/group_buy_shop_outcome",
            transactional=True,
            context=f"{_LOADERS}.group_buy_shop",
        ),
        # --- Events ---------------------------------------------------------------------
        Kind(
            "event.reminder",
            _("A reminder the day before an event you registered for"),
            "customer",
            "collectives/emails/reminder",
            context=f"{_LOADERS}.registration",
        ),
        Kind(
            "event.cancelled",
            _("An event you registered for is cancelled"),
            "customer",
            "collectives/emails/cancelled",
            transactional=True,
            context=f"{_LOADERS}.registration",
        ),
        Kind(
            "event.moved",
            _("A date you registered for has moved"),
            "customer",
            "collectives/emails/moved",
            transactional=True,
            context=f"{_LOADERS}.registration",
        ),
        Kind(
            "event.seat_freed",
            _("A seat freed up for you on a waiting list"),
            "customer",
            "collectives/emails/seat_freed",
            transactional=True,
            context=f"{_LOADERS}.registration",
        ),
        # --- Invitations and memberships --------------------------------------------------
        Kind(
            "invitation.collective",
            _("Your shop is invited to join a collective"),
            "shop",
            "collectives/emails/invitation",
            transactional=True,
        ),
        Kind(
            "invitation.staff",
            _("You are invited to a shop's team"),
            "shop",
            "merchants/emails/staff_invitation",
            transactional=True,
        ),
        Kind(
            "membership.requested",
            _("A shop asks to join your collective"),
            "organiser",
            "notifications/emails/membership_requested",
            context=f"{_LOADERS}.membership",
        ),
        Kind(
            "membership.answered",
            _("A collective answered your shop's request to join"),
            "shop",
            "collectives/emails/answer",
            transactional=True,
            context=f"{_LOADERS}.membership",
        ),
        # --- What people follow (the daily digest by default) ----------------------------
        Kind(
            "follow.new_product",
            _("A new product from a shop or collective you follow"),
            "customer",
            "notifications/emails/follow_new_product",
            default_mode=DIGEST,
        ),
        Kind(
            "follow.new_story",
            _("A new story from a shop or collective you follow"),
            "customer",
            "notifications/emails/follow_new_story",
            default_mode=DIGEST,
        ),
        Kind(
            "follow.new_event",
            _("A new event from a collective or shop you follow"),
            "customer",
            "notifications/emails/follow_new_event",
            default_mode=DIGEST,
        ),
        # --- Back office ------------------------------------------------------------------
        Kind(
            "import.finished",
            _("A product import finished"),
            "shop",
            "notifications/emails/import_finished",
        ),
        Kind(
            "insights.monthly_report",
            _("The collective's figures of the month (on the 1st)"),
            "organiser",
            "notifications/emails/insights_monthly_report",
            context="insights.services.reports.report_email_context",
        ),
    )
}


def get_kind(name: str) -> Kind:
    """The kind called ``name``; ``KeyError`` for a kind nobody declared (a typo in a
    caller must fail loudly, not send a blank e-mail)."""
    return KINDS[name]

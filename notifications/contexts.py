"""The loaders of :mod:`notifications.kinds`: from a notification's stored context (ids and
plain values) to its templates' context, when the e-mail is written — in the recipient's
language, which is active when they are called. ``None`` means the notice no longer applies
(its e-mail is then skipped).

The context of each domain's messages is built by the domain (it knows its models); these
functions only point to it.
"""

from __future__ import annotations

from typing import Any


def registration(stored: dict[str, Any]) -> dict[str, Any] | None:
    """``event.reminder``, ``event.cancelled``, ``event.seat_freed``."""
    from collectives.services.notices import registration_notice_context

    return registration_notice_context(stored["registration_id"], stored["notice"])


def reservation(stored: dict[str, Any]) -> dict[str, Any] | None:
    """``reservation.*``."""
    from orders.services.reservations import reservation_notice_context

    return reservation_notice_context(stored["reservation_id"], stored["notice"])


def pledge_tier(stored: dict[str, Any]) -> dict[str, Any] | None:
    """``groupbuy.tier_reached``."""
    from orders.services.group_buys import pledge_tier_notice_context

    return pledge_tier_notice_context(stored["pledge_id"], stored["tier_id"])


def pledge_outcome(stored: dict[str, Any]) -> dict[str, Any] | None:
    """``groupbuy.closed``."""
    from orders.services.group_buys import pledge_outcome_notice_context

    return pledge_outcome_notice_context(stored["pledge_id"])


def group_buy_shop(stored: dict[str, Any]) -> dict[str, Any] | None:
    """``groupbuy.shop_closed``."""
    from orders.services.group_buys import group_buy_shop_notice_context

    return group_buy_shop_notice_context(stored["group_buy_id"])


def membership(stored: dict[str, Any]) -> dict[str, Any] | None:
    """``membership.requested`` and ``membership.answered``: the membership, its shop and
    collective, and the page where it is handled."""
    from django.urls import reverse

    from collectives.models import Membership
    from notifications.emails import site_url

    found = (
        Membership.objects.select_related("collective", "merchant")
        .filter(pk=stored["membership_id"])
        .first()
    )
    if found is None:
        return None
    if stored.get("status") in ("active", "declined"):
        link = reverse("shop_collectives:list", kwargs={"merchant_slug": found.merchant.slug})
    else:
        link = reverse("organiser:members", kwargs={"collective_slug": found.collective.slug})
    return {
        **stored,
        "membership": found,
        "collective": found.collective,
        "merchant": found.merchant,
        "approved": stored.get("status") == "active",
        "link": site_url(link),
    }

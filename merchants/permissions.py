"""Who may do what with a shop."""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxDetails

from accounts.models import User
from accounts.permissions import Actor
from merchants.models import Merchant, MerchantMember
from merchants.selectors import staff_membership


def merchant_role(user: Actor, merchant: Merchant) -> str | None:
    """The user's role in the shop (``owner``/``staff``), or None."""
    if not user.is_authenticated:
        return None
    return (
        MerchantMember.objects.filter(user=user, merchant=merchant)
        .values_list("role", flat=True)
        .first()
    )


def can_edit_merchant(user: Actor, merchant: Merchant) -> bool:
    """Owners and staff edit the shop, its products, hours and stories."""
    return merchant_role(user, merchant) is not None


def can_manage_merchant(user: Actor, merchant: Merchant) -> bool:
    """Only owners publish the shop, manage its staff and commit it to a collective."""
    return merchant_role(user, merchant) == MerchantMember.Role.OWNER


class ShopRequest(HttpRequest):
    """A request as a « Mon commerce » view receives it: ``merchant_required`` has logged the
    user in and set the shop and their role; django-htmx has set ``htmx``. (For typing only.)"""

    user: User
    merchant: Merchant
    merchant_role: str
    htmx: HtmxDetails


class AuthenticatedRequest(HttpRequest):
    """A request of a ``login_required`` view (for typing only)."""

    user: User
    htmx: HtmxDetails


def merchant_required(
    *, manage: bool = False
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Decorate a back-office view of one shop, routed as ``…/<slug:merchant_slug>/…``.

    The tenant is resolved once, here: the visitor must be logged in (else the log-in page),
    must work for the shop (else 404 — the shop's existence is not revealed), and, for
    ``manage=True`` actions (publishing, staff, collectives), must be an owner (else 403).
    The view receives ``request.merchant`` and ``request.merchant_role`` instead of the slug.
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @functools.wraps(view)
        def wrapper(
            request: HttpRequest, merchant_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            member = staff_membership(actor=request.user, slug=merchant_slug)
            if manage and member.role != MerchantMember.Role.OWNER:
                raise PermissionDenied
            request.merchant = member.merchant  # type: ignore[attr-defined]
            request.merchant_role = member.role  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

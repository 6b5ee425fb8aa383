"""A shop's group buys, in « Mon commerce » (/mon-commerce/<shop>/achats-groupes/…): the
list with each one's progress, opening one on a product, cancelling one.

The whole team sees the list; only owners open and cancel (``merchant_required(manage=
True)``: 403 for staff). A group buy of another shop is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from collectives.models import Collective
from merchants.permissions import ShopRequest, merchant_required
from orders.forms.group_buys import GroupBuyForm
from orders.models import GroupBuy
from orders.selectors.group_buys import (
    group_buy_products,
    group_buy_progress,
    pickup_dates,
    shop_group_buy,
    shop_group_buys,
)
from orders.services.group_buys import group_buy_cancel, group_buy_open

NAV = "group_buys"


def with_progress(group_buys: list[GroupBuy]) -> list[tuple[GroupBuy, object]]:
    """Each group buy with its progress (tiers prefetched: no query)."""
    return [(group_buy, group_buy_progress(group_buy)) for group_buy in group_buys]


def open_from_form(
    request: HttpRequest, form: GroupBuyForm, *, collective: Collective | None = None
) -> GroupBuy | None:
    """Open the group buy the form describes; None (with the errors on the form) if the
    input or the service refused it."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        group_buy = group_buy_open(
            actor=request.user,  # type: ignore[arg-type]  # the decorators logged them in
            collective=collective,
            **form.service_arguments(),
        )
    except ValidationError as error:
        form.attach_service_errors(error)
        return None
    messages.success(
        request,
        _("The group buy on %(product)s is open.") % {"product": group_buy.product.title},
    )
    return group_buy


def cancel_from_post(request: HttpRequest, group_buy: GroupBuy) -> None:
    """Cancel after the confirmation page's POST, with the outcome as a message."""
    try:
        group_buy_cancel(actor=request.user, group_buy=group_buy)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The group buy on %(product)s is cancelled; its pledgers are told.")
            % {"product": group_buy.product.title},
        )


@merchant_required()
@require_GET
def group_buy_list(request: ShopRequest) -> HttpResponse:
    """Every group buy on the shop's products, open ones first, with their progress."""
    return render(
        request,
        "orders/group_buys/shop/list.html",
        {
            "nav": NAV,
            "is_owner": request.merchant_role == "owner",
            "rows": with_progress(list(shop_group_buys(merchant=request.merchant))),
        },
    )


@merchant_required(manage=True)
@require_http_methods(["GET", "POST"])
def group_buy_create(request: ShopRequest) -> HttpResponse:
    """Open a group buy on one of the shop's published products."""
    form = GroupBuyForm(
        request.POST or None,
        products=group_buy_products(merchant=request.merchant),
        pickup_dates=pickup_dates(merchant=request.merchant),
    )
    if open_from_form(request, form) is not None:
        return redirect("shop_group_buys:list", merchant_slug=request.merchant.slug)
    return render(request, "orders/group_buys/shop/form.html", {"nav": NAV, "form": form})


@merchant_required(manage=True)
@require_http_methods(["GET", "POST"])
def group_buy_cancel_view(request: ShopRequest, group_buy_id: int) -> HttpResponse:
    """Cancel an open group buy, after a confirmation page."""
    group_buy = shop_group_buy(merchant=request.merchant, group_buy_id=group_buy_id)
    if request.method == "POST":
        cancel_from_post(request, group_buy)
        return redirect("shop_group_buys:list", merchant_slug=request.merchant.slug)
    return render(
        request,
        "orders/group_buys/shop/cancel.html",
        {"nav": NAV, "group_buy": group_buy, "progress": group_buy_progress(group_buy)},
    )

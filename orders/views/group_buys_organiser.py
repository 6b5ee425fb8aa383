"""Group buys in the organiser space (/organiser/<collective>/achats-groupes/…): those the
organisers opened for the collective, opening one on a member shop's product, cancelling.

Organisers never edit a member's products; opening a group buy on one is an offer to the
town, which the shop's owners may cancel as well (see ``can_run_group_buy``).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from collectives.permissions import OrganiserRequest, organiser_required
from orders.forms.group_buys import GroupBuyForm
from orders.selectors.group_buys import (
    group_buy_products,
    group_buy_progress,
    organiser_group_buy,
    organiser_group_buys,
    pickup_dates,
)
from orders.views.group_buys_shop import cancel_from_post, open_from_form, with_progress

NAV = "group_buys"


def _context(request: OrganiserRequest, **extra: object) -> dict[str, object]:
    return {"nav": NAV, "is_admin": request.organiser_role == "admin", **extra}


@organiser_required()
@require_GET
def group_buy_list(request: OrganiserRequest) -> HttpResponse:
    """The group buys opened for the collective, open ones first, with their progress."""
    rows = with_progress(list(organiser_group_buys(collective=request.collective)))
    return render(request, "orders/group_buys/organiser/list.html", _context(request, rows=rows))


@organiser_required()
@require_http_methods(["GET", "POST"])
def group_buy_create(request: OrganiserRequest) -> HttpResponse:
    """Open a group buy on a published product of an active member shop."""
    form = GroupBuyForm(
        request.POST or None,
        products=group_buy_products(collective=request.collective),
        pickup_dates=pickup_dates(collective=request.collective),
        with_shop=True,
    )
    if open_from_form(request, form, collective=request.collective) is not None:
        return redirect("organiser_group_buys:list", collective_slug=request.collective.slug)
    return render(request, "orders/group_buys/organiser/form.html", _context(request, form=form))


@organiser_required()
@require_http_methods(["GET", "POST"])
def group_buy_cancel_view(request: OrganiserRequest, group_buy_id: int) -> HttpResponse:
    """Cancel an open group buy of the collective, after a confirmation page."""
    group_buy = organiser_group_buy(collective=request.collective, group_buy_id=group_buy_id)
    if request.method == "POST":
        cancel_from_post(request, group_buy)
        return redirect("organiser_group_buys:list", collective_slug=request.collective.slug)
    return render(
        request,
        "orders/group_buys/organiser/cancel.html",
        _context(request, group_buy=group_buy, progress=group_buy_progress(group_buy)),
    )

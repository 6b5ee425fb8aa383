"""A shop's side of selections, in « Mon commerce » (/mon-commerce/<shop>/selections/…): the
open selections of its collectives, proposing one of its products with a message, its
proposals and their answers, withdrawing a proposal still waiting. Owners and staff alike."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collectives.forms.selections import ProposalForm
from collectives.selectors.selections import (
    shop_open_selection,
    shop_open_selections,
    shop_proposable_products,
    shop_selection_item,
    shop_selection_items,
)
from collectives.services import selections as services
from merchants.permissions import ShopRequest, merchant_required
from merchants.views.shop import attach_errors

NAV = "selections"


@merchant_required()
def selection_list(request: ShopRequest) -> HttpResponse:
    """The selections the shop may propose to, and its products in selections."""
    merchant = request.merchant
    return render(
        request,
        "collectives/selections/shop/list.html",
        {
            "nav": NAV,
            "selections": shop_open_selections(merchant=merchant),
            "items": shop_selection_items(merchant=merchant),
        },
    )


@merchant_required()
def propose(request: ShopRequest, selection_id: int) -> HttpResponse:
    """Propose one of the shop's published products to a selection, with a message."""
    merchant = request.merchant
    selection = shop_open_selection(merchant=merchant, selection_id=selection_id)
    products = shop_proposable_products(merchant=merchant, selection=selection)
    form = ProposalForm(request.POST or None, products=products)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.selection_propose(
                actor=request.user, selection=selection, **form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("%(product)s is proposed to « %(selection)s ». The organisers will answer.")
                % {"product": item.product.title, "selection": selection.title},
            )
            return redirect("shop_selections:list", merchant_slug=merchant.slug)
    return render(
        request,
        "collectives/selections/shop/propose.html",
        {
            "nav": NAV,
            "selection": selection,
            "form": form,
            "has_products": products.exists(),
            "items": shop_selection_items(merchant=merchant, selection=selection),
        },
    )


@require_POST
@merchant_required()
def withdraw(request: ShopRequest, item_id: int) -> HttpResponse:
    """Withdraw a proposal the organisers have not answered yet."""
    item = shop_selection_item(merchant=request.merchant, item_id=item_id)
    try:
        services.selection_proposal_withdraw(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your proposal of %(product)s is withdrawn.") % {"product": item.product.title},
        )
    return redirect("shop_selections:list", merchant_slug=request.merchant.slug)

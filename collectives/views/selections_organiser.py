"""Selections in the organiser space (/organiser/<collective>/selections/…): the list, the
selection form (with its cover), publishing, and the selection's page where organisers add
products from the shared catalog, order them, take them out and answer the shops' proposals.

Every action is a POST form that works without JavaScript (answer: a redirect to the
selection's page with a message). With htmx the same forms swap only the managed part of the
page (``#selection-manage``), the outcome read out in its live region.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collectives.forms.selections import ProductSearchForm, SelectionForm
from collectives.models import Selection
from collectives.permissions import OrganiserRequest, organiser_required
from collectives.selectors.selections import (
    organiser_selection,
    organiser_selections,
    selection_addable_product,
    selection_addable_products,
    selection_item,
    selection_items,
    selection_proposals,
)
from collectives.services import selections as services
from merchants.views.shop import attach_errors

NAV = "selections"


def _context(request: OrganiserRequest, **extra: object) -> dict[str, object]:
    return {"nav": NAV, "is_admin": request.organiser_role == "admin", **extra}


def _selection(request: OrganiserRequest, selection_id: int) -> Selection:
    return organiser_selection(collective=request.collective, selection_id=selection_id)


def _detail_url(selection: Selection) -> str:
    return reverse(
        "organiser_selections:detail",
        kwargs={"collective_slug": selection.collective.slug, "selection_id": selection.pk},
    )


@organiser_required()
def selection_list(request: OrganiserRequest) -> HttpResponse:
    """The collective's selections, their status, products and proposals waiting."""
    return render(
        request,
        "collectives/selections/organiser/list.html",
        _context(request, selections=organiser_selections(collective=request.collective)),
    )


@organiser_required()
def selection_create(request: OrganiserRequest) -> HttpResponse:
    """A new selection: a draft, until products are added and it is published."""
    form = SelectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            selection = services.selection_create(
                actor=request.user, collective=request.collective, **form.service_arguments()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("The selection is created as a draft. Now add its products.")
            )
            return redirect(_detail_url(selection))
    return render(
        request, "collectives/selections/organiser/form.html", _context(request, form=form)
    )


@organiser_required()
def selection_edit(request: OrganiserRequest, selection_id: int) -> HttpResponse:
    """Title, text, visibility window, switches and cover."""
    selection = _selection(request, selection_id)
    covers = list(selection.photos.all())
    form = SelectionForm(
        request.POST or None,
        request.FILES or None,
        initial=SelectionForm.initial_for(selection),
        has_cover=bool(covers),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.selection_update(
                actor=request.user, selection=selection, **form.service_arguments()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The selection is saved."))
            return redirect(_detail_url(selection))
    return render(
        request,
        "collectives/selections/organiser/form.html",
        _context(request, form=form, selection=selection, cover=covers[0] if covers else None),
    )


@require_POST
@organiser_required()
def selection_publish(request: OrganiserRequest, selection_id: int, publish: bool) -> HttpResponse:
    selection = _selection(request, selection_id)
    try:
        if publish:
            services.selection_publish(actor=request.user, selection=selection)
            done = _("The selection is published.")
        else:
            services.selection_unpublish(actor=request.user, selection=selection)
            done = _("The selection is back to draft: the public no longer sees it.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(_detail_url(selection))


def _keep_search(query: str) -> str:
    """The query string that keeps the organiser's search across an action."""
    return "?" + urlencode({"q": query}) if query else ""


def _detail_page(
    request: OrganiserRequest, selection: Selection, *, notice: str = "", failed: bool = False
) -> HttpResponse:
    search = ProductSearchForm(request.GET)
    query = search.search()
    return render(
        request,
        "collectives/selections/organiser/detail.html",
        _context(
            request,
            selection=selection,
            items=selection_items(selection=selection),
            proposals=selection_proposals(selection=selection),
            search=search,
            query=query,
            addable=selection_addable_products(selection=selection, search=query),
            keep=_keep_search(query),
            notice=notice,
            failed=failed,
        ),
    )


@organiser_required()
def selection_detail(request: OrganiserRequest, selection_id: int) -> HttpResponse:
    """The selection's products in order, the search to add more, the proposals waiting."""
    return _detail_page(request, _selection(request, selection_id))


def _answer(
    request: OrganiserRequest, selection: Selection, *, done: str = "", error: str = ""
) -> HttpResponse:
    """After an action: htmx gets the page again (only its managed part is swapped in, the
    outcome in its live region); a plain form gets a redirect and a message."""
    if request.htmx:
        selection.refresh_from_db()
        return _detail_page(request, selection, notice=error or done, failed=bool(error))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_detail_url(selection) + _keep_search(ProductSearchForm(request.GET).search()))


@require_POST
@organiser_required()
def selection_add_product(request: OrganiserRequest, selection_id: int) -> HttpResponse:
    """Add a product of the shared catalog at the end of the selection."""
    selection = _selection(request, selection_id)
    raw = request.POST.get("product", "")
    product = selection_addable_product(
        selection=selection, product_id=int(raw) if raw.isdigit() else 0
    )
    try:
        services.selection_add_product(actor=request.user, selection=selection, product=product)
    except ValidationError as error:
        return _answer(request, selection, error=" ".join(error.messages))
    return _answer(
        request,
        selection,
        done=_("%(product)s is added to the selection.") % {"product": product.title},
    )


@require_POST
@organiser_required()
def item_action(
    request: OrganiserRequest, selection_id: int, item_id: int, action: str
) -> HttpResponse:
    """Move a product up or down, take it out; accept or decline a shop's proposal."""
    selection = _selection(request, selection_id)
    item = selection_item(selection=selection, item_id=item_id)
    names = {"product": item.product.title, "shop": item.product.merchant.name}
    try:
        if action in ("up", "down"):
            offset = -1 if action == "up" else 1
            services.selection_move_item(actor=request.user, item=item, offset=offset)
            done = _("%(product)s is moved.") % names
        elif action == "remove":
            services.selection_remove_item(actor=request.user, item=item)
            done = _("%(product)s is taken out of the selection.") % names
        elif action == "accept":
            services.selection_proposal_accept(actor=request.user, item=item)
            done = _("%(product)s of %(shop)s is added to the selection.") % names
        else:  # "decline" (the URL allows nothing else)
            services.selection_proposal_decline(actor=request.user, item=item)
            done = _("The proposal of %(shop)s is declined.") % names
    except ValidationError as error:
        return _answer(request, selection, error=" ".join(error.messages))
    return _answer(request, selection, done=done)

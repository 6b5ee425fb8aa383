"""A shop's reservations inbox in « Mon commerce » (/mon-commerce/<shop>/reservations/…).

Owners and staff answer reservations: tabs by status (new ones highlighted until opened or
acted on), one-tap confirm / ready / collected buttons that swap their row with htmx and
post a plain form without JavaScript, a box to type a pickup code — or the shop's phone
camera scanning a customer's QR code, which opens ``code/<CODE>/``. Every view is
decorated with ``merchant_required``: another shop's team, or a customer, gets a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merchants.permissions import ShopRequest, merchant_required
from merchants.views.shop import attach_errors
from orders.codes import normalise_pickup_code
from orders.forms.reservations import DeclineForm, PickupCodeForm, ShopCancelForm
from orders.models import Reservation
from orders.selectors.reservations import (
    INBOX_TABS,
    inbox_counts,
    shop_reservation,
    shop_reservation_by_code,
    shop_reservations,
)
from orders.services import reservations as services

TEMPLATES = "orders/reservations/shop/"
PAGE_SIZE = 30
INVALID_STATUS = 400


def _inbox_page(
    request: ShopRequest, *, tab: str, code_form: PickupCodeForm | None = None, status: int = 200
) -> HttpResponse:
    merchant = request.merchant
    page = Paginator(shop_reservations(merchant=merchant, tab=tab), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        TEMPLATES + "inbox.html",
        {
            "nav": "reservations",
            "tab": tab,
            "tabs": list(INBOX_TABS),
            "counts": inbox_counts(merchant=merchant),
            "page": page,
            "reservations": page.object_list,
            "code_form": code_form or PickupCodeForm(),
            "next": request.get_full_path(),
        },
        status=status,
    )


@merchant_required()
def inbox(request: ShopRequest) -> HttpResponse:
    """The reservations of one tab (``?tab=new|confirmed|ready|done``; new by default)."""
    tab = request.GET.get("tab", "new")
    if tab not in INBOX_TABS:
        tab = "new"  # a stale link shows the requests to answer rather than an error
    return _inbox_page(request, tab=tab)


@merchant_required()
def find_code(request: ShopRequest) -> HttpResponse:
    """The code box: a code typed at the counter opens its reservation."""
    form = PickupCodeForm(request.GET)
    if form.is_valid():
        found = shop_reservation_by_code(merchant=request.merchant, code=form.cleaned_data["code"])
        if found is not None:
            return redirect("shop_reservations:detail", request.merchant.slug, found.pk)
        form.add_error("code", _("No reservation of your shop has this code."))
    return _inbox_page(request, tab="new", code_form=form, status=INVALID_STATUS)


@merchant_required()
def by_code(request: ShopRequest, code: str) -> HttpResponse:
    """What a scanned QR code opens: the shop's reservation with this code (404 if none —
    and for anybody outside the shop's team, who never reaches this view)."""
    found = shop_reservation_by_code(merchant=request.merchant, code=code)
    if found is None:
        form = PickupCodeForm({"code": normalise_pickup_code(code)})
        form.is_valid()
        form.add_error("code", _("No reservation of your shop has this code."))
        return _inbox_page(request, tab="new", code_form=form, status=404)
    return redirect("shop_reservations:detail", request.merchant.slug, found.pk)


def _detail_page(
    request: ShopRequest, reservation: Reservation, *, forms: dict[str, Form], status: int = 200
) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "detail.html",
        {
            "nav": "reservations",
            "reservation": reservation,
            "lines": list(reservation.lines.all()),
            "occurrence": reservation.pickup_occurrence,
            "decline_form": forms.get("decline") or DeclineForm(auto_id="decline-%s"),
            "cancel_form": forms.get("cancel") or ShopCancelForm(auto_id="cancel-%s"),
            "next": "",
        },
        status=status,
    )


@merchant_required()
def detail(request: ShopRequest, pk: int) -> HttpResponse:
    """One reservation, with every action; opening it takes it out of « new »."""
    reservation = shop_reservation(merchant=request.merchant, pk=pk)
    services.reservation_mark_seen(actor=request.user, reservation=reservation)
    return _detail_page(request, reservation, forms={})


# --- One-tap actions -------------------------------------------------------------------------


def _confirm(request: ShopRequest, reservation: Reservation, data: Any) -> Reservation:
    return services.reservation_confirm(actor=request.user, reservation=reservation)


def _ready(request: ShopRequest, reservation: Reservation, data: Any) -> Reservation:
    return services.reservation_mark_ready(actor=request.user, reservation=reservation)


def _collect(request: ShopRequest, reservation: Reservation, data: Any) -> Reservation:
    return services.reservation_collect(actor=request.user, reservation=reservation)


def _decline(request: ShopRequest, reservation: Reservation, data: Any) -> Reservation:
    return services.reservation_decline(
        actor=request.user, reservation=reservation, reason=data["reason"]
    )


def _cancel(request: ShopRequest, reservation: Reservation, data: Any) -> Reservation:
    return services.reservation_cancel(
        actor=request.user, reservation=reservation, reason=data["reason"]
    )


Action = Callable[[ShopRequest, Reservation, Any], Reservation]
# action → (service call, form of its input or None, message once done)
ACTIONS: dict[str, tuple[Action, type[Form] | None, Callable[[], str]]] = {
    "confirm": (_confirm, None, lambda: _("Reservation %(code)s confirmed.")),
    "ready": (_ready, None, lambda: _("Reservation %(code)s is ready for pickup.")),
    "collect": (_collect, None, lambda: _("Reservation %(code)s collected.")),
    "decline": (_decline, DeclineForm, lambda: _("Reservation %(code)s declined.")),
    "cancel": (_cancel, ShopCancelForm, lambda: _("Reservation %(code)s cancelled.")),
}


@require_POST
@merchant_required()
def act(request: ShopRequest, pk: int, action: str) -> HttpResponse:
    """Confirm, mark ready, mark collected, decline (with a reason) or cancel.

    htmx gets the reservation's row back, with the outcome or the error in it; a plain post
    goes back where it came from (``next``) with a message, or — when the form itself is
    wrong, e.g. a decline without a reason — shows the reservation again with the error
    next to the field."""
    reservation = shop_reservation(merchant=request.merchant, pk=pk)
    call, form_class, done = ACTIONS[action]
    form = form_class(request.POST, auto_id=f"{action}-%s") if form_class else None
    error = ""
    if form is not None and not form.is_valid():
        error = " ".join(str(message) for errors in form.errors.values() for message in errors)
    else:
        try:
            call(request, reservation, form.cleaned_data if form else None)
        except ValidationError as problem:
            if form is not None:
                attach_errors(form, problem)
            error = " ".join(problem.messages)
    reservation = shop_reservation(merchant=request.merchant, pk=pk)
    if request.htmx:
        return render(
            request,
            TEMPLATES + "_row.html",
            {
                "reservation": reservation,
                "lines": list(reservation.lines.all()),
                "row_error": error,
                "row_done": "" if error else done() % {"code": reservation.code},
                "decline_form": form if action == "decline" and error else None,
                "next": request.POST.get("next", ""),
                "tab": request.POST.get("tab", ""),
            },
            # 200 even for an error: htmx swaps only successful answers, and the row
            # carries the error to show.
        )
    if error and form is not None and form.errors:
        return _detail_page(request, reservation, forms={action: form}, status=INVALID_STATUS)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done() % {"code": reservation.code})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("shop_reservations:detail", request.merchant.slug, reservation.pk)

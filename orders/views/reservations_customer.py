"""The customer's side of click & collect: reserving from a product page
(/reservations/reserver/<shop>/<product>/), « my reservations » (/reservations/) and one
reservation with its pickup code and QR code (/reservations/<id>/), which only its customer
sees (404 for anybody else)."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from merchants.permissions import AuthenticatedRequest
from merchants.views.shop import attach_errors
from orders.forms.reservations import ReserveForm
from orders.models import Reservation
from orders.selectors.reservations import (
    customer_reservation,
    customer_reservations,
    product_for_reservation,
    reservation_offer,
)
from orders.services.reservations import reservation_cancel, reservation_create

TEMPLATES = "orders/reservations/"
LIST_PAGE_SIZE = 20
# Status of a page re-shown because what was sent cannot be accepted as it is.
INVALID_STATUS = 400


@require_http_methods(["GET", "POST"])
def reserve(request: HttpRequest, merchant_slug: str, product_slug: str) -> HttpResponse:
    """The reserve form of a product on its own page: where the product page's form posts,
    and where it comes back with its errors (nothing typed is lost). A visitor is sent to
    log in, then back to the product page."""
    product = product_for_reservation(merchant_slug=merchant_slug, slug=product_slug)
    if not request.user.is_authenticated:
        return redirect_to_login(product.get_absolute_url() + "#reserve")
    assert isinstance(request.user, User)
    source = request.POST.get("source") or request.GET.get("source")
    offer = reservation_offer(actor=request.user, product=product, source=source)
    form = ReserveForm(
        request.POST if request.method == "POST" else None,
        offer=offer,
        initial={"source": offer.source},
    )
    status = 200
    if request.method == "POST" and offer.can_reserve:
        if form.is_valid():
            data = form.cleaned_data
            try:
                reservation = reservation_create(
                    actor=request.user,
                    product=product,
                    quantity=data["quantity"],
                    pickup=data["pickup"],
                    note=data["note"],
                    phone=data["phone"],
                    source=offer.source,
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Reserved! Show the code %(code)s in the shop to pick it up.")
                    % {"code": reservation.code},
                )
                return redirect("reservations:detail", pk=reservation.pk)
        status = INVALID_STATUS
    return render(
        request,
        TEMPLATES + "reserve.html",
        {"product": product, "merchant": product.merchant, "offer": offer, "form": form},
        status=status,
    )


@login_required
def reservation_list(request: AuthenticatedRequest) -> HttpResponse:
    """The customer's reservations, newest first, open ones with their code."""
    page = Paginator(customer_reservations(actor=request.user), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        TEMPLATES + "list.html",
        {"page": page, "reservations": page.object_list},
    )


@login_required
def reservation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    reservation = customer_reservation(actor=request.user, pk=pk)
    return render(
        request,
        TEMPLATES + "detail.html",
        {
            "reservation": reservation,
            "merchant": reservation.merchant,
            "lines": list(reservation.lines.all()),
            "occurrence": reservation.pickup_occurrence,
            "qr_svg": pickup_qr_svg(request, reservation) if reservation.is_open else "",
        },
    )


def pickup_qr_svg(request: HttpRequest, reservation: Reservation) -> SafeString:
    """The QR code of the reservation, an inline SVG drawn here (no outside service).

    It encodes the shop's own look-up address of the code: scanned with the shop's phone
    camera it opens the reservation for the team (for anybody else that address is a 404).
    The address is the default language's: the shop's team reads French first."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(
            "shop_reservations:by_code",
            kwargs={"merchant_slug": reservation.merchant.slug, "code": reservation.code},
        )
    qr = segno.make(request.build_absolute_uri(path), error="m", micro=False)
    svg = qr.svg_inline(
        scale=5,
        border=3,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="pickup-qr",
        # segno escapes the title; role="img" with it, screen readers say what the picture is.
        title=_("QR code of the pickup code %(code)s") % {"code": reservation.code},
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308


@require_POST
@login_required
def reservation_cancel_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The customer calls off their reservation; the units go back on sale."""
    reservation = customer_reservation(actor=request.user, pk=pk)
    try:
        reservation_cancel(actor=request.user, reservation=reservation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your reservation is cancelled."))
    return redirect("reservations:detail", pk=reservation.pk)

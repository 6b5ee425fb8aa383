"""A shop's side of collectives: its memberships in « Mon commerce » (/mon-commerce/<shop>/
collectifs/…) and joining a collective from an e-mailed invitation (/rejoindre/<token>/)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from collectives import services
from collectives.forms import JoinForm, JoinRequestForm, MessageForm
from collectives.models import Membership
from collectives.selectors import (
    collective_invitation_for_token,
    collectives_to_join,
    owned_shops,
    shop_memberships,
)
from collectives.services.invitations import (
    collective_invitation_check,
    collective_invitation_is_open,
)
from merchants.permissions import ShopRequest, merchant_required
from merchants.views.shop import attach_errors
from merchants.views.staff import PROBLEM_STATUS, mask_email

# --- « Mon commerce »: the shop's collectives ----------------------------------------------


def _list_page(request: ShopRequest, form: JoinRequestForm | None = None) -> HttpResponse:
    merchant = request.merchant
    is_owner = request.merchant_role == "owner"
    collectives = collectives_to_join(merchant=merchant)
    return render(
        request,
        "collectives/shop/list.html",
        {
            "nav": "collectives",
            "is_owner": is_owner,
            "memberships": shop_memberships(merchant=merchant),
            "request_form": form or JoinRequestForm(collectives=collectives),
        },
    )


@merchant_required()
def memberships(request: ShopRequest) -> HttpResponse:
    """The collectives the shop belongs to, is invited to or asked to join (staff: read-only)."""
    return _list_page(request)


@require_POST
@merchant_required(manage=True)
def membership_request(request: ShopRequest) -> HttpResponse:
    merchant = request.merchant
    form = JoinRequestForm(request.POST, collectives=collectives_to_join(merchant=merchant))
    if form.is_valid():
        try:
            membership = services.membership_request(
                actor=request.user, merchant=merchant, **form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if membership.status == Membership.Status.ACTIVE:
                done = _("Your shop is now a member of %(collective)s.")
            else:
                done = _("Your request is sent to the organisers of %(collective)s.")
            messages.success(request, done % {"collective": membership.collective.name})
            return redirect("shop_collectives:list", merchant_slug=merchant.slug)
    return _list_page(request, form)


def _own_membership(request: ShopRequest, membership_id: int) -> Membership:
    return get_object_or_404(shop_memberships(merchant=request.merchant), pk=membership_id)


@require_POST
@merchant_required(manage=True)
def membership_answer(request: ShopRequest, membership_id: int, accept: bool) -> HttpResponse:
    """Accept or decline an organiser's invitation."""
    membership = _own_membership(request, membership_id)
    form = MessageForm(request.POST)
    name = {"collective": membership.collective.name}
    try:
        if accept:
            services.membership_accept(actor=request.user, membership=membership)
            done = _("Your shop is now a member of %(collective)s.") % name
        else:
            message = form.cleaned_data["message"] if form.is_valid() else ""
            services.membership_decline(actor=request.user, membership=membership, message=message)
            done = _("You declined the invitation of %(collective)s.") % name
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("shop_collectives:list", merchant_slug=request.merchant.slug)


@require_http_methods(["GET", "POST"])
@merchant_required(manage=True)
def membership_leave(request: ShopRequest, membership_id: int) -> HttpResponse:
    """Leave a collective, after a confirmation page."""
    membership = _own_membership(request, membership_id)
    if request.method == "POST":
        try:
            services.membership_leave(actor=request.user, membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Your shop has left %(collective)s.")
                % {"collective": membership.collective.name},
            )
        return redirect("shop_collectives:list", merchant_slug=request.merchant.slug)
    return render(
        request,
        "collectives/shop/leave.html",
        {"nav": "collectives", "membership": membership},
    )


# --- Joining from an e-mailed invitation -----------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation to a collective: log in or sign up (and come back), read the
    description and charter, pick one of my shops (or create one), accept the charter."""
    invitation = collective_invitation_for_token(token=token)
    context: dict[str, object] = {
        "invitation": invitation,
        "collective": invitation.collective if invitation else None,
        "masked_email": mask_email(invitation.email) if invitation else "",
    }
    if (
        not request.user.is_authenticated
        and invitation
        and collective_invitation_is_open(invitation)
    ):
        return render(request, "collectives/join/login.html", context)
    try:
        collective_invitation_check(invitation=invitation, actor=request.user)
    except ValidationError as error:
        code = error.code or "unknown"
        return render(
            request,
            "collectives/join/problem.html",
            {**context, "problem": code, "message": " ".join(error.messages)},
            status=PROBLEM_STATUS.get(code, 400),
        )
    shops = owned_shops(actor=request.user)
    form = JoinForm(request.POST or None, shops=shops)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.collective_invitation_accept(
                actor=request.user,  # type: ignore[arg-type]  # the check refused anonymous
                token=token,
                merchant=form.cleaned_data["merchant"],
                charter_accepted=form.cleaned_data["accept_charter"],
            )
        except PermissionDenied:
            form.add_error("merchant", _("Choose one of the shops you own."))
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # the link stopped working meanwhile
                code = error.code or "unknown"
                return render(
                    request,
                    "collectives/join/problem.html",
                    {**context, "problem": code, "message": " ".join(error.messages)},
                    status=PROBLEM_STATUS.get(code, 400),
                )
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Welcome! %(shop)s is now a member of %(collective)s.")
                % {"shop": membership.merchant.name, "collective": membership.collective.name},
            )
            return redirect("shop_collectives:list", merchant_slug=membership.merchant.slug)
    return render(
        request,
        "collectives/join/accept.html",
        {**context, "form": form, "has_shops": shops.exists()},
    )

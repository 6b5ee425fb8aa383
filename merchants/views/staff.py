"""« Mon commerce »: the shop's team (owners only) and accepting an invitation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from merchants import services
from merchants.forms.staff import StaffInviteForm
from merchants.invitations import invitation_is_open
from merchants.permissions import ShopRequest, merchant_required
from merchants.selectors import (
    pending_staff_invitations,
    staff_invitation_for_token,
    staff_members,
)
from merchants.services.staff import staff_invitation_check
from merchants.views.shop import attach_errors

# How each reason an invitation link cannot be used answers (the page explains it in words).
PROBLEM_STATUS = {
    "unknown": 404,
    "used": 410,
    "withdrawn": 410,
    "expired": 410,
    "wrong_email": 403,
    "already_member": 200,
}


def _staff_page(request: ShopRequest, form: StaffInviteForm | None = None) -> HttpResponse:
    merchant = request.merchant
    members = staff_members(merchant=merchant)
    return render(
        request,
        "merchants/backoffice/staff.html",
        {
            "nav": "staff",
            "members": members,
            "owner_count": sum(1 for m in members if m.role == "owner"),
            "invitations": pending_staff_invitations(merchant=merchant),
            "form": form or StaffInviteForm(),
            "now": timezone.now(),
        },
    )


@merchant_required(manage=True)
def staff(request: ShopRequest) -> HttpResponse:
    """The team: who works for the shop, who is invited, and the invitation form."""
    return _staff_page(request)


@require_POST
@merchant_required(manage=True)
def staff_invite(request: ShopRequest) -> HttpResponse:
    merchant = request.merchant
    form = StaffInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, _token = services.staff_invite(
                actor=request.user,
                merchant=merchant,
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link is valid for 7 days.")
                % {"email": invitation.email},
            )
            return redirect("shop:staff", merchant_slug=merchant.slug)
    return _staff_page(request, form)


@require_POST
@merchant_required(manage=True)
def staff_invitation_withdraw(request: ShopRequest, invitation_id: int) -> HttpResponse:
    merchant = request.merchant
    invitation = get_object_or_404(merchant.staff_invitations, pk=invitation_id)
    try:
        services.staff_invitation_withdraw(
            actor=request.user,
            invitation=invitation,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("shop:staff", merchant_slug=merchant.slug)


@require_POST
@merchant_required(manage=True)
def staff_member_remove(request: ShopRequest, member_id: int) -> HttpResponse:
    merchant = request.merchant
    member = get_object_or_404(merchant.members.select_related("user"), pk=member_id)
    try:
        services.staff_member_remove(actor=request.user, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("shop:staff", merchant_slug=merchant.slug)
    if member.user_id == request.user.pk:
        messages.success(request, _("You no longer work for %(shop)s.") % {"shop": merchant.name})
        return redirect("shop:index")
    messages.success(
        request,
        _("%(person)s no longer works for %(shop)s.")
        % {"person": member.user.display_name or member.user.email, "shop": merchant.name},
    )
    return redirect("shop:staff", merchant_slug=merchant.slug)


def mask_email(email: str) -> str:
    """« m•••@example.org »: enough for the invited person to recognise their address,
    not enough for whoever else holds the link to learn it."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation to a shop's team. Logged-out visitors are asked to log in or sign
    up (and come back here); a link that cannot be used says why, in words."""
    invitation = staff_invitation_for_token(token=token)
    context = {
        "invitation": invitation,
        "masked_email": mask_email(invitation.email) if invitation else "",
    }
    if not request.user.is_authenticated and invitation and invitation_is_open(invitation):
        return render(request, "merchants/backoffice/invitation_login.html", context)
    try:
        staff_invitation_check(invitation=invitation, actor=request.user)
        if request.method == "POST":
            member = services.staff_invitation_accept(
                # staff_invitation_check above refused anonymous visitors.
                actor=request.user,  # type: ignore[arg-type]
                token=token,
            )
    except ValidationError as error:
        code = error.code or "unknown"
        return render(
            request,
            "merchants/backoffice/invitation_problem.html",
            {**context, "problem": code, "message": " ".join(error.messages)},
            status=PROBLEM_STATUS.get(code, 400),
        )
    if request.method == "POST":
        messages.success(
            request,
            _("Welcome to the team of %(shop)s!") % {"shop": member.merchant.name},
        )
        return redirect("shop:dashboard", merchant_slug=member.merchant.slug)
    return render(request, "merchants/backoffice/invitation_accept.html", context)

"""The organisers' space (/organiser/…): their collectives, the page and charter, co-organisers,
members, join requests and invitations by e-mail.

Views are decorated with :func:`collectives.permissions.organiser_required`, which resolves
``request.collective`` from the URL (404 for a collective the user does not organise, 403 for
an admin-only action of a plain organiser).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collectives import services
from collectives.forms import (
    CollectiveCreateForm,
    CollectiveEditForm,
    CollectiveInviteForm,
    MessageForm,
    OrganiserAddForm,
)
from collectives.models import Membership
from collectives.permissions import OrganiserRequest, organiser_required
from collectives.selectors import (
    collective_counts,
    collective_memberships,
    collective_open_invitations,
    collective_organisers,
    collectives_organised_by,
)
from merchants.permissions import AuthenticatedRequest
from merchants.views.shop import attach_errors


def _context(request: OrganiserRequest, nav: str, **extra: object) -> dict[str, object]:
    return {"nav": nav, "is_admin": request.organiser_role == "admin", **extra}


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    """The collectives I organise, and « create a collective »."""
    return render(
        request,
        "collectives/organiser/index.html",
        {"collectives": collectives_organised_by(actor=request.user)},
    )


@login_required
def create(request: AuthenticatedRequest) -> HttpResponse:
    """A new collective, a draft whose admin is its creator."""
    form = CollectiveCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collective = services.collective_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("The collective is created. It stays a draft until you publish it."),
            )
            return redirect("organiser:dashboard", collective_slug=collective.slug)
    return render(request, "collectives/organiser/create.html", {"form": form})


@organiser_required()
def dashboard(request: OrganiserRequest) -> HttpResponse:
    return render(
        request,
        "collectives/organiser/dashboard.html",
        _context(request, "dashboard", counts=collective_counts(collective=request.collective)),
    )


@require_POST
@organiser_required(admin=True)
def publish(request: OrganiserRequest) -> HttpResponse:
    services.collective_publish(actor=request.user, collective=request.collective)
    messages.success(request, _("The collective is public: shops can now ask to join it."))
    return redirect("organiser:dashboard", collective_slug=request.collective.slug)


@organiser_required(admin=True)
def edit(request: OrganiserRequest) -> HttpResponse:
    """The collective's page, charter and map centre."""
    collective = request.collective
    form = CollectiveEditForm(request.POST or None, instance=collective)
    if request.method == "POST" and form.is_valid():
        try:
            services.collective_update(actor=request.user, collective=collective, **form.changes())
        except ValidationError as error:
            attach_errors(form, error)
            collective.refresh_from_db()
        else:
            messages.success(request, _("The collective's page is saved."))
            return redirect("organiser:edit", collective_slug=collective.slug)
    return render(request, "collectives/organiser/edit.html", _context(request, "edit", form=form))


@organiser_required(admin=True)
def organisers(request: OrganiserRequest) -> HttpResponse:
    """Who runs the collective; add a co-organiser by the e-mail of their account."""
    collective = request.collective
    form = OrganiserAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organiser = services.organiser_add_by_email(
                actor=request.user, collective=collective, email=form.cleaned_data["email"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("%(person)s is now an organiser.")
                % {"person": organiser.user.display_name or organiser.user.email},
            )
            return redirect("organiser:organisers", collective_slug=collective.slug)
    return render(
        request,
        "collectives/organiser/organisers.html",
        _context(
            request,
            "organisers",
            form=form,
            organisers=collective_organisers(collective=collective),
        ),
    )


@organiser_required()
def members(request: OrganiserRequest) -> HttpResponse:
    """Members and their status, join requests waiting, invitations sent."""
    collective = request.collective
    memberships = list(collective_memberships(collective=collective))
    requests = [m for m in memberships if m.status == Membership.Status.REQUESTED]
    return render(
        request,
        "collectives/organiser/members.html",
        _context(
            request,
            "members",
            memberships=[m for m in memberships if m.status != Membership.Status.REQUESTED],
            requests=requests,
            invitations=collective_open_invitations(collective=collective),
            now=timezone.now(),
        ),
    )


def _membership(request: OrganiserRequest, membership_id: int) -> Membership:
    return get_object_or_404(
        collective_memberships(collective=request.collective), pk=membership_id
    )


def _answer(request: OrganiserRequest, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect("organiser:members", collective_slug=request.collective.slug)


@require_POST
@organiser_required()
def membership_action(request: OrganiserRequest, membership_id: int, action: str) -> HttpResponse:
    """Approve or decline a join request; suspend or reinstate a member."""
    membership = _membership(request, membership_id)
    form = MessageForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    shop = {"shop": membership.merchant.name}
    try:
        if action == "approve":
            services.membership_approve(actor=request.user, membership=membership)
            done = _("%(shop)s is now a member.") % shop
        elif action == "reject":
            services.membership_reject(actor=request.user, membership=membership, message=message)
            done = _("The request of %(shop)s is declined.") % shop
        elif action == "suspend":
            services.membership_suspend(actor=request.user, membership=membership, message=message)
            done = _("%(shop)s is suspended.") % shop
        else:  # "reinstate" (the URL allows nothing else)
            services.membership_reinstate(actor=request.user, membership=membership)
            done = _("%(shop)s is an active member again.") % shop
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("organiser:members", collective_slug=request.collective.slug)
    return _answer(request, done)


@organiser_required()
def invite(request: OrganiserRequest) -> HttpResponse:
    """Invite a shopkeeper by e-mail (whether or not they are on Halle yet)."""
    collective = request.collective
    form = CollectiveInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.collective_invite(
                actor=request.user, collective=collective, **form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return _answer(
                request,
                _("Invitation sent to %(email)s. The link is valid for 14 days.")
                % {"email": invitation.email},
            )
    return render(
        request, "collectives/organiser/invite.html", _context(request, "members", form=form)
    )


@require_POST
@organiser_required()
def invitation_withdraw(request: OrganiserRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(
        collective_open_invitations(collective=request.collective), pk=invitation_id
    )
    try:
        services.collective_invitation_withdraw(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("organiser:members", collective_slug=request.collective.slug)
    return _answer(
        request,
        _("The invitation to %(email)s is withdrawn: its link no longer works.")
        % {"email": invitation.email},
    )

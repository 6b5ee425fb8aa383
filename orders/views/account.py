"""« Mon compte » (/mon-compte/…): the person's reservations, pledges, registrations and
follows; their settings; the download of all their data; deleting the account.

Every page is the logged-in person's own: the selectors filter on ``request.user``, nothing
here takes an id from the URL. Views translate: parse a form, call one service or selector,
render.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.personal_data import deletion_refusals, export_user_data
from accounts.services import account_delete, account_update_settings
from merchants.permissions import AuthenticatedRequest
from merchants.views.shop import attach_errors
from orders.forms.account import AccountDeleteForm, AccountSettingsForm
from orders.selectors.account import (
    account_follows,
    account_pledges,
    account_registrations,
    account_reservations,
)


@login_required
@never_cache
def overview(request: AuthenticatedRequest) -> HttpResponse:
    """What the person has going on: reservations (with pickup codes), pledges,
    registrations and follows."""
    user = request.user
    return render(
        request,
        "orders/account/overview.html",
        {
            "nav": "overview",
            "reservations": account_reservations(actor=user),
            "pledges": account_pledges(actor=user),
            "registrations": account_registrations(actor=user),
            "follows": account_follows(actor=user),
            "now": timezone.now(),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def settings_edit(request: AuthenticatedRequest) -> HttpResponse:
    """Display name, preferred language and the e-mail address for notifications."""
    form = AccountSettingsForm.for_user(
        request.user, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            account_update_settings(actor=request.user, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Your settings are saved."))
            return redirect("account:settings")
    return render(request, "orders/account/settings.html", {"nav": "settings", "form": form})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def export(request: AuthenticatedRequest) -> HttpResponse:
    """What the download holds (GET); the download itself, a JSON file (POST: a button, so
    no link prefetch or crawler ever builds it)."""
    if request.method == "GET":
        return render(request, "orders/account/export.html", {"nav": "export"})
    data = export_user_data(request.user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"halle-mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def delete(request: AuthenticatedRequest) -> HttpResponse:
    """What deleting erases and what shops keep; the reasons it cannot be done yet, if any;
    then, confirmed with the password, the deletion — and the person is logged out."""
    user = request.user
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=user)
    refusals = deletion_refusals(user)
    if request.method == "POST" and not refusals and form.is_valid():
        try:
            account_delete(actor=user, user=user)
        except ValidationError as error:
            refusals = error.messages
        else:
            logout(request)
            messages.success(
                request, _("Your account is deleted. Thank you for supporting local shops.")
            )
            return redirect("collectives:home")
    return render(
        request,
        "orders/account/delete.html",
        {"nav": "delete", "form": form, "refusals": refusals},
    )

"""A collective's partner keys in the organiser space (/organiser/<collective>/api/…): the
list (prefix, sites, rate, last use), creating a key — its secret shown once, on the answer
to the form, and never again — and revoking one.

Every action is a POST form that works without JavaScript; the « copy » button next to a new
key is a progressive enhancement (static/js/partners-copy.js).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collectives.permissions import OrganiserRequest, organiser_required
from merchants.views.shop import attach_errors
from partners.forms.keys import PartnerKeyForm
from partners.selectors.keys import collective_partner_key, collective_partner_keys
from partners.services import keys as services

NAV = "api"


def _context(request: OrganiserRequest, **extra: object) -> dict[str, object]:
    return {
        "nav": NAV,
        "is_admin": request.organiser_role == "admin",
        "api_root": request.build_absolute_uri(reverse("api:collective_list")),
        "docs_url": reverse("api:docs"),
        **extra,
    }


def _list_url(request: OrganiserRequest) -> str:
    return reverse("organiser_partners:keys", kwargs={"collective_slug": request.collective.slug})


@organiser_required()
def key_list(request: OrganiserRequest) -> HttpResponse:
    """The collective's keys, working ones first, and how partners call the API."""
    return render(
        request,
        "partners/keys/list.html",
        _context(
            request,
            keys=collective_partner_keys(collective=request.collective),
            anonymous_rate=settings.HALLE_API_ANONYMOUS_RATE_PER_MINUTE,
        ),
    )


@organiser_required()
def key_create(request: OrganiserRequest) -> HttpResponse:
    """A new key for a partner. The answer to a valid form shows the secret once (it is not
    stored: only its hash is) and is never cached."""
    form = PartnerKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = services.partner_key_create(
                actor=request.user, collective=request.collective, **form.service_arguments()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            response = render(
                request,
                "partners/keys/created.html",
                _context(request, key=key, secret=secret),
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "partners/keys/form.html", _context(request, form=form))


@require_POST
@organiser_required()
def key_revoke(request: OrganiserRequest, key_id: int) -> HttpResponse:
    """Revoke a key: calls made with it answer 401 from now on."""
    key = collective_partner_key(collective=request.collective, key_id=key_id)
    services.partner_key_revoke(actor=request.user, key=key)
    messages.success(
        request, _("The key « %(name)s » is revoked: it no longer works.") % {"name": key.name}
    )
    return redirect(_list_url(request))

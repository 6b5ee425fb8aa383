"""« Mon commerce »: getting started, the overview, the shop's profile, hours and closures.

Views translate: parse a form, call one service or selector, render. Back-office pages are
decorated with :func:`merchants.permissions.merchant_required`, which resolves
``request.merchant`` from the URL (404 for a shop the user does not work for).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merchants import services
from merchants.forms.shop import ClosureForm, OpeningHoursForm, ShopCreateForm, ShopProfileForm
from merchants.models import Closure
from merchants.permissions import AuthenticatedRequest, ShopRequest, merchant_required
from merchants.selectors import shop_checklist, shops_of, upcoming_closures, weekly_hours


def attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: next to the field it names when the
    form has that field, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


def closure_period(closure: Closure) -> str:
    """« du 12 au 19 août », « du 28 juillet au 3 août », « le 15 août »; the year is written
    only when the closure is not (entirely) this year."""
    start, end = closure.starts_on, closure.ends_on
    this_year = timezone.localdate().year
    end_text = formats.date_format(end, "j F" if end.year == this_year else "j F Y")
    if start == end:
        return _("on %(day)s") % {"day": end_text}
    if start.year != end.year:
        start_format = "j F Y"
    elif start.month != end.month:
        start_format = "j F"
    else:
        start_format = "j"
    return _("from %(start)s to %(end)s") % {
        "start": formats.date_format(start, start_format),
        "end": end_text,
    }


# --- Getting started ----------------------------------------------------------------------


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    """« Mon commerce »: straight to the shop when there is one, the choice when several,
    getting started when none."""
    shops = list(shops_of(actor=request.user))
    if not shops:
        return redirect("shop:create")
    if len(shops) == 1:
        return redirect("shop:dashboard", merchant_slug=shops[0].slug)
    return render(request, "merchants/backoffice/shop_list.html", {"shops": shops})


@login_required
def create(request: AuthenticatedRequest) -> HttpResponse:
    """Getting started: one page, four short sections (the shop, its address, its place on
    the map, its hours); the new shop is a draft owned by the person who created it."""
    if request.method == "POST":
        form = ShopCreateForm(request.POST)
        hours_form = OpeningHoursForm(request.POST)
        if all([form.is_valid(), hours_form.is_valid()]):
            try:
                merchant = services.merchant_onboard(
                    actor=request.user,
                    ranges=hours_form.ranges(),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your shop is created. It stays a draft, visible only to you, "
                        "until you publish it."
                    ),
                )
                # Back where the person came from (e.g. a collective's invitation), if it is ours.
                next_url = request.GET.get("next", "")
                if url_has_allowed_host_and_scheme(
                    next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    return redirect(next_url)
                return redirect("shop:dashboard", merchant_slug=merchant.slug)
    else:
        form = ShopCreateForm()
        hours_form = OpeningHoursForm()
    return render(
        request,
        "merchants/backoffice/shop_create.html",
        {"form": form, "hours_form": hours_form},
    )


# --- The shop's own pages -----------------------------------------------------------------


@merchant_required()
def dashboard(request: ShopRequest) -> HttpResponse:
    """The overview: the shop's status, how to publish it, what its page still lacks."""
    merchant = request.merchant
    done = shop_checklist(merchant=merchant)
    profile_url = reverse("shop:profile", kwargs={"merchant_slug": merchant.slug})
    hours_url = reverse("shop:hours", kwargs={"merchant_slug": merchant.slug})
    labels = {
        "address": (_("Full address (street, postcode, town)"), profile_url + "#address"),
        "hours": (_("Weekly opening hours"), hours_url),
        "position": (_("Position on the map"), profile_url + "#position"),
        "logo": (_("A logo"), profile_url + "#pictures"),
        "description": (_("A short description"), profile_url),
    }
    checklist = [
        {"key": key, "done": done[key], "label": labels[key][0], "url": labels[key][1]}
        for key in done
    ]
    return render(
        request,
        "merchants/backoffice/dashboard.html",
        {
            "nav": "dashboard",
            "checklist": checklist,
            "checklist_done": sum(1 for item in checklist if item["done"]),
            "is_owner": request.merchant_role == "owner",
        },
    )


@require_POST
@merchant_required(manage=True)
def publish(request: ShopRequest) -> HttpResponse:
    """Open the draft shop to the public (owners only)."""
    merchant = request.merchant
    try:
        services.merchant_publish(actor=request.user, merchant=merchant)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your shop is public: everybody can now see its page."))
    return redirect("shop:dashboard", merchant_slug=merchant.slug)


@merchant_required()
def profile(request: ShopRequest) -> HttpResponse:
    """Everything the shop's page says about it, logo and cover photo included."""
    merchant = request.merchant
    if request.method == "POST":
        form = ShopProfileForm(request.POST, request.FILES, instance=merchant)
        if form.is_valid():
            changes = form.changes()
            try:
                services.merchant_update(
                    actor=request.user,
                    merchant=merchant,
                    **changes,
                )
            except ValidationError as error:
                attach_errors(form, error)
                merchant.refresh_from_db()  # the service may have changed it in memory
            else:
                messages.success(request, _("Your shop's profile is saved."))
                if changes.get("logo") or changes.get("cover_image"):
                    messages.info(
                        request,
                        _("Your new picture is being prepared: it appears within a minute."),
                    )
                return redirect("shop:profile", merchant_slug=merchant.slug)
    else:
        form = ShopProfileForm(instance=merchant)
    return render(
        request,
        "merchants/backoffice/profile.html",
        {"nav": "profile", "form": form},
    )


def _hours_page(
    request: ShopRequest,
    *,
    hours_form: OpeningHoursForm | None = None,
    closure_form: ClosureForm | None = None,
) -> HttpResponse:
    merchant = request.merchant
    if hours_form is None:
        hours_form = OpeningHoursForm(hours=weekly_hours(merchant=merchant))
    return render(
        request,
        "merchants/backoffice/hours.html",
        {"nav": "hours", "hours_form": hours_form, **_closures_context(request, closure_form)},
    )


def _closures_context(request: ShopRequest, form: ClosureForm | None) -> dict[str, Any]:
    merchant = request.merchant
    return {
        "closures": [
            {"closure": closure, "period": closure_period(closure)}
            for closure in upcoming_closures(merchant=merchant)
        ],
        "closure_form": form or ClosureForm(),
    }


def _closures_fragment(
    request: ShopRequest, form: ClosureForm | None = None, status: str = ""
) -> HttpResponse:
    """The closures section alone, for htmx to swap in place."""
    context = {**_closures_context(request, form), "closures_status": status}
    return render(request, "merchants/backoffice/_closures.html", context)


@merchant_required()
def hours(request: ShopRequest) -> HttpResponse:
    """Weekly hours (several ranges a day) and exceptional closures, on one page."""
    merchant = request.merchant
    if request.method != "POST":
        return _hours_page(request)
    hours_form = OpeningHoursForm(request.POST, hours=weekly_hours(merchant=merchant))
    if hours_form.is_valid():
        try:
            services.opening_hours_replace(
                actor=request.user,
                merchant=merchant,
                ranges=hours_form.ranges(),
            )
        except ValidationError as error:
            attach_errors(hours_form, error)
        else:
            messages.success(request, _("Your opening hours are saved."))
            return redirect("shop:hours", merchant_slug=merchant.slug)
    return _hours_page(request, hours_form=hours_form)


@require_POST
@merchant_required()
def closure_add(request: ShopRequest) -> HttpResponse:
    merchant = request.merchant
    form = ClosureForm(request.POST)
    if form.is_valid():
        try:
            closure = services.closure_add(
                actor=request.user,
                merchant=merchant,
                **form.cleaned_data,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            done = _("Closure added: closed %(period)s.") % {"period": closure_period(closure)}
            if request.htmx:
                return _closures_fragment(request, status=done)
            messages.success(request, done)
            return redirect(reverse("shop:hours", args=[merchant.slug]) + "#closures")
    if request.htmx:
        return _closures_fragment(request, form)
    return _hours_page(request, closure_form=form)


@require_POST
@merchant_required()
def closure_remove(request: ShopRequest, closure_id: int) -> HttpResponse:
    merchant = request.merchant
    closure = get_object_or_404(merchant.closures, pk=closure_id)
    period = closure_period(closure)
    services.closure_remove(actor=request.user, closure=closure)
    done = _("Closure removed (%(period)s).") % {"period": period}
    if request.htmx:
        return _closures_fragment(request, status=done)
    messages.success(request, done)
    return redirect(reverse("shop:hours", args=[merchant.slug]) + "#closures")


__all__ = [
    "closure_add",
    "closure_remove",
    "create",
    "dashboard",
    "hours",
    "index",
    "profile",
    "publish",
]

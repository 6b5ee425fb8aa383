"""The webhook pages, the same for a collective's organisers and a shop's owners: the list
of endpoints, the endpoint form, an endpoint's page (its secret, its actions and the
delivery log with « Resend »), and one delivery's payload.

:mod:`partners.views.webhooks_organiser` and :mod:`partners.views.webhooks_shop` resolve
the tenant (``organiser_required`` / ``merchant_required``) and hand these views an
:class:`Owner`; every endpoint and delivery is then looked up inside it (404 otherwise).
Every action is a POST form that works without JavaScript and comes back with a message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from accounts.models import User
from collectives.models import Collective
from merchants.models import Merchant
from merchants.views.shop import attach_errors
from partners.forms.webhooks import EndpointForm
from partners.models import WebhookDelivery
from partners.selectors.webhooks import (
    webhook_deliveries,
    webhook_delivery,
    webhook_endpoint,
    webhook_endpoints,
)
from partners.services import webhooks as services

TEMPLATES = "partners/webhooks/"
PAGE_SIZE = 50
NAV = "api"
STATUSES = [choice.value for choice in WebhookDelivery.Status]


@dataclass(frozen=True)
class Owner:
    """Whose webhooks a page shows: a shop or a collective, the namespace of its URLs and
    the layout its pages extend."""

    merchant: Merchant | None
    collective: Collective | None
    namespace: str
    slug_kwargs: Mapping[str, str]
    layout: str

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"{self.namespace}:{name}", kwargs={**self.slug_kwargs, **kwargs})

    @property
    def scope(self) -> dict[str, Any]:
        return {"merchant": self.merchant, "collective": self.collective}


def _actor(request: HttpRequest) -> User:
    # organiser_required / merchant_required have logged the user in.
    return cast(User, request.user)


def _render(request: HttpRequest, owner: Owner, template: str, **context: Any) -> HttpResponse:
    return render(
        request,
        TEMPLATES + template,
        {
            "nav": NAV,
            "layout": owner.layout,
            "is_admin": getattr(request, "organiser_role", None) == "admin",
            "for_merchant": owner.merchant is not None,
            "list_url": owner.url("list"),
            **context,
        },
    )


def endpoint_list(request: HttpRequest, owner: Owner) -> HttpResponse:
    """The owner's endpoints: address, events, state, last delivery, failures lately."""
    endpoints = list(webhook_endpoints(**owner.scope))
    for endpoint in endpoints:
        endpoint.page_url = owner.url("detail", endpoint_id=endpoint.pk)  # type: ignore[attr-defined]
    return _render(
        request,
        owner,
        "list.html",
        endpoints=endpoints,
        create_url=owner.url("create"),
        at_limit=len(endpoints) >= services.MAX_ENDPOINTS,
    )


def endpoint_create(request: HttpRequest, owner: Owner) -> HttpResponse:
    """A new endpoint; its page then shows the signing secret."""
    form = EndpointForm(request.POST or None, for_merchant=owner.merchant is not None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(
                actor=_actor(request),
                **owner.scope,
                **form.service_arguments(),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The address is registered. Copy its signing secret below into the "
                    "receiving site, to check that the requests come from Halle."
                ),
            )
            return redirect(owner.url("detail", endpoint_id=endpoint.pk) + "#secret")
    return _render(request, owner, "form.html", form=form)


def endpoint_edit(request: HttpRequest, owner: Owner, endpoint_id: int) -> HttpResponse:
    """Change the address, the description and the events."""
    endpoint = webhook_endpoint(endpoint_id=endpoint_id, **owner.scope)
    form = EndpointForm(
        request.POST or None,
        initial=EndpointForm.initial_for(endpoint),
        for_merchant=owner.merchant is not None,
    )
    detail_url = owner.url("detail", endpoint_id=endpoint.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(
                actor=_actor(request),
                endpoint=endpoint,
                **form.service_arguments(),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The address is saved."))
            return redirect(detail_url)
    return _render(request, owner, "form.html", form=form, endpoint=endpoint, detail_url=detail_url)


def endpoint_detail(request: HttpRequest, owner: Owner, endpoint_id: int) -> HttpResponse:
    """The endpoint, its secret and actions, and its delivery log (``?status=…``, paged)."""
    endpoint = webhook_endpoint(endpoint_id=endpoint_id, **owner.scope)
    status = request.GET.get("status", "")
    if status not in STATUSES:
        status = ""  # a stale link shows the whole log rather than an error
    page = Paginator(webhook_deliveries(endpoint=endpoint, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    deliveries = list(page.object_list)
    for delivery in deliveries:
        kwargs = {"endpoint_id": endpoint.pk, "delivery_id": delivery.pk}
        delivery.page_url = owner.url("delivery", **kwargs)  # type: ignore[attr-defined]
        delivery.resend_url = owner.url("resend", **kwargs)  # type: ignore[attr-defined]
    detail_url = owner.url("detail", endpoint_id=endpoint.pk)
    return _render(
        request,
        owner,
        "detail.html",
        endpoint=endpoint,
        event_list=list(endpoint.events),
        page=page,
        deliveries=deliveries,
        status=status,
        statuses=WebhookDelivery.Status.choices,
        detail_url=detail_url,
        edit_url=owner.url("edit", endpoint_id=endpoint.pk),
        action_urls={
            action: owner.url(action, endpoint_id=endpoint.pk)
            for action in ("rotate", "disable", "enable", "delete")
        },
    )


_ACTIONS = {
    "rotate": (
        services.endpoint_rotate_secret,
        _("A new signing secret is in use: copy it into the receiving site."),
    ),
    "disable": (services.endpoint_disable, _("The address is disabled: nothing is sent to it.")),
    "enable": (services.endpoint_enable, _("The address is enabled again.")),
}


def endpoint_action(
    request: HttpRequest, owner: Owner, endpoint_id: int, action: str
) -> HttpResponse:
    """POST: rotate the secret, disable, enable or delete the endpoint."""
    endpoint = webhook_endpoint(endpoint_id=endpoint_id, **owner.scope)
    if action == "delete":
        services.endpoint_delete(actor=_actor(request), endpoint=endpoint)
        messages.success(request, _("The address and its delivery log are deleted."))
        return redirect(owner.url("list"))
    service, done = _ACTIONS[action]
    service(actor=_actor(request), endpoint=endpoint)
    messages.success(request, str(done))
    return redirect(
        owner.url("detail", endpoint_id=endpoint.pk) + ("#secret" if action == "rotate" else "")
    )


def delivery_detail(
    request: HttpRequest, owner: Owner, endpoint_id: int, delivery_id: int
) -> HttpResponse:
    """One delivery: its outcome and the JSON body sent."""
    endpoint = webhook_endpoint(endpoint_id=endpoint_id, **owner.scope)
    delivery = webhook_delivery(endpoint=endpoint, delivery_id=delivery_id)
    kwargs = {"endpoint_id": endpoint.pk, "delivery_id": delivery.pk}
    return _render(
        request,
        owner,
        "delivery.html",
        endpoint=endpoint,
        delivery=delivery,
        pretty=_pretty(delivery.payload),
        detail_url=owner.url("detail", endpoint_id=endpoint.pk),
        resend_url=owner.url("resend", **kwargs),
    )


def _pretty(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False)


def delivery_resend(
    request: HttpRequest, owner: Owner, endpoint_id: int, delivery_id: int
) -> HttpResponse:
    """POST « Resend »: the delivery is sent again now; back to the log."""
    endpoint = webhook_endpoint(endpoint_id=endpoint_id, **owner.scope)
    delivery = webhook_delivery(endpoint=endpoint, delivery_id=delivery_id)
    try:
        services.delivery_resend(actor=_actor(request), delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delivery is being sent again."))
    back = request.POST.get("back", "")
    if back == "delivery":
        return redirect(owner.url("delivery", endpoint_id=endpoint.pk, delivery_id=delivery.pk))
    query = urlencode({k: v for k, v in request.POST.items() if k in {"status", "page"} and v})
    return redirect(owner.url("detail", endpoint_id=endpoint.pk) + (f"?{query}" if query else ""))


def urlpatterns_for(views: Any) -> list[URLPattern]:
    """The routes of the webhook pages, for the organiser's or the shop's view module."""
    return [
        path("", views.endpoint_list, name="list"),
        path("nouvelle/", views.endpoint_create, name="create"),
        path("<int:endpoint_id>/", views.endpoint_detail, name="detail"),
        path("<int:endpoint_id>/modifier/", views.endpoint_edit, name="edit"),
        *[
            path(
                f"<int:endpoint_id>/{word}/", views.endpoint_action, {"action": action}, name=action
            )
            for word, action in [
                ("nouveau-secret", "rotate"),
                ("desactiver", "disable"),
                ("activer", "enable"),
                ("supprimer", "delete"),
            ]
        ],
        path(
            "<int:endpoint_id>/envois/<int:delivery_id>/",
            views.delivery_detail,
            name="delivery",
        ),
        path(
            "<int:endpoint_id>/envois/<int:delivery_id>/renvoyer/",
            views.delivery_resend,
            name="resend",
        ),
    ]

"""A collective's webhooks in the organiser space (/organiser/<collective>/api/webhooks/…):
any organiser of the collective manages them. The pages are
:mod:`partners.views.webhooks_pages`; this module resolves the collective."""

from django.http import HttpResponse
from django.views.decorators.http import require_POST

from collectives.permissions import OrganiserRequest, organiser_required
from partners.views import webhooks_pages as pages

NAMESPACE = "organiser_partners:organiser_webhooks"


def _owner(request: OrganiserRequest) -> pages.Owner:
    return pages.Owner(
        merchant=None,
        collective=request.collective,
        namespace=NAMESPACE,
        slug_kwargs={"collective_slug": request.collective.slug},
        layout="partners/webhooks/_organiser_layout.html",
    )


@organiser_required()
def endpoint_list(request: OrganiserRequest) -> HttpResponse:
    return pages.endpoint_list(request, _owner(request))


@organiser_required()
def endpoint_create(request: OrganiserRequest) -> HttpResponse:
    return pages.endpoint_create(request, _owner(request))


@organiser_required()
def endpoint_detail(request: OrganiserRequest, endpoint_id: int) -> HttpResponse:
    return pages.endpoint_detail(request, _owner(request), endpoint_id)


@organiser_required()
def endpoint_edit(request: OrganiserRequest, endpoint_id: int) -> HttpResponse:
    return pages.endpoint_edit(request, _owner(request), endpoint_id)


@require_POST
@organiser_required()
def endpoint_action(request: OrganiserRequest, endpoint_id: int, action: str) -> HttpResponse:
    return pages.endpoint_action(request, _owner(request), endpoint_id, action)


@organiser_required()
def delivery_detail(request: OrganiserRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    return pages.delivery_detail(request, _owner(request), endpoint_id, delivery_id)


@require_POST
@organiser_required()
def delivery_resend(request: OrganiserRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    return pages.delivery_resend(request, _owner(request), endpoint_id, delivery_id)

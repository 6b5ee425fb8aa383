"""A shop's webhooks in « Mon commerce » (/mon-commerce/<shop>/api/webhooks/…): the shop's
owners manage them (staff get a 403: the signing secret is the owners' to keep). The pages
are :mod:`partners.views.webhooks_pages`; this module resolves the shop."""

from django.http import HttpResponse
from django.views.decorators.http import require_POST

from merchants.permissions import ShopRequest, merchant_required
from partners.views import webhooks_pages as pages

NAMESPACE = "shop_partners:shop_webhooks"


def _owner(request: ShopRequest) -> pages.Owner:
    return pages.Owner(
        merchant=request.merchant,
        collective=None,
        namespace=NAMESPACE,
        slug_kwargs={"merchant_slug": request.merchant.slug},
        layout="partners/webhooks/_shop_layout.html",
    )


@merchant_required(manage=True)
def endpoint_list(request: ShopRequest) -> HttpResponse:
    return pages.endpoint_list(request, _owner(request))


@merchant_required(manage=True)
def endpoint_create(request: ShopRequest) -> HttpResponse:
    return pages.endpoint_create(request, _owner(request))


@merchant_required(manage=True)
def endpoint_detail(request: ShopRequest, endpoint_id: int) -> HttpResponse:
    return pages.endpoint_detail(request, _owner(request), endpoint_id)


@merchant_required(manage=True)
def endpoint_edit(request: ShopRequest, endpoint_id: int) -> HttpResponse:
    return pages.endpoint_edit(request, _owner(request), endpoint_id)


@require_POST
@merchant_required(manage=True)
def endpoint_action(request: ShopRequest, endpoint_id: int, action: str) -> HttpResponse:
    return pages.endpoint_action(request, _owner(request), endpoint_id, action)


@merchant_required(manage=True)
def delivery_detail(request: ShopRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    return pages.delivery_detail(request, _owner(request), endpoint_id, delivery_id)


@require_POST
@merchant_required(manage=True)
def delivery_resend(request: ShopRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    return pages.delivery_resend(request, _owner(request), endpoint_id, delivery_id)

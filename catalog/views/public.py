"""Public pages of a shop and its products.

The shop page lives here rather than in merchants because it lists the shop's catalog, and
catalog builds on merchants (never the reverse).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from catalog.models import Product
from catalog.selectors import product_for_public_page, products_for_shop_page
from merchants.hours import opening_state
from merchants.permissions import can_edit_merchant
from merchants.selectors import merchant_for_public_page


def shop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    merchant = merchant_for_public_page(actor=request.user, slug=slug)
    hours = list(merchant.opening_hours.all())
    closures = list(merchant.closures.all())
    products = list(products_for_shop_page(actor=request.user, merchant=merchant))
    return render(
        request,
        "catalog/shop_detail.html",
        {
            "merchant": merchant,
            "products": products,
            "hours": hours,
            "closures": closures,
            "state": opening_state(hours, closures, now=timezone.now()),
            "is_staff_view": can_edit_merchant(request.user, merchant),
        },
    )


def product_detail(request: HttpRequest, merchant_slug: str, slug: str) -> HttpResponse:
    product = product_for_public_page(actor=request.user, merchant_slug=merchant_slug, slug=slug)
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "merchant": product.merchant,
            "images": list(product.images.all()),
            "is_draft": product.status != Product.Status.PUBLISHED,
        },
    )

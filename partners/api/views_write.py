"""The merchant write endpoints of the API, for a shop's till or software:

- ``POST /api/v1/merchants/{slug}/products/`` creates a product (a draft unless
  ``"status": "published"``);
- ``PATCH /api/v1/products/{id}/`` changes any of its fields, its stock and its status;
- ``POST /api/v1/merchants/{slug}/stock/`` sets the stock of up to 10,000 products by
  reference, all or nothing, and reports the references the shop does not have.

Only a shop token (``Authorization: Bearer …``, :mod:`partners.api.token_auth`) writes, and
only in its own shop: any other shop or product answers 404. Every write accepts an
``Idempotency-Key`` (:mod:`partners.idempotency`). The views parse, call the same services as
the shop's pages (``catalog.services``: search vectors and webhooks are theirs), and answer;
a service's ``ValidationError`` becomes a 400 naming each field.

Language: the API answers in English, or in French when ``Accept-Language`` prefers it
(``Content-Language`` says which) — the API sits outside the language-prefixed pages, where
French is the default, and its callers are programs more often than people.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from catalog import services as catalog_services
from catalog.models import Product
from catalog.selectors import product_for_backoffice
from catalog.services.stock_sync import products_sync_stock
from merchants.models import Merchant
from partners.api.base import api_language
from partners.api.serializers import ProductSerializer
from partners.api.serializers_write import (
    ProductCreateSerializer,
    ProductUpdateSerializer,
    StockLineSerializer,
    StockSyncResultSerializer,
    parse_stock_lines,
)
from partners.api.throttling import PartnerRateThrottle
from partners.api.token_auth import (
    HasMerchantToken,
    MerchantTokenAuthentication,
    request_actor,
    request_token,
)
from partners.api.views import product_detail_response
from partners.idempotency import HEADER as IDEMPOTENCY_HEADER
from partners.idempotency import idempotent


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a service's ``ValidationError`` into the API's 400 (field → messages, whatever
    the exception handler in use)."""
    try:
        yield
    except DjangoValidationError as error:
        detail = as_serializer_error(error)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise exceptions.ValidationError(detail) from error


def _own_shop(request: Request, slug: str) -> Merchant:
    """The token's shop, if ``slug`` names it; 404 for any other shop, existing or not."""
    merchant = request_token(request).merchant
    if merchant.slug != slug:
        raise Http404
    return merchant


def _product_answer(request: Request, product: Product, *, status_code: int) -> Response:
    """The product as ``GET /api/v1/products/{id}/`` shows it, read again after the write
    (whatever the services changed), with its address in ``Location``."""
    fresh = Product.objects.select_related("merchant", "category__parent").get(pk=product.pk)
    response = product_detail_response(request, fresh, status=status_code)
    location = reverse("api:product_detail", kwargs={"pk": product.pk})
    response["Location"] = request.build_absolute_uri(location)
    return response


def _set_status(request: Request, product: Product, wanted: str) -> None:
    if wanted == product.status:
        return
    change = {
        Product.Status.PUBLISHED: catalog_services.product_publish,
        Product.Status.DRAFT: catalog_services.product_unpublish,
        Product.Status.ARCHIVED: catalog_services.product_archive,
    }[Product.Status(wanted)]
    change(actor=request_actor(request), product=product)


# 400, 401, 404 and 429 (with the error body) are added to every operation by
# partners.api.schema.add_error_responses; these are the writes' own.
_ERROR_BODY = OpenApiTypes.OBJECT
_ERRORS = {
    403: OpenApiResponse(_ERROR_BODY, description="A partner key: keys only read."),
    409: OpenApiResponse(
        _ERROR_BODY, description="The same Idempotency-Key is still being processed."
    ),
    422: OpenApiResponse(
        _ERROR_BODY, description="The Idempotency-Key was used for another request."
    ),
}
_IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (e.g. a UUID) naming this write: sent again with the same "
        "request within 24 hours, the first answer is replayed instead of writing twice."
    ),
)


class MerchantWriteView(APIView):
    """Shop token only, JSON only, answers in English or French (module docstring)."""

    authentication_classes = [MerchantTokenAuthentication]
    permission_classes = [HasMerchantToken]
    parser_classes = [JSONParser]
    throttle_classes = [PartnerRateThrottle]  # per token: HALLE_API_TOKEN_RATE_PER_MINUTE

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        language = api_language(request)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
        # A replayed answer keeps the language it was first written in.
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Accept-Language"])
        return response


class ProductCreateView(MerchantWriteView):
    @extend_schema(
        operation_id="merchant_product_create",
        tags=["merchant writes"],
        summary="Create a product in the token's shop",
        description=(
            "Needs the shop's token (`Authorization: Bearer …`). The product is a draft unless "
            '`"status": "published"`. Answers the product as `GET /api/v1/products/{id}/` '
            "does, with its address in `Location`."
        ),
        parameters=[_IDEMPOTENCY_PARAMETER],
        request=ProductCreateSerializer,
        responses={201: ProductSerializer, **_ERRORS},
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        merchant = _own_shop(request, slug)
        serializer = ProductCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        wanted_status = fields.pop("status")
        with transaction.atomic(), service_errors():
            product = catalog_services.product_create(
                actor=request_actor(request), merchant=merchant, **fields
            )
            _set_status(request, product, wanted_status)
        return _product_answer(request, product, status_code=status.HTTP_201_CREATED)


class ProductUpdateView(MerchantWriteView):
    @extend_schema(
        operation_id="merchant_product_update",
        tags=["merchant writes"],
        summary="Change a product of the token's shop",
        description=(
            "Needs the shop's token. Send only the fields to change; `status` publishes "
            "(`published`), takes back to draft (`draft`) or archives (`archived`). All or "
            "nothing: a refused field changes nothing."
        ),
        parameters=[_IDEMPOTENCY_PARAMETER],
        request=ProductUpdateSerializer,
        responses={200: ProductSerializer, **_ERRORS},
    )
    @idempotent
    def patch(self, request: Request, pk: int) -> Response:
        actor, token = request_actor(request), request_token(request)
        product = product_for_backoffice(actor=actor, merchant=token.merchant, pk=pk)
        serializer = ProductUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        wanted_status = fields.pop("status", None)
        stock_given = "stock" in fields
        stock = fields.pop("stock", None)
        with transaction.atomic(), service_errors():
            if fields:
                catalog_services.product_update(actor=actor, product=product, **fields)
            if stock_given:
                # The service of the quick stock edit: one UPDATE, never a read-modify-write.
                catalog_services.product_set_stock(actor=actor, product=product, quantity=stock)
            if wanted_status is not None:
                _set_status(request, product, wanted_status)
        return _product_answer(request, product, status_code=status.HTTP_200_OK)


class StockSyncView(MerchantWriteView):
    @extend_schema(
        operation_id="merchant_stock_sync",
        tags=["merchant writes"],
        summary="Set the stock of the token's shop's products by reference (SKU)",
        description=(
            "Needs the shop's token. Up to 10,000 lines per call, applied all or nothing. "
            "A stock of null means the shop does not count the product's units. References "
            "of no product of the shop are reported in `unknown_skus` and do not fail the "
            'call. Errors name the line: `"3.stock"` (lines count from 0).'
        ),
        parameters=[_IDEMPOTENCY_PARAMETER],
        request=StockLineSerializer(many=True),
        responses={
            200: StockSyncResultSerializer,
            413: OpenApiResponse(_ERROR_BODY, description="More than 10,000 lines."),
            **_ERRORS,
        },
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        merchant = _own_shop(request, slug)
        lines = parse_stock_lines(request.data)  # 413 beyond 10,000 lines
        with service_errors():
            result = products_sync_stock(
                actor=request_actor(request), merchant=merchant, lines=lines
            )
        body: BaseSerializer[Any] = StockSyncResultSerializer(result)
        return Response(body.data)

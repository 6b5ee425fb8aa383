"""The read endpoints of the partner API v1: collectives, their shops, products, events and
stories. Each parses its parameters, calls one selector of :mod:`partners.selectors.api`
scoped to the caller, and writes the result with :mod:`partners.api.serializers`.

Query budgets (anonymous; a key adds one query to find it): lists read the collective or
shop they belong to, one page of rows and its prefetches — a constant number whatever the
size of the list, pinned by tests/partners/test_api_reads.py.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Product
from catalog.search import ProductFilters
from collectives.models import Collective, Event
from merchants.models import Merchant, Story
from partners.api.base import ApiDetailView, ApiListView
from partners.api.filters import (
    EventDatesFilterSerializer,
    EventFilterSerializer,
    ProductFilterSerializer,
    query_data,
)
from partners.api.pagination import Ordering, OrderKey
from partners.api.serializers import (
    CollectiveSerializer,
    EventSerializer,
    MerchantDetailSerializer,
    MerchantSerializer,
    ProductSerializer,
    StorySerializer,
)
from partners.selectors import api as selectors

BY_NAME = Ordering(name="name", keys=(OrderKey("name", "str"), OrderKey("pk", "int")))
NEWEST = Ordering(
    name="newest",
    keys=(OrderKey("published_at", "datetime", descending=True), OrderKey("pk", "int", True)),
)
RELEVANCE = Ordering(
    name="relevance",
    keys=(OrderKey("search_rank", "float", descending=True), OrderKey("pk", "int")),
)
SOONEST = Ordering(name="soonest", keys=(OrderKey("first_date", "datetime"), OrderKey("pk", "int")))

COLLECTIVES = "Collectives"
MERCHANTS = "Shops"
PRODUCTS = "Products"
EVENTS = "Events"
STORIES = "Stories"


def _valid(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=query_data(request))
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- Collectives -----------------------------------------------------------------------------


@extend_schema(tags=[COLLECTIVES], summary="List the collectives")
class CollectiveListView(ApiListView):
    """The active collectives, by name. A collective's key sees its own collective only."""

    serializer_class = CollectiveSerializer
    ordering = BY_NAME

    def get_queryset(self) -> QuerySet[Collective]:
        return selectors.api_collectives(scope=self.scope)


@extend_schema(tags=[COLLECTIVES], summary="Get a collective")
class CollectiveDetailView(ApiDetailView):
    """An active collective. A collective's key reads its own collective only."""

    serializer_class = CollectiveSerializer

    def get_object(self) -> Collective:
        return selectors.api_collective(scope=self.scope, slug=self.kwargs["slug"])


@extend_schema(tags=[MERCHANTS], summary="List a collective's shops")
class CollectiveMerchantListView(ApiListView):
    """The collective's active member shops, by name, with their weekly hours and the
    closures to come."""

    serializer_class = MerchantSerializer
    ordering = BY_NAME

    def get_queryset(self) -> QuerySet[Merchant]:
        collective = selectors.api_collective_only(scope=self.scope, slug=self.kwargs["slug"])
        return selectors.api_member_shops(collective=collective)


@extend_schema(tags=[MERCHANTS], summary="Get a shop")
class MerchantDetailView(ApiDetailView):
    """An active shop, with the active collectives it is a member of."""

    serializer_class = MerchantDetailSerializer

    def get_object(self) -> Merchant:
        return selectors.api_merchant(scope=self.scope, slug=self.kwargs["slug"])


# --- Products --------------------------------------------------------------------------------


class ProductListView(ApiListView):
    """Published products, newest first — by relevance when searching with ``q``."""

    serializer_class = ProductSerializer

    def get_ordering(self) -> Ordering:
        return RELEVANCE if self.product_query.searching else NEWEST

    def catalog(self) -> QuerySet[Product]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Product]:
        catalog = self.catalog()
        params = _valid(ProductFilterSerializer, self.request)
        errors: dict[str, list[str]] = {}
        category = None
        if params.get("category"):
            category = selectors.api_category(slug=params["category"])
            if category is None:
                errors["category"] = [_("No category has this slug.")]
        shop = None
        if params.get("merchant"):
            shop = selectors.api_catalog_shop(catalog=catalog, slug=params["merchant"])
            if shop is None:
                errors["merchant"] = [_("No shop of this catalog has this slug.")]
        if errors:
            raise ValidationError(errors)
        in_stock = params.get("in_stock")
        self.product_query = selectors.ProductQuery(
            filters=ProductFilters(
                q=params.get("q", ""),
                category=category,
                shop=shop,
                label=params.get("label", ""),
                min_price=params.get("min_price"),
                max_price=params.get("max_price"),
                in_stock=in_stock is True,
            ),
            out_of_stock=in_stock is False,
            updated_since=params.get("updated_since"),
        )
        return selectors.api_products(catalog=catalog, query=self.product_query)


@extend_schema(
    tags=[PRODUCTS],
    summary="List a collective's products",
    parameters=[ProductFilterSerializer],
)
class CollectiveProductListView(ProductListView):
    """The shared catalog: published products of the collective's active member shops."""

    def catalog(self) -> QuerySet[Product]:
        collective = selectors.api_collective_only(scope=self.scope, slug=self.kwargs["slug"])
        return selectors.api_collective_catalog(collective=collective)


@extend_schema(
    tags=[PRODUCTS],
    summary="List a shop's products",
    parameters=[ProductFilterSerializer],
)
class MerchantProductListView(ProductListView):
    """The published products of an active shop."""

    def catalog(self) -> QuerySet[Product]:
        merchant = selectors.api_merchant_only(scope=self.scope, slug=self.kwargs["slug"])
        return selectors.api_shop_catalog(merchant=merchant)


@extend_schema(
    tags=[PRODUCTS],
    summary="Get a product",
    parameters=[
        OpenApiParameter("id", int, OpenApiParameter.PATH, description="The product's id.")
    ],
)
class ProductDetailView(ApiDetailView):
    """A published product of an active shop (of the key's collective, for a collective's
    key)."""

    serializer_class = ProductSerializer

    def get_object(self) -> Product:
        return selectors.api_product(scope=self.scope, pk=self.kwargs["pk"])


# --- Events ----------------------------------------------------------------------------------


@extend_schema(
    tags=[EVENTS],
    summary="List a collective's events",
    parameters=[EventFilterSerializer],
)
class CollectiveEventListView(ApiListView):
    """The collective's published and cancelled events having a date in [``from``, ``to``),
    by their first date in range; each with its recurrence rule and every date in range
    (cancelled dates flagged)."""

    serializer_class = EventSerializer
    ordering = SOONEST

    def get_queryset(self) -> QuerySet[Event]:
        self.collective = selectors.api_collective_only(scope=self.scope, slug=self.kwargs["slug"])
        params = _valid(EventFilterSerializer, self.request)
        return selectors.api_events(
            collective=self.collective, dates=params["dates"], kind=params.get("kind", "")
        )

    def prepare_page(self, rows: list[Event]) -> None:
        for event in rows:
            event.collective = self.collective  # fetched once for the page


@extend_schema(
    tags=[EVENTS],
    summary="Get an event",
    parameters=[
        EventDatesFilterSerializer,
        OpenApiParameter("id", int, OpenApiParameter.PATH, description="The event's id."),
    ],
)
class EventDetailView(ApiDetailView):
    """An event with its dates in [``from``, ``to``) (by default: the year to come)."""

    serializer_class = EventSerializer

    def get_object(self) -> Event:
        params = _valid(EventDatesFilterSerializer, self.request)
        return selectors.api_event(scope=self.scope, pk=self.kwargs["pk"], dates=params["dates"])


# --- Stories ---------------------------------------------------------------------------------


@extend_schema(tags=[STORIES], summary="List a collective's stories")
class CollectiveStoryListView(ApiListView):
    """Published stories of craft of the collective's active member shops, newest first."""

    serializer_class = StorySerializer
    ordering = NEWEST

    def get_queryset(self) -> QuerySet[Story]:
        collective = selectors.api_collective_only(scope=self.scope, slug=self.kwargs["slug"])
        return selectors.api_stories(collective=collective)


def product_detail_response(request: Request, product: Product, status: int = 200) -> Response:
    """A product as the API writes it (for the write endpoints' answers)."""
    return Response(ProductSerializer(product, context={"request": request}).data, status=status)

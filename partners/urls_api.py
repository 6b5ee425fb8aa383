"""The REST API (/api/…): v1 endpoints, the OpenAPI schema and the interactive docs.

The paths of v1 are Halle's public contract with partner sites (docs/api.md): they do not
change. Reads live in partners.api.views; writes (a shop's token) in partners.api.views_write,
routed on the same paths by HTTP method.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from partners.api import views
from partners.api.base import api_not_found, by_method

app_name = "api"

WRITES = "partners.api.views_write"

urlpatterns = [
    path("v1/collectives/", views.CollectiveListView.as_view(), name="collective_list"),
    path(
        "v1/collectives/<slug:slug>/",
        views.CollectiveDetailView.as_view(),
        name="collective_detail",
    ),
    path(
        "v1/collectives/<slug:slug>/merchants/",
        views.CollectiveMerchantListView.as_view(),
        name="collective_merchants",
    ),
    path(
        "v1/collectives/<slug:slug>/products/",
        views.CollectiveProductListView.as_view(),
        name="collective_products",
    ),
    path(
        "v1/collectives/<slug:slug>/events/",
        views.CollectiveEventListView.as_view(),
        name="collective_events",
    ),
    path(
        "v1/collectives/<slug:slug>/stories/",
        views.CollectiveStoryListView.as_view(),
        name="collective_stories",
    ),
    path("v1/merchants/<slug:slug>/", views.MerchantDetailView.as_view(), name="merchant_detail"),
    path(
        "v1/merchants/<slug:slug>/products/",
        by_method({"GET": views.MerchantProductListView, "POST": f"{WRITES}.ProductCreateView"}),
        name="merchant_products",
    ),
    path(
        "v1/merchants/<slug:slug>/stock/",
        by_method({"POST": f"{WRITES}.StockSyncView"}),
        name="merchant_stock",
    ),
    path(
        "v1/products/<int:pk>/",
        by_method({"GET": views.ProductDetailView, "PATCH": f"{WRITES}.ProductUpdateView"}),
        name="product_detail",
    ),
    path("v1/events/<int:pk>/", views.EventDetailView.as_view(), name="event_detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Any other address below v1/ answers the API's JSON 404, not an HTML page.
    re_path(r"^v1/(?:[\s\S]*/)?$", api_not_found),
]

"""TEMPORARY (removed once partners/urls_api.py routes the write endpoints)."""

from django.urls import include, path

from config.urls import urlpatterns as site
from partners.api import views_write

api = (
    [
        path("v1/merchants/<slug:slug>/products/", views_write.ProductCreateView.as_view()),
        path("v1/products/<int:pk>/", views_write.ProductUpdateView.as_view(), name="product-detail"),
        path("v1/merchants/<slug:slug>/stock/", views_write.StockSyncView.as_view()),
    ],
    "api",
)
urlpatterns = [path("api/", include(api)), *site]

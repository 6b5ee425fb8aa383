"""A shop's dashboard (/mon-commerce/<shop>/statistiques/…)."""

from django.urls import path

from insights.views import shop

app_name = "shop_insights"

urlpatterns = [
    path("", shop.dashboard, name="dashboard"),
    path("export/<slug:table>.<slug:fmt>", shop.export, name="export"),
]

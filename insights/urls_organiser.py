"""A collective's dashboard (/organiser/<collective>/statistiques/…)."""

from django.urls import path

from insights.views import organiser

app_name = "organiser_insights"

urlpatterns = [
    path("", organiser.dashboard, name="dashboard"),
    path("export/<slug:table>.<slug:fmt>", organiser.export, name="export"),
]

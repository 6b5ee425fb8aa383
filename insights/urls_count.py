"""Counting clicks without tracking (/compter/…)."""

from django.urls import path

from insights.views import count

app_name = "count"

urlpatterns = [
    path("itineraire/<int:merchant_id>/", count.directions, name="directions"),
    path("appel/<int:merchant_id>/", count.call, name="call"),
]

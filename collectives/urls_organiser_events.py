"""Events in the organiser space (/organiser/<collective>/evenements/…)."""

from django.urls import path

app_name = "organiser_events"

urlpatterns: list = []

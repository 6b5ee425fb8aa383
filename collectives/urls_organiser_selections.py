"""Selections in the organiser space (/organiser/<collective>/selections/…)."""

from django.urls import path

app_name = "organiser_selections"

urlpatterns: list = []

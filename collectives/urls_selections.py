"""Public selections of a collective (/collectifs/<slug>/selections/…)."""

from django.urls import path

app_name = "selections"

urlpatterns: list = []

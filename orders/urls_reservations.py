"""A customer's reservations (/reservations/…)."""

from django.urls import path

app_name = "reservations"

urlpatterns: list = []

"""A shop's reservations inbox (/mon-commerce/<shop>/reservations/…)."""

from django.urls import path

app_name = "shop_reservations"

urlpatterns: list = []

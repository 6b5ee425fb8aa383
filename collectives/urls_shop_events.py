"""A shop's events, in « Mon commerce » (/mon-commerce/<shop>/evenements/…)."""

from django.urls import path

app_name = "shop_events"

urlpatterns: list = []

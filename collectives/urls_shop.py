"""A shop's collectives, in « Mon commerce » (/mon-commerce/<shop>/collectifs/…)."""

from django.urls import path

app_name = "shop_collectives"

urlpatterns: list = []

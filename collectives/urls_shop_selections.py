"""A shop's proposals to selections, in « Mon commerce » (/mon-commerce/<shop>/selections/…)."""

from django.urls import path

app_name = "shop_selections"

urlpatterns: list = []

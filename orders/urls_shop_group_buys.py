"""A shop's group buys (/mon-commerce/<shop>/achats-groupes/…)."""

from django.urls import path

app_name = "shop_group_buys"

urlpatterns: list = []

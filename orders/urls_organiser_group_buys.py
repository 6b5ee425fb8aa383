"""A collective's group buys (/organiser/<collective>/achats-groupes/…)."""

from django.urls import path

app_name = "organiser_group_buys"

urlpatterns: list = []

"""Public group buys (/achats-groupes/…)."""

from django.urls import path

app_name = "group_buys"

urlpatterns: list = []

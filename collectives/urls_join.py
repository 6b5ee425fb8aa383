"""Joining a collective from an e-mailed invitation (/rejoindre/<token>/)."""

from django.urls import path

app_name = "join"

urlpatterns: list = []

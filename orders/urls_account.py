"""My account (/mon-compte/…): reservations, pledges, registrations, follows, export, deletion."""

from django.urls import path

app_name = "account"

urlpatterns: list = []

"""Public event pages, registrations and iCal feeds (/collectifs/<slug>/evenements/…, /collectifs/<slug>/agenda.ics)."""

from django.urls import path

app_name = "events"

urlpatterns: list = []

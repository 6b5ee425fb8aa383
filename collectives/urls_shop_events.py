"""A shop's events, in « Mon commerce » (/mon-commerce/<shop>/evenements/…)."""

from django.urls import path

from collectives.views import events_shop as views

app_name = "shop_events"

urlpatterns = [
    path("", views.participation_list, name="list"),
    path("<int:participation_id>/repondre/", views.participation_answer, name="answer"),
]

"""Joining a collective from an e-mailed invitation (/rejoindre/<token>/)."""

from django.urls import path

from collectives.views import shop_side

app_name = "join"

urlpatterns = [
    path("<str:token>/", shop_side.join, name="accept"),
]

"""The public page of a live sale session (/collectifs/<slug>/direct/<event>/…): line-up,
product being shown, stock left."""

from django.urls import path

from collectives.views import live

app_name = "live"

urlpatterns = [
    path("<slug:event_slug>/", live.live_detail, name="detail"),
    # The line-up part of the page, polled by htmx during the live.
    path("<slug:event_slug>/etat/", live.live_state, name="state"),
]

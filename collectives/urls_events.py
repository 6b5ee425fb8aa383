"""Public event pages, registrations and iCal feeds (/collectifs/<slug>/evenements/…,
/collectifs/<slug>/agenda.ics)."""

from django.urls import path

from collectives.views import events_public

app_name = "events"

urlpatterns = [
    path("evenements/", events_public.event_list, name="list"),
    path("evenements/<slug:event_slug>/", events_public.event_detail, name="detail"),
    # A slug has no dot: « atelier.ics » never reads as the page of an event « atelier.ics ».
    path("evenements/<slug:event_slug>.ics", events_public.event_ics, name="ics"),
    path(
        "evenements/<slug:event_slug>/dates/<int:occurrence_id>/inscription/",
        events_public.register,
        name="register",
    ),
    path(
        "evenements/<slug:event_slug>/dates/<int:occurrence_id>/desinscription/",
        events_public.unregister,
        name="unregister",
    ),
    path("agenda.ics", events_public.collective_feed, name="feed"),
]

"""Events in the organiser space (/organiser/<collective>/evenements/…)."""

from django.urls import path

from collectives.views import events_organiser as views

app_name = "organiser_events"

DATE = "<slug:event_slug>/dates/<int:occurrence_id>/"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("nouveau/", views.event_create, name="create"),
    path("<slug:event_slug>/", views.event_edit, name="edit"),
    path("<slug:event_slug>/publier/", views.event_publish, name="publish"),
    path("<slug:event_slug>/depublier/", views.event_unpublish, name="unpublish"),
    path("<slug:event_slug>/annuler/", views.event_cancel, name="cancel"),
    path("<slug:event_slug>/dates/", views.event_dates_view, name="dates"),
    path(f"{DATE}annuler/", views.occurrence_cancel, name="occurrence_cancel"),
    path(f"{DATE}retablir/", views.occurrence_restore, name="occurrence_restore"),
    path(f"{DATE}deplacer/", views.occurrence_move, name="occurrence_move"),
    path(f"{DATE}inscrits/", views.occurrence_registrations_view, name="registrations"),
    path(
        f"{DATE}inscrits/<int:registration_id>/annuler/",
        views.registration_cancel_view,
        name="registration_cancel",
    ),
    # The CSV of the whole event, or of one date (reverse with or without the date's id).
    path("<slug:event_slug>/inscriptions.csv", views.export, name="export"),
    path(f"{DATE}inscriptions.csv", views.export, name="export"),
    path("<slug:event_slug>/commerces/", views.participants, name="participants"),
    path(
        "<slug:event_slug>/commerces/<int:participation_id>/retirer/",
        views.participant_remove,
        name="participant_remove",
    ),
    path("<slug:event_slug>/produits/", views.featured, name="featured"),
]

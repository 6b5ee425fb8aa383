"""A collective's newsletters (/organiser/<collective>/lettres/…)."""

from django.urls import path

from notifications.views import newsletters_organiser as views

app_name = "organiser_newsletters"

urlpatterns = [
    path("", views.newsletter_list, name="list"),
    path("nouvelle/", views.newsletter_create, name="create"),
    path("<int:newsletter_id>/", views.newsletter_edit, name="edit"),
    path("<int:newsletter_id>/apercu/", views.newsletter_preview, name="preview"),
    path("<int:newsletter_id>/envoi/", views.newsletter_send_page, name="send"),
    path("<int:newsletter_id>/envoyer/", views.newsletter_send_now, name="send_now"),
    path("<int:newsletter_id>/programmer/", views.newsletter_schedule, name="schedule"),
    path(
        "<int:newsletter_id>/deprogrammer/",
        views.newsletter_cancel_schedule,
        name="cancel_schedule",
    ),
    path("<int:newsletter_id>/supprimer/", views.newsletter_delete, name="delete"),
    path("<int:newsletter_id>/suivi/", views.newsletter_progress_view, name="progress"),
    path("<int:newsletter_id>/suivi/etat/", views.newsletter_progress_part, name="progress_part"),
    path("<int:newsletter_id>/renvoyer/", views.newsletter_resend, name="resend"),
]

"""My account (/mon-compte/…): reservations, pledges, registrations, follows, export, deletion."""

from django.urls import path

from orders.views import account

app_name = "account"

urlpatterns = [
    path("", account.overview, name="overview"),
    path("parametres/", account.settings_edit, name="settings"),
    path("export/", account.export, name="export"),
    path("supprimer/", account.delete, name="delete"),
]

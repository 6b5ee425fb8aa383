"""CSV import and export of a shop's products (/mon-commerce/<shop>/import-export/…)."""

from django.urls import path

from catalog.views import imports as views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("exporter/", views.export, name="export"),
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/progression/", views.progress, name="progress"),
    path("<int:pk>/confirmer/", views.confirm, name="confirm"),
    path("<int:pk>/annuler/", views.cancel, name="cancel"),
]

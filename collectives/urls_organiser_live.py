"""Running a live sale session (/organiser/<collective>/direct/…)."""

from django.urls import path

from collectives.views import live_organiser as views

app_name = "organiser_live"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:event_slug>/", views.control, name="control"),
    path("<slug:event_slug>/ajouter/", views.add, name="add"),
    path("<slug:event_slug>/ne-plus-montrer/", views.clear_highlight, name="clear_highlight"),
    path("<slug:event_slug>/<int:item_pk>/montrer/", views.highlight, name="highlight"),
    path("<slug:event_slug>/<int:item_pk>/deplacer/", views.move, name="move"),
    path("<slug:event_slug>/<int:item_pk>/retirer/", views.remove, name="remove"),
]

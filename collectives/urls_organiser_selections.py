"""Selections in the organiser space (/organiser/<collective>/selections/…)."""

from django.urls import path

from collectives.views import selections_organiser as views

app_name = "organiser_selections"

urlpatterns = [
    path("", views.selection_list, name="list"),
    path("nouvelle/", views.selection_create, name="create"),
    path("<int:selection_id>/", views.selection_detail, name="detail"),
    path("<int:selection_id>/modifier/", views.selection_edit, name="edit"),
    path(
        "<int:selection_id>/publier/",
        views.selection_publish,
        {"publish": True},
        name="publish",
    ),
    path(
        "<int:selection_id>/depublier/",
        views.selection_publish,
        {"publish": False},
        name="unpublish",
    ),
    path("<int:selection_id>/ajouter/", views.selection_add_product, name="add_product"),
    *[
        path(
            f"<int:selection_id>/produits/<int:item_id>/{word}/",
            views.item_action,
            {"action": action},
            name=f"item_{action}",
        )
        for word, action in [
            ("monter", "up"),
            ("descendre", "down"),
            ("retirer", "remove"),
            ("accepter", "accept"),
            ("refuser", "decline"),
        ]
    ],
]

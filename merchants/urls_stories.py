"""Stories of craft in « Mon commerce » (/mon-commerce/<shop>/histoires/…)."""

from django.urls import path

from merchants.views import stories

app_name = "stories"

urlpatterns = [
    path("", stories.story_list, name="list"),
    path("nouvelle/", stories.story_create, name="create"),
    path("<int:pk>/", stories.story_edit, name="edit"),
    path("<int:pk>/publier/", stories.story_publish, name="publish"),
    path("<int:pk>/depublier/", stories.story_unpublish, name="unpublish"),
    path("<int:pk>/supprimer/", stories.story_delete, name="delete"),
    path("<int:pk>/photos/<int:photo_pk>/", stories.photo_update, name="photo_update"),
    path("<int:pk>/photos/<int:photo_pk>/deplacer/", stories.photo_move, name="photo_move"),
    path("<int:pk>/photos/<int:photo_pk>/retirer/", stories.photo_delete, name="photo_delete"),
]

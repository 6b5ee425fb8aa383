"""A collective's group buys (/organiser/<collective>/achats-groupes/…)."""

from django.urls import path

from orders.views import group_buys_organiser as views

app_name = "organiser_group_buys"

urlpatterns = [
    path("", views.group_buy_list, name="list"),
    path("nouveau/", views.group_buy_create, name="create"),
    path("<int:group_buy_id>/annuler/", views.group_buy_cancel_view, name="cancel"),
]

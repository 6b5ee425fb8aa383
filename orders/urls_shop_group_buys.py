"""A shop's group buys (/mon-commerce/<shop>/achats-groupes/…)."""

from django.urls import path

from orders.views import group_buys_shop as views

app_name = "shop_group_buys"

urlpatterns = [
    path("", views.group_buy_list, name="list"),
    path("nouveau/", views.group_buy_create, name="create"),
    path("<int:group_buy_id>/annuler/", views.group_buy_cancel_view, name="cancel"),
]

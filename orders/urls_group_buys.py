"""Public group buys (/achats-groupes/…)."""

from django.urls import path

from orders.views import group_buys_public as views

app_name = "group_buys"

urlpatterns = [
    path("", views.group_buy_list, name="list"),
    path("<int:group_buy_id>/", views.group_buy_detail, name="detail"),
    path("<int:group_buy_id>/progression/", views.group_buy_progress_part, name="progress"),
    path("<int:group_buy_id>/participer/", views.pledge, name="pledge"),
    path("<int:group_buy_id>/retirer/", views.withdraw, name="withdraw"),
]

"""A shop's collectives, in « Mon commerce » (/mon-commerce/<shop>/collectifs/…)."""

from django.urls import path

from collectives.views import shop_side

app_name = "shop_collectives"

urlpatterns = [
    path("", shop_side.memberships, name="list"),
    path("demander/", shop_side.membership_request, name="request"),
    path(
        "<int:membership_id>/accepter/",
        shop_side.membership_answer,
        {"accept": True},
        name="accept",
    ),
    path(
        "<int:membership_id>/refuser/",
        shop_side.membership_answer,
        {"accept": False},
        name="decline",
    ),
    path("<int:membership_id>/quitter/", shop_side.membership_leave, name="leave"),
]

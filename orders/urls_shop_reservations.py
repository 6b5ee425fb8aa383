"""A shop's reservations inbox (/mon-commerce/<shop>/reservations/…)."""

from django.urls import path

from orders.views import reservations_shop as views

app_name = "shop_reservations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("code/", views.find_code, name="find_code"),
    # What the QR code on the customer's reservation page encodes.
    path("code/<str:code>/", views.by_code, name="by_code"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/confirmer/", views.act, {"action": "confirm"}, name="confirm"),
    path("<int:pk>/prete/", views.act, {"action": "ready"}, name="ready"),
    path("<int:pk>/retiree/", views.act, {"action": "collect"}, name="collect"),
    path("<int:pk>/refuser/", views.act, {"action": "decline"}, name="decline"),
    path("<int:pk>/annuler/", views.act, {"action": "cancel"}, name="cancel"),
]

"""A customer's reservations (/reservations/…)."""

from django.urls import path

from orders.views import reservations_customer as views

app_name = "reservations"

urlpatterns = [
    path("", views.reservation_list, name="list"),
    path("<int:pk>/", views.reservation_detail, name="detail"),
    path("<int:pk>/annuler/", views.reservation_cancel_view, name="cancel"),
    path("reserver/<slug:merchant_slug>/<slug:product_slug>/", views.reserve, name="reserve"),
]

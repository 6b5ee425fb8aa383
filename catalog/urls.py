from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("<slug:slug>/", views.shop_detail, name="shop"),
    path("<slug:merchant_slug>/<slug:slug>/", views.product_detail, name="product"),
]

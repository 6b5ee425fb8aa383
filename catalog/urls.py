from django.urls import path

from catalog.views import public

app_name = "catalog"

urlpatterns = [
    path("<slug:slug>/", public.shop_detail, name="shop"),
    path("<slug:merchant_slug>/<slug:slug>/", public.product_detail, name="product"),
]

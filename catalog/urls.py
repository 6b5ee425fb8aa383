from django.urls import path

from catalog.views import public

app_name = "catalog"

urlpatterns = [
    path("<slug:slug>/", public.shop_detail, name="shop"),
    # Three segments: never confused with a product (/boutiques/<shop>/<product>/).
    path("<slug:merchant_slug>/histoires/<slug:slug>/", public.story_detail, name="story"),
    path("<slug:merchant_slug>/<slug:slug>/", public.product_detail, name="product"),
]

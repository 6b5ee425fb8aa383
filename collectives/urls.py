from django.urls import path

from collectives.views import public

app_name = "collectives"

urlpatterns = [
    path("", public.home, name="home"),
    path("collectifs/<slug:slug>/", public.collective_detail, name="detail"),
    path("collectifs/<slug:slug>/catalogue/", public.catalog, name="catalog"),
]

from django.urls import path

from collectives import views

app_name = "collectives"

urlpatterns = [
    path("", views.home, name="home"),
    path("collectifs/<slug:slug>/", views.collective_detail, name="detail"),
]

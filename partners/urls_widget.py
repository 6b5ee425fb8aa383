"""The embeddable widget (/widget/…, /en/widget/…): pages partner sites put in an iframe."""

from django.urls import path

from partners.views import widget as views

app_name = "widget"

urlpatterns = [
    path("<slug:slug>/", views.collective, name="collective"),
    path("<slug:slug>/evenements/<slug:event_slug>/", views.event, name="event"),
]

"""The in-app inbox, preferences and unsubscribing (/notifications/…)."""

from django.urls import path

from notifications.views import inbox, preferences, unsubscribe

app_name = "notifications"

urlpatterns = [
    path("", inbox.inbox_list, name="inbox"),
    path("non-lues/", inbox.unread, name="unread"),
    path("tout-lu/", inbox.mark_all_read, name="mark_all_read"),
    path("<int:pk>/lu/", inbox.mark_read, name="mark_read"),
    path("preferences/", preferences.preferences, name="preferences"),
    path("desabonnement/<str:token>/", unsubscribe.unsubscribe_page, name="unsubscribe"),
]

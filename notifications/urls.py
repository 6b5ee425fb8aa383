"""The in-app inbox, preferences and unsubscribing (/notifications/…)."""

app_name = "notifications"

urlpatterns: list = []

"""Counting clicks without tracking (/compter/…)."""

app_name = "count"

urlpatterns: list = []

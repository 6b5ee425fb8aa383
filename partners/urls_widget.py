"""The embeddable widget (/widget/…)."""

app_name = "widget"

urlpatterns: list = []

"""A collective's dashboard (/organiser/<collective>/statistiques/…)."""

app_name = "organiser_insights"

urlpatterns: list = []

"""A collective's API keys and webhooks (/organiser/<collective>/api/…)."""

app_name = "organiser_partners"

urlpatterns: list = []

"""A collective's newsletters (/organiser/<collective>/lettres/…)."""

app_name = "organiser_newsletters"

urlpatterns: list = []

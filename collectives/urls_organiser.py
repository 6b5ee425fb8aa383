"""The organisers' space (/organiser/<collective>/…)."""

app_name = "organiser"

urlpatterns: list = []

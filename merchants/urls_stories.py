"""Stories of craft in « Mon commerce » (/mon-commerce/<shop>/histoires/…)."""

app_name = "stories"

urlpatterns: list = []

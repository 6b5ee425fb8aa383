"""« Mon commerce »: a shopkeeper's own space (/mon-commerce/…)."""

app_name = "shop"

urlpatterns: list = []

"""A shop's listings in « Mon commerce » (/mon-commerce/<shop>/produits/…)."""

app_name = "products"

urlpatterns: list = []

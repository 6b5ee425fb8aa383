"""CSV import and export of a shop's products (/mon-commerce/<shop>/import-export/…)."""

app_name = "imports"

urlpatterns: list = []

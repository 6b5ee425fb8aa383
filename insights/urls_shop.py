"""A shop's dashboard (/mon-commerce/<shop>/statistiques/…)."""

app_name = "shop_insights"

urlpatterns: list = []

"""A shop's API tokens and webhooks (/mon-commerce/<shop>/api/…)."""

app_name = "shop_partners"

urlpatterns: list = []

"""A shop's webhooks (/mon-commerce/<shop>/api/webhooks/…)."""

from partners.views import webhooks_shop as views
from partners.views.webhooks_pages import urlpatterns_for

app_name = "shop_webhooks"

urlpatterns = urlpatterns_for(views)

"""A collective's webhooks (/organiser/<collective>/api/webhooks/…)."""

from partners.views import webhooks_organiser as views
from partners.views.webhooks_pages import urlpatterns_for

app_name = "organiser_webhooks"

urlpatterns = urlpatterns_for(views)

"""A collective's API keys, webhooks and widget (/organiser/<collective>/api/…)."""

from django.urls import include, path

from partners.views import keys_organiser, widget_organiser

app_name = "organiser_partners"

urlpatterns = [
    path("", keys_organiser.key_list, name="keys"),
    path("cles/nouvelle/", keys_organiser.key_create, name="key_create"),
    path("cles/<int:key_id>/revoquer/", keys_organiser.key_revoke, name="key_revoke"),
    path("webhooks/", include("partners.urls_organiser_webhooks")),
    path("widget/", widget_organiser.widget_page, name="widget"),
]

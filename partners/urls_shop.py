"""A shop's API tokens and webhooks (/mon-commerce/<shop>/api/…)."""

from django.urls import include, path

from partners.views import tokens_shop

app_name = "shop_partners"

urlpatterns = [
    path("", tokens_shop.tokens, name="tokens"),
    path("jetons/nouveau/", tokens_shop.token_create, name="token_create"),
    path("jetons/<int:pk>/revoquer/", tokens_shop.token_revoke, name="token_revoke"),
    path("webhooks/", include("partners.urls_shop_webhooks")),
]

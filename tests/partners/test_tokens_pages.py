"""« Mon commerce » › API: a shop's tokens. Owners create a token — its secret is shown once,
only its SHA-256 is stored — and revoke it; staff see the list but cannot create or revoke;
another shop's team gets 404. The list's query count does not grow with the tokens."""

import hashlib

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from merchants.models import MerchantMember
from partners.models import MerchantToken
from partners.services import tokens as services
from tests.factories import MerchantMemberFactory, ProductFactory
from tests.partners.factories import MerchantTokenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner):
    return owner.shop


@pytest.fixture
def staff(shop):
    return MerchantMemberFactory(merchant=shop, role=MerchantMember.Role.STAFF).user


def url(name, shop, *args, language="en"):
    with translation.override(language):
        return reverse(f"shop_partners:{name}", args=[shop.slug, *args])


def logged_in(client, user):
    client.force_login(user)
    return client


# --- Creating ------------------------------------------------------------------------------------


def test_an_owner_creates_a_token_shown_once_and_stored_hashed(client, owner, shop):
    logged_in(client, owner)
    response = client.post(url("token_create", shop), {"name": "Caisse du magasin"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith(services.TOKEN_PREFIX)
    assert len(secret) > 40
    assert secret.encode() in response.content
    token = MerchantToken.objects.get()
    assert token.merchant == shop
    assert token.created_by == owner
    assert token.name == "Caisse du magasin"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    stored = [str(value) for value in MerchantToken.objects.values().get().values()]
    assert not any(secret in value for value in stored)
    # Shown once: the list shows the prefix, never the secret again.
    page = client.get(url("tokens", shop))
    assert secret.encode() not in page.content
    assert token.prefix.encode() in page.content


def test_the_token_created_on_the_page_writes_through_the_api(client, owner, shop):
    product = ProductFactory(merchant=shop, sku="REF", stock=1)
    logged_in(client, owner)
    secret = client.post(url("token_create", shop), {"name": "Caisse"}).context["secret"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.post(
        f"/api/v1/merchants/{shop.slug}/stock/", [{"sku": "REF", "stock": 6}], format="json"
    )
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.stock == 6
    page = client.get(url("tokens", shop))
    assert b"Last used on" in page.content


def test_a_token_needs_a_name(client, owner, shop):
    logged_in(client, owner)
    response = client.post(url("token_create", shop), {"name": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert not MerchantToken.objects.exists()


def test_staff_see_the_tokens_but_cannot_create_or_revoke(client, staff, shop, owner):
    token = MerchantTokenFactory(merchant=shop, created_by=owner)
    logged_in(client, staff)
    page = client.get(url("tokens", shop))
    assert page.status_code == 200
    assert token.prefix.encode() in page.content
    assert b"data-owners-only" in page.content
    assert url("token_create", shop).encode() not in page.content
    assert client.post(url("token_create", shop), {"name": "X"}).status_code == 403
    assert client.post(url("token_revoke", shop, token.pk)).status_code == 403
    assert MerchantToken.objects.count() == 1
    assert MerchantToken.objects.get().revoked_at is None


def test_the_services_refuse_staff_too(staff, shop):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.merchant_token_create(actor=staff, merchant=shop, name="X")


def test_another_shops_team_gets_404(client, shop, owner):
    token = MerchantTokenFactory(merchant=shop, created_by=owner)
    stranger = MerchantMemberFactory(role=MerchantMember.Role.OWNER)
    logged_in(client, stranger.user)
    assert client.get(url("tokens", shop)).status_code == 404
    assert client.post(url("token_create", shop), {"name": "X"}).status_code == 404
    assert client.post(url("token_revoke", shop, token.pk)).status_code == 404
    # Through their own shop, another shop's token is not found either.
    assert client.post(url("token_revoke", stranger.merchant, token.pk)).status_code == 404
    assert MerchantToken.objects.get().revoked_at is None


def test_a_visitor_is_sent_to_log_in(client, shop):
    response = client.get(url("tokens", shop))
    assert response.status_code == 302
    assert "login" in response["Location"] or "connexion" in response["Location"]


# --- Revoking ------------------------------------------------------------------------------------


def test_an_owner_revokes_a_token_and_it_stops_working(client, owner, shop):
    token = MerchantTokenFactory(merchant=shop, created_by=owner)
    logged_in(client, owner)
    response = client.post(url("token_revoke", shop, token.pk))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.plaintext}")
    assert api.post(f"/api/v1/merchants/{shop.slug}/stock/", [], format="json").status_code == 401
    page = client.get(url("tokens", shop))
    assert b"data-revoked" in page.content


def test_revoking_twice_keeps_the_first_date(owner, shop):
    token = MerchantTokenFactory(merchant=shop, created_by=owner)
    first = services.merchant_token_revoke(actor=owner, token=token).revoked_at
    assert services.merchant_token_revoke(actor=owner, token=token).revoked_at == first


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_name_prefix_and_last_use(client, owner, shop):
    MerchantTokenFactory(merchant=shop, created_by=owner, name="Caisse")
    logged_in(client, owner)
    page = client.get(url("tokens", shop))
    content = page.content.decode()
    assert "Caisse" in content
    assert "Never used" in content
    assert page.context["nav"] == "api"


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_reads_a_constant_number_of_queries(
    client, owner, shop, count, django_assert_max_num_queries
):
    for n in range(count):
        MerchantTokenFactory(merchant=shop, created_by=owner, name=f"Caisse {n}")
    MerchantTokenFactory(merchant=shop, created_by=None, name="Orpheline")
    logged_in(client, owner)
    with django_assert_max_num_queries(8):
        response = client.get(url("tokens", shop))
    assert response.status_code == 200
    assert response.content.count(b"data-token=") == count + 1

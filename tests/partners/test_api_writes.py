"""The merchant write endpoints of the API: only a shop's token writes, only in its shop; the
writes go through the pages' services; bulk stock sync is all or nothing, reports unknown
references, takes 10,000 lines in a bounded number of queries; errors have the stable body."""

import hashlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from catalog.models import Product
from catalog.services.stock_sync import MAX_LINES
from merchants.models import MerchantMember
from partners.models import MerchantToken
from tests.factories import (
    CategoryFactory,
    MerchantFactory,
    MerchantMemberFactory,
    ProductFactory,
    UserFactory,
)
from tests.partners.factories import MerchantTokenFactory, PartnerKeyFactory

pytestmark = pytest.mark.django_db


# --- Helpers ---------------------------------------------------------------------------------


@pytest.fixture
def shop(owner):
    return owner.shop


@pytest.fixture
def token(shop, owner):
    return MerchantTokenFactory(merchant=shop, created_by=owner)


def api(token=None, **headers):
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.plaintext}", **headers)
    elif headers:
        client.credentials(**headers)
    return client


def products_url(shop):
    return f"/api/v1/merchants/{shop.slug}/products/"


def product_url(product):
    return f"/api/v1/products/{product.pk}/"


def stock_url(shop):
    return f"/api/v1/merchants/{shop.slug}/stock/"


def error_fields(response):
    return response.json()["error"]["fields"]


# --- Who may write -----------------------------------------------------------------------------


def test_without_a_token_the_answer_is_401_with_the_scheme_to_use(shop):
    response = api().post(products_url(shop), {"title": "Pain", "price": "2"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"


def test_an_unknown_token_is_401(shop):
    client = api(HTTP_AUTHORIZATION="Bearer hmt_nope")
    response = client.post(stock_url(shop), [], format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_revoked_token_is_401(shop, token):
    MerchantToken.objects.filter(pk=token.pk).update(revoked_at="2024-01-01T00:00:00Z")
    response = api(token).post(stock_url(shop), [], format="json")
    assert response.status_code == 401


def test_a_token_stops_working_when_its_creator_leaves_the_shop(shop, owner):
    staff = MerchantMemberFactory(merchant=shop, role=MerchantMember.Role.STAFF).user
    token = MerchantTokenFactory(merchant=shop, created_by=staff)
    assert api(token).post(stock_url(shop), [], format="json").status_code == 200
    MerchantMember.objects.filter(merchant=shop, user=staff).delete()
    assert api(token).post(stock_url(shop), [], format="json").status_code == 401


def test_a_token_of_another_shop_gets_404_for_this_shop_and_its_products(shop, token):
    other = MerchantMemberFactory(role=MerchantMember.Role.OWNER)
    product = ProductFactory(merchant=other.merchant, sku="A", stock=3)
    client = api(token)
    assert client.post(stock_url(other.merchant), [], format="json").status_code == 404
    response = client.post(
        products_url(other.merchant), {"title": "X", "price": "1"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.patch(product_url(product), {"stock": 9}, format="json").status_code == 404
    assert client.post(stock_url(shop), [{"sku": "A", "stock": 9}], format="json").json()[
        "unknown_skus"
    ] == ["A"]
    product.refresh_from_db()
    assert product.stock == 3
    # A shop that does not exist answers the same as one that is not the token's.
    nowhere = MerchantFactory.build(slug="nulle-part")
    assert client.post(stock_url(nowhere), [], format="json").status_code == 404


def test_a_partner_key_only_reads(shop):
    key = PartnerKeyFactory()
    client = api(HTTP_AUTHORIZATION=f"Api-Key {key.plaintext}")
    response = client.post(products_url(shop), {"title": "Pain", "price": "2"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    # A key's secret sent as a token is no token.
    client = api(HTTP_AUTHORIZATION=f"Bearer {key.plaintext}")
    assert client.post(stock_url(shop), [], format="json").status_code == 401
    assert not Product.objects.exists()


def test_a_logged_in_shopkeeper_without_a_token_cannot_write(shop, owner):
    client = APIClient()
    client.force_login(owner)
    response = client.post(products_url(shop), {"title": "Pain", "price": "2"}, format="json")
    assert response.status_code == 401


def test_only_the_token_hash_is_looked_up(shop, token):
    assert MerchantToken.objects.get(pk=token.pk).token_hash == (
        hashlib.sha256(token.plaintext.encode()).hexdigest()
    )
    api(token).post(stock_url(shop), [], format="json")
    assert MerchantToken.objects.get(pk=token.pk).last_used_at is not None


# --- Creating a product --------------------------------------------------------------------------


def test_creating_a_product_goes_through_the_service(shop, token):
    category = CategoryFactory(slug="fromagerie")
    body = {
        "title": "Tomme de brebis",
        "description": "Affinée six mois.",
        "price": "12.5",
        "vat_rate": 5.5,
        "category": "fromagerie",
        "labels": ["local", "organic"],
        "unit": "kg",
        "sku": "TOM-01",
        "stock": 4,
    }
    response = api(token).post(products_url(shop), body, format="json")
    assert response.status_code == 201, response.content
    product = Product.objects.get(merchant=shop)
    assert response["Location"].endswith(f"/api/v1/products/{product.pk}/")
    data = response.json()
    assert data["id"] == product.pk
    assert data["price"] == "12.50"
    assert product.price == Decimal("12.50")
    assert product.vat_rate == Decimal("5.50")
    assert product.category == category
    assert product.status == Product.Status.DRAFT
    assert (product.stock, product.sku, product.unit) == (4, "TOM-01", "kg")
    assert product.slug == "tomme-de-brebis"
    # The service wrote the search vector: the API is no side door.
    assert product.search_vector is not None


def test_a_product_created_published_has_a_publication_date(shop, token):
    body = {"title": "Pain", "price": 2.3, "status": "published"}
    response = api(token).post(products_url(shop), body, format="json")
    assert response.status_code == 201
    product = Product.objects.get(merchant=shop)
    assert product.status == Product.Status.PUBLISHED
    assert product.published_at is not None
    assert product.price == Decimal("2.30")


def test_invalid_input_names_each_field(shop, token):
    body = {"price": "abc", "vat_rate": "7", "labels": ["bio"], "colour": "red", "stock": -1}
    response = api(token).post(products_url(shop), body, format="json")
    assert response.status_code == 400
    fields = error_fields(response)
    assert fields == {"colour": ["Unknown field."]}  # unknown fields are refused first
    del body["colour"]
    response = api(token).post(products_url(shop), body, format="json")
    fields = error_fields(response)
    assert response.json()["error"]["code"] == "validation_error"
    assert set(fields) == {"title", "price", "vat_rate", "labels.0", "stock"}
    assert fields["vat_rate"] == ["Choose one of the French VAT rates: 20, 10, 5.5 or 2.1."]
    assert not Product.objects.exists()


def test_the_services_rules_answer_as_field_errors(shop, token):
    ProductFactory(merchant=shop, sku="REF-1")
    body = {"title": "Pain", "price": "3", "sku": "REF-1", "compare_at_price": "2"}
    response = api(token).post(products_url(shop), body, format="json")
    assert response.status_code == 400
    fields = error_fields(response)
    assert fields["sku"] == ["Another product of your shop already has this reference."]
    assert fields["compare_at_price"] == ["The former price must be higher than the price."]
    assert response["Content-Language"] == "en"
    assert Product.objects.filter(merchant=shop).count() == 1


def test_the_api_answers_in_french_when_asked(shop, token):
    ProductFactory(merchant=shop, sku="REF-1")
    client = api(token, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    response = client.post(
        products_url(shop), {"title": "Pain", "price": "3", "sku": "REF-1"}, format="json"
    )
    assert response.status_code == 400
    assert response["Content-Language"] == "fr"
    with translation.override("fr"):
        expected = gettext("Another product of your shop already has this reference.")
    assert error_fields(response)["sku"] == [expected]


# --- Changing a product --------------------------------------------------------------------------


def test_patching_changes_only_the_fields_sent(shop, token):
    product = ProductFactory(merchant=shop, title="Pain", price=Decimal("2.00"), stock=5)
    response = api(token).patch(product_url(product), {"price": "2.2"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["price"] == "2.20"
    product.refresh_from_db()
    assert (product.title, product.price, product.stock) == ("Pain", Decimal("2.20"), 5)


def test_patching_stock_and_status(shop, token):
    product = ProductFactory(
        merchant=shop, status=Product.Status.DRAFT, published_at=None, stock=None
    )
    client = api(token)
    response = client.patch(
        product_url(product), {"stock": 7, "status": "published"}, format="json"
    )
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.stock, product.status) == (7, Product.Status.PUBLISHED)
    assert product.published_at is not None
    client.patch(product_url(product), {"status": "archived", "stock": None}, format="json")
    product.refresh_from_db()
    assert (product.stock, product.status) == (None, Product.Status.ARCHIVED)
    client.patch(product_url(product), {"status": "draft"}, format="json")
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


def test_a_refused_patch_changes_nothing(shop, token):
    product = ProductFactory(merchant=shop, title="Pain", price=Decimal("2.00"), stock=5)
    body = {"title": "Pain bio", "stock": 9, "status": "archived", "compare_at_price": "1"}
    response = api(token).patch(product_url(product), body, format="json")
    assert response.status_code == 400
    assert set(error_fields(response)) == {"compare_at_price"}
    product.refresh_from_db()
    assert (product.title, product.stock, product.status) == ("Pain", 5, "published")


def test_patch_refuses_unknown_fields_and_bad_types(shop, token):
    product = ProductFactory(merchant=shop)
    client = api(token)
    response = client.patch(product_url(product), {"prix": "3"}, format="json")
    assert error_fields(response) == {"prix": ["Unknown field."]}
    response = client.patch(product_url(product), {"status": "sold"}, format="json")
    assert set(error_fields(response)) == {"status"}
    response = client.patch(product_url(product), "not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


# --- Bulk stock sync ---------------------------------------------------------------------------


def test_stock_sync_sets_known_references_and_reports_the_others(shop, token):
    bread = ProductFactory(merchant=shop, sku="PAIN", stock=3)
    cheese = ProductFactory(merchant=shop, sku="TOMME", stock=8)
    jam = ProductFactory(merchant=shop, sku="CONF", stock=None)
    archived = ProductFactory(merchant=shop, sku="OLD", stock=1, status=Product.Status.ARCHIVED)
    untouched = ProductFactory(merchant=shop, sku="", stock=2)
    before = Product.objects.get(pk=cheese.pk).updated_at
    lines = [
        {"sku": "PAIN", "stock": 10},
        {"sku": "TOMME", "stock": 8},  # unchanged
        {"sku": "INCONNU", "stock": 4},
        {"sku": "CONF", "stock": 0},
        {"sku": "OLD", "stock": None},
        {"sku": "AUSSI-INCONNU", "stock": 1},
    ]
    response = api(token).post(stock_url(shop), lines, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "updated": 3,
        "unchanged": 1,
        "unknown_skus": ["INCONNU", "AUSSI-INCONNU"],
    }
    stocks = dict(Product.objects.filter(merchant=shop).values_list("pk", "stock"))
    assert stocks == {bread.pk: 10, cheese.pk: 8, jam.pk: 0, archived.pk: None, untouched.pk: 2}
    assert Product.objects.get(pk=cheese.pk).updated_at == before
    assert Product.objects.get(pk=bread.pk).updated_at > before


def test_one_wrong_line_and_nothing_is_applied(shop, token):
    bread = ProductFactory(merchant=shop, sku="PAIN", stock=3)
    ProductFactory(merchant=shop, sku="TOMME", stock=8)
    lines = [
        {"sku": "PAIN", "stock": 10},
        {"sku": "TOMME", "stock": -2},
        {"sku": "PAIN", "stock": 1},
    ]
    response = api(token).post(stock_url(shop), lines, format="json")
    assert response.status_code == 400
    fields = error_fields(response)
    assert set(fields) == {"1.stock", "2.sku"}
    assert "already on line 0" in fields["2.sku"][0]
    bread.refresh_from_db()
    assert bread.stock == 3


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"sku": "A", "stock": 1}, {"non_field_errors"}),
        (["A"], {"0"}),
        ([{"sku": "A"}], {"0.stock"}),
        ([{"stock": 1}], {"0.sku"}),
        ([{"sku": "A", "stock": "12"}], {"0.stock"}),
        ([{"sku": "A", "stock": True}], {"0.stock"}),
        ([{"sku": "A", "stock": 1.5}], {"0.stock"}),
        ([{"sku": 12, "stock": 1}], {"0.sku"}),
        ([{"sku": "A", "stock": 1, "qty": 2}], {"0.qty"}),
        ([{"sku": "", "stock": 1}], {"0.sku"}),
        ([{"sku": "A" * 65, "stock": 1}], {"0.sku"}),
        ([{"sku": "A", "stock": 2**31}], {"0.stock"}),
    ],
)
def test_stock_sync_names_the_wrong_line(shop, token, body, fields):
    response = api(token).post(stock_url(shop), body, format="json")
    assert response.status_code == 400
    assert set(error_fields(response)) == fields


def test_a_whole_number_written_with_a_decimal_point_is_a_stock(shop, token):
    product = ProductFactory(merchant=shop, sku="A", stock=1)
    response = api(token).post(stock_url(shop), [{"sku": "A", "stock": 12.0}], format="json")
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.stock == 12


def test_more_than_10000_lines_is_413(shop, token):
    lines = [{"sku": f"R{n}", "stock": 1} for n in range(MAX_LINES + 1)]
    response = api(token).post(stock_url(shop), lines, format="json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_lines"


def test_many_wrong_lines_are_listed_up_to_a_limit(shop, token):
    lines = [{"sku": f"R{n}", "stock": -1} for n in range(500)]
    response = api(token).post(stock_url(shop), lines, format="json")
    fields = error_fields(response)
    assert len(fields) == 101
    assert "500 lines are wrong" in fields["non_field_errors"][0]


def _seed(shop, count):
    Product.objects.bulk_create(
        Product(
            merchant=shop,
            title=f"Produit {n}",
            slug=f"produit-{n}",
            sku=f"REF-{n:05}",
            price=Decimal("1.00"),
            stock=n % 7,
        )
        for n in range(count)
    )


def _sync(token, shop, count):
    lines = [{"sku": f"REF-{n:05}", "stock": n % 5} for n in range(count)]
    lines.append({"sku": "NOPE", "stock": 1})
    client = api(token)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(stock_url(shop), lines, format="json")
    assert response.status_code == 200, response.content
    return response.json(), queries.captured_queries


def test_10000_lines_in_a_number_of_queries_independent_of_their_number(shop, token):
    _seed(shop, MAX_LINES - 1)
    _sync(token, shop, 1)  # the token's first use of the minute writes its last use
    _small, small_queries = _sync(token, shop, 10)
    large, large_queries = _sync(token, shop, MAX_LINES - 1)
    assert len(small_queries) == len(large_queries) <= 12
    assert large["unknown_skus"] == ["NOPE"]
    assert large["updated"] + large["unchanged"] == MAX_LINES - 1
    expected = {f"REF-{n:05}": n % 5 for n in range(MAX_LINES - 1)}
    assert dict(Product.objects.filter(merchant=shop).values_list("sku", "stock")) == expected


def test_the_sync_only_touches_the_tokens_shop(shop, token):
    other = MerchantFactory()
    theirs = ProductFactory(merchant=other, sku="PAIN", stock=3)
    ours = ProductFactory(merchant=shop, sku="PAIN", stock=3)
    response = api(token).post(stock_url(shop), [{"sku": "PAIN", "stock": 0}], format="json")
    assert response.json()["updated"] == 1
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert (ours.stock, theirs.stock) == (0, 3)


def test_staff_tokens_write_too(shop):
    staff = UserFactory()
    MerchantMemberFactory(merchant=shop, user=staff, role=MerchantMember.Role.STAFF)
    token = MerchantTokenFactory(merchant=shop, created_by=staff)
    response = api(token).post(products_url(shop), {"title": "Pain", "price": "1"}, format="json")
    assert response.status_code == 201


def test_the_sync_emits_stock_changed_for_the_products_changed_only(
    shop, token, django_capture_on_commit_callbacks
):
    from partners.models import WebhookDelivery
    from tests.partners.factories import WebhookEndpointFactory

    WebhookEndpointFactory(collective=None, merchant=shop, events=["stock.changed"])
    changed = ProductFactory(merchant=shop, sku="A", stock=1)
    ProductFactory(merchant=shop, sku="B", stock=2)
    lines = [{"sku": "A", "stock": 5}, {"sku": "B", "stock": 2}]
    with django_capture_on_commit_callbacks(execute=False):
        response = api(token).post(stock_url(shop), lines, format="json")
    assert response.json()["updated"] == 1
    deliveries = list(WebhookDelivery.objects.filter(event_type="stock.changed"))
    assert [d.payload["data"]["id"] for d in deliveries] == [changed.pk]
    assert deliveries[0].payload["data"]["stock"] == 5


def test_a_token_over_its_rate_gets_429_with_retry_after(shop, token, settings):
    settings.HALLE_API_TOKEN_RATE_PER_MINUTE = 2
    client = api(token)
    for _call in range(2):
        assert client.post(stock_url(shop), [], format="json").status_code == 200
    response = client.post(stock_url(shop), [], format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1

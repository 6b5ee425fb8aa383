"""``Idempotency-Key`` on the API's writes: the first answer is replayed for 24 hours to the
same caller, the same key for another request is 422, a duplicate sent while the first is
still running is 409 (real concurrent requests), a failure frees the key, expired records are
purged."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Product
from partners import idempotency
from partners.api import views_write
from partners.models import IdempotencyRecord
from partners.tasks_idempotency import purge_expired_idempotency_records
from tests.factories import MerchantMemberFactory, ProductFactory
from tests.partners.factories import MerchantTokenFactory


@pytest.fixture
def member(db):
    return MerchantMemberFactory(role="owner")


@pytest.fixture
def shop(member):
    return member.merchant


@pytest.fixture
def token(member):
    return MerchantTokenFactory(merchant=member.merchant, created_by=member.user)


def client_for(token, key=None):
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token.plaintext}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    client.credentials(**headers)
    return client


def create(client, shop, body=None):
    body = body or {"title": "Pain de campagne", "price": "3.20"}
    return client.post(f"/api/v1/merchants/{shop.slug}/products/", body, format="json")


# --- Replays -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_first_answer_is_replayed_and_the_write_happens_once(shop, token):
    client = client_for(token, key="achat-42")
    first = create(client, shop)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    again = create(client, shop)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert Product.objects.filter(merchant=shop).count() == 1
    # The order of the keys or the spaces do not make another request.
    same = client.post(
        f"/api/v1/merchants/{shop.slug}/products/",
        '{ "price": "3.20",  "title": "Pain de campagne" }',
        content_type="application/json",
    )
    assert same.status_code == 201
    assert same["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_without_a_key_every_request_writes(shop, token):
    client = client_for(token)
    create(client, shop)
    create(client, shop)
    assert Product.objects.filter(merchant=shop).count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_the_same_key_for_another_request_is_422(shop, token):
    client = client_for(token, key="k-1")
    create(client, shop)
    response = create(client, shop, {"title": "Autre chose", "price": "1"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    # …and on another endpoint too: a key names one request.
    product = Product.objects.get()
    response = client.patch(f"/api/v1/products/{product.pk}/", {"price": "2"}, format="json")
    assert response.status_code == 422
    assert Product.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_caller(shop, token, member):
    other = MerchantTokenFactory(merchant=shop, created_by=member.user)
    assert create(client_for(token, key="k"), shop).status_code == 201
    response = create(client_for(other, key="k"), shop)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Product.objects.count() == 2


@pytest.mark.django_db
def test_an_error_answer_is_replayed_too(shop, token):
    client = client_for(token, key="k-400")
    first = create(client, shop, {"title": "Pain", "price": "-1"})
    assert first.status_code == 400
    again = create(client, shop, {"title": "Pain", "price": "-1"})
    assert again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


@pytest.mark.django_db
def test_stock_sync_is_replayed_not_applied_twice(shop, token):
    product = ProductFactory(merchant=shop, sku="A", stock=5)
    client = client_for(token, key="sync-1")
    url = f"/api/v1/merchants/{shop.slug}/stock/"
    first = client.post(url, [{"sku": "A", "stock": 2}], format="json")
    assert first.json() == {"updated": 1, "unchanged": 0, "unknown_skus": []}
    Product.objects.filter(pk=product.pk).update(stock=1)  # a sale meanwhile
    again = client.post(url, [{"sku": "A", "stock": 2}], format="json")
    assert again.json() == first.json()
    product.refresh_from_db()
    assert product.stock == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "x" * 201, "clé-accentuée", "tab\there"])
def test_an_invalid_key_is_400(shop, token, key):
    response = create(client_for(token, key=key), shop)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Product.objects.exists()


# --- Failures free the key ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_server_error_frees_the_key_and_writes_nothing(shop, token, monkeypatch):
    real_publish = views_write.catalog_services.product_publish

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views_write.catalog_services, "product_publish", broken)
    client = client_for(token, key="k-500")
    client.raise_request_exception = False
    body = {"title": "Pain", "price": "1", "status": "published"}
    assert create(client, shop, body).status_code == 500
    assert not IdempotencyRecord.objects.exists()
    assert not Product.objects.exists()  # created, then rolled back with the failure
    monkeypatch.setattr(views_write.catalog_services, "product_publish", real_publish)
    response = create(client, shop, body)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


# --- Expiry --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_after_24_hours_the_key_is_new_again(shop, token):
    client = client_for(token, key="k-day")
    create(client, shop)
    record = IdempotencyRecord.objects.get()
    lifetime = record.expires_at - record.created_at
    assert abs(lifetime - dt.timedelta(hours=24)) < dt.timedelta(seconds=1)
    IdempotencyRecord.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = create(client, shop)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Product.objects.count() == 2


@pytest.mark.django_db
def test_the_periodic_task_purges_expired_records_only(shop, token):
    now = timezone.now()
    for n, expires in enumerate([now - dt.timedelta(minutes=1), now + dt.timedelta(hours=1)]):
        IdempotencyRecord.objects.create(
            caller=f"token:{token.pk}",
            key=f"k{n}",
            request_fingerprint="f",
            state=IdempotencyRecord.State.DONE,
            expires_at=expires,
        )
    assert purge_expired_idempotency_records.apply().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k1"]


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_process_is_taken_over(shop, token):
    client = client_for(token, key="k-stale")
    create(client, shop)  # done: now pretend its process died before answering
    IdempotencyRecord.objects.update(
        state=IdempotencyRecord.State.IN_PROGRESS,
        response_status=None,
        created_at=timezone.now() - idempotency.STALE_AFTER - dt.timedelta(seconds=1),
    )
    Product.objects.all().delete()  # …and before its write committed
    response = create(client, shop)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.DONE


@pytest.mark.django_db
def test_a_fresh_claim_in_progress_is_409(shop, token):
    client = client_for(token, key="k-busy")
    create(client, shop)
    IdempotencyRecord.objects.update(state=IdempotencyRecord.State.IN_PROGRESS)
    response = create(client, shop)
    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "idempotency_in_progress"


# --- Concurrency ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_gets_409_then_the_replay(member, monkeypatch):
    """Two real requests on two connections: the second arrives while the first is inside
    its write (held there by the test), and gets 409; once the first has answered, the same
    request gets its answer replayed. One product."""
    shop = member.merchant
    token = MerchantTokenFactory(merchant=shop, created_by=member.user)
    inside, release = threading.Event(), threading.Event()
    real_create = views_write.catalog_services.product_create

    def slow_create(**kwargs):
        inside.set()
        assert release.wait(timeout=30)
        return real_create(**kwargs)

    monkeypatch.setattr(views_write.catalog_services, "product_create", slow_create)
    answers = {}

    def first():
        try:
            answers["first"] = create(client_for(token, key="dup"), shop)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        duplicate = create(client_for(token, key="dup"), shop)
    finally:
        release.set()
        thread.join(timeout=30)
    assert duplicate.status_code == 409
    assert duplicate["Retry-After"] == "1"
    assert answers["first"].status_code == 201
    replay = create(client_for(token, key="dup"), shop)
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == answers["first"].json()
    assert Product.objects.filter(merchant=shop).count() == 1


@pytest.mark.django_db
def test_a_replay_keeps_the_language_of_the_first_answer(shop, token):
    client = client_for(token, key="k-lang")
    first = client.post(
        f"/api/v1/merchants/{shop.slug}/products/",
        {"title": "Pain", "price": "-1"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert first["Content-Language"] == "fr"
    again = create(client, shop, {"title": "Pain", "price": "-1"})
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Language"] == "fr"
    assert again.json() == first.json()

"""Webhooks: who hears what (scope and subscriptions), the outbox written with the change,
the signed request received by a real HTTPS server on 127.0.0.1, retries with backoff for a
day then failure, resend, the sweep, and the refusal of private addresses."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import services as catalog
from collectives import services as collectives
from collectives.models import Event, Membership
from orders.models import GroupBuy
from orders.services import group_buys as group_buy_services
from orders.services import reservations as reservation_services
from partners import tasks
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.services import webhooks
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
    UserFactory,
)
from tests.orders.factories import GroupBuyFactory
from tests.partners import webhook_receiver
from tests.partners.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

# The real HTTPS receiver's fixtures.
certificate = webhook_receiver.certificate
receiver = webhook_receiver.receiver

ALL_EVENTS = [
    "product.created",
    "product.updated",
    "product.archived",
    "stock.changed",
    "groupbuy.closed",
    "reservation.created",
    "reservation.updated",
    "event.published",
    "event.updated",
    "event.cancelled",
]


def documented_verify():
    """The Python recipe of docs/webhooks.md, run as it is written there: the test checks
    the documentation, not a copy of it."""
    text = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    code = re.search(r"### Python\s+```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 (our own documentation)
    return namespace["verify_halle_signature"]


def shop_endpoint(merchant, events=ALL_EVENTS, **kwargs):
    return WebhookEndpointFactory(collective=None, merchant=merchant, events=events, **kwargs)


def collective_endpoint(collective, events=ALL_EVENTS, **kwargs):
    return WebhookEndpointFactory(collective=collective, events=events, **kwargs)


def heard(endpoint, event_type=None):
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    if event_type:
        deliveries = deliveries.filter(event_type=event_type)
    return list(deliveries.order_by("pk"))


@pytest.fixture
def no_queue(monkeypatch):
    """Record the tasks queued instead of sending them to the broker."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.send_webhook_delivery, "delay", queued.append)
    return queued


def make_delivery(endpoint, **kwargs):
    payload = {"id": "6f1c", "type": "product.updated", "created_at": "x", "data": {"id": 1}}
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="6f1c7a4e-9a1d-4c1e-8c0a-6a3f2b8f9c11",
        event_type="product.updated",
        payload={**payload, "id": "6f1c7a4e-9a1d-4c1e-8c0a-6a3f2b8f9c11"},
        **kwargs,
    )


# --- Who hears what -----------------------------------------------------------------------------


def test_a_shops_product_events_reach_its_own_endpoints_and_its_collectives_never_another_shop(
    owner,
):
    """Rule: a shop's product events go to the shop's subscribed, active endpoints and to
    those of the collectives it is an active member of — once the product has been public —
    never to another shop's, nor to a collective it is not (or no longer) an active member of."""
    shop = owner.shop
    mine = shop_endpoint(shop)
    not_subscribed = shop_endpoint(shop, events=["stock.changed"])
    disabled = shop_endpoint(shop, is_active=False)
    other_shop = shop_endpoint(MerchantMemberFactory().merchant)
    member_of = MembershipFactory(merchant=shop).collective
    collective = collective_endpoint(member_of)
    suspended_from = MembershipFactory(merchant=shop, status=Membership.Status.SUSPENDED)
    suspended = collective_endpoint(suspended_from.collective)
    elsewhere = collective_endpoint(CollectiveFactory())

    product = catalog.product_create(
        actor=owner, merchant=shop, title="Tomme de brebis", price=Decimal("6.80")
    )
    # A draft never published is the shop's business only.
    assert [d.event_type for d in heard(mine)] == ["product.created"]
    assert heard(collective) == []

    catalog.product_publish(actor=owner, product=product)
    assert [d.event_type for d in heard(mine)] == ["product.created", "product.updated"]
    assert [d.event_type for d in heard(collective)] == ["product.updated"]
    for endpoint in (not_subscribed, disabled, other_shop, suspended, elsewhere):
        assert heard(endpoint) == [], endpoint

    # The same event (same id) for every endpoint that hears it.
    assert heard(mine)[1].event_id == heard(collective)[0].event_id
    payload = heard(collective)[0].payload
    assert payload["type"] == "product.updated"
    assert payload["id"] == str(heard(collective)[0].event_id)
    assert payload["data"]["id"] == product.pk
    assert payload["data"]["merchant"] == shop.slug
    assert payload["data"]["price"] == "6.80"
    assert payload["data"]["currency"] == "EUR"
    assert payload["data"]["status"] == "published"
    assert payload["data"]["url"].endswith(f"/boutiques/{shop.slug}/{product.slug}/")
    assert payload["data"]["api_url"].endswith(f"/api/v1/products/{product.pk}/")


def test_every_product_change_has_its_event(owner):
    """Rule: create, update, publish, unpublish, archive, stock set/adjust, bulk actions and
    duplicates each emit their event."""
    shop = owner.shop
    endpoint = shop_endpoint(shop)
    product = ProductFactory(merchant=shop, stock=5)
    catalog.product_update(actor=owner, product=product, title="Nouveau titre")
    catalog.product_update(actor=owner, product=product, stock=7)
    catalog.product_set_stock(actor=owner, product=product, quantity=3)
    catalog.product_adjust_stock(actor=owner, product=product, delta=-1)
    catalog.product_unpublish(actor=owner, product=product)
    catalog.product_archive(actor=owner, product=product)
    catalog.product_duplicate(actor=owner, product=product)
    others = [ProductFactory(merchant=shop) for _ in range(3)]
    catalog.products_bulk_archive(actor=owner, merchant=shop, product_ids=[p.pk for p in others])
    assert [d.event_type for d in heard(endpoint)] == [
        "product.updated",
        "product.updated",
        "stock.changed",
        "stock.changed",
        "stock.changed",
        "product.updated",
        "product.archived",
        "product.created",
        "product.archived",
        "product.archived",
        "product.archived",
    ]
    stock_events = [d.payload["data"]["stock"] for d in heard(endpoint, "stock.changed")]
    assert stock_events == [7, 3, 2]
    archived = {d.payload["data"]["id"] for d in heard(endpoint, "product.archived")}
    assert archived == {product.pk, *(p.pk for p in others)}


def test_reservations_reach_the_shop_only(owner, customer):
    """Rule: reservation events go to the shop's endpoints only — never to a collective's,
    even one that subscribed to them — and each transition is one reservation.updated."""
    shop = owner.shop
    mine = shop_endpoint(shop)
    collective = collective_endpoint(MembershipFactory(merchant=shop).collective)
    product = ProductFactory(merchant=shop, stock=4)

    reservation = reservation_services.reservation_record(
        merchant=shop,
        customer=customer,
        lines=[reservation_services.LineRequest(product=product, quantity=2)],
        pickup_deadline=timezone.now() + dt.timedelta(days=1),
    )
    reservation_services.reservation_confirm(actor=owner, reservation=reservation)
    reservation_services.reservation_cancel(actor=owner, reservation=reservation, reason="")

    assert [d.event_type for d in heard(mine)] == [
        "stock.changed",  # the units taken
        "reservation.created",
        "reservation.updated",
        "stock.changed",  # given back
        "reservation.updated",
    ]
    created = heard(mine, "reservation.created")[0].payload["data"]
    assert created["code"] == reservation.code
    assert created["total"] == "9.00"
    assert created["lines"] == [
        {"product": product.pk, "title": product.title, "quantity": 2, "unit_price": "4.50"}
    ]
    assert "customer_email" not in created
    assert [d.payload["data"]["status"] for d in heard(mine, "reservation.updated")] == [
        "confirmed",
        "cancelled",
    ]
    # The collective hears the stock, never the reservations.
    assert {d.event_type for d in heard(collective)} == {"stock.changed"}


def test_a_collectives_events_reach_its_endpoints_only(owner):
    """Rule: event.* go to the collective's endpoints — not to its member shops', nor to
    another collective's; a draft's edits are nobody's news."""
    organiser = OrganiserFactory()
    collective = organiser.collective
    mine = collective_endpoint(collective)
    MembershipFactory(merchant=owner.shop, collective=collective)
    member_shop = shop_endpoint(owner.shop)
    other = collective_endpoint(CollectiveFactory())
    event = EventFactory(collective=collective, status=Event.Status.DRAFT, published_at=None)

    collectives.event_update(actor=organiser.user, event=event, title="Brouillon")
    collectives.event_publish(actor=organiser.user, event=event)
    collectives.event_update(actor=organiser.user, event=event, title="Marché de Noël")
    collectives.occurrence_cancel(actor=organiser.user, occurrence=event.occurrences.get())
    collectives.event_cancel(actor=organiser.user, event=event, reason="Tempête")

    assert [d.event_type for d in heard(mine)] == [
        "event.published",
        "event.updated",
        "event.updated",
        "event.cancelled",
    ]
    data = heard(mine, "event.cancelled")[0].payload["data"]
    assert (data["id"], data["collective"], data["status"]) == (
        event.pk,
        collective.slug,
        "cancelled",
    )
    assert data["cancellation_reason"] == "Tempête"
    assert heard(member_shop) == []
    assert heard(other) == []


def test_a_group_buy_that_closes_is_heard_by_its_shop_and_collectives(customer):
    """Rule: groupbuy.closed goes to the shop and to its collectives."""
    group_buy = GroupBuyFactory(deadline=timezone.now() - dt.timedelta(minutes=1))
    mine = shop_endpoint(group_buy.merchant)
    collective = collective_endpoint(MembershipFactory(merchant=group_buy.merchant).collective)
    group_buy_services.group_buy_close(group_buy_id=group_buy.pk)
    for endpoint in (mine, collective):
        (delivery,) = heard(endpoint)
        assert delivery.event_type == "groupbuy.closed"
        assert delivery.payload["data"]["status"] == GroupBuy.Status.FAILED


def test_a_change_nobody_listens_to_costs_one_query(owner):
    """Rule: the outbox costs a shop without endpoints one query per change, and builds no
    payload."""
    product = ProductFactory(merchant=owner.shop, stock=5)
    shop_endpoint(MerchantMemberFactory().merchant)  # somebody else's
    with CaptureQueriesContext(connection) as queries:
        catalog.product_stock_take(product_id=product.pk, quantity=1)
    endpoint_queries = [q for q in queries if "partners_webhookendpoint" in q["sql"]]
    assert len(endpoint_queries) == 1
    assert len(queries) == 2  # the conditional UPDATE, the lookup
    assert not WebhookDelivery.objects.exists()


def test_an_import_emits_one_event_per_product_with_a_few_queries_per_chunk(owner, monkeypatch):
    """Rule: a bulk import emits per product changed, with a bounded number of queries per
    chunk (not per row)."""
    from catalog.services import imports
    from tests.catalog.test_imports import many_rows, upload

    endpoint = shop_endpoint(owner.shop, events=["product.created"])
    monkeypatch.setattr(imports, "SYNC_MAX_ROWS", 5)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 10)
    # Confirmed, the job waits for its task (queued on a commit the test never makes).
    job = catalog.import_job_confirm(actor=owner, job=upload(owner, many_rows(25)))
    with CaptureQueriesContext(connection) as queries:
        catalog.import_job_apply(job_id=job.pk)
    assert len(heard(endpoint)) == 25
    assert {d.payload["data"]["sku"] for d in heard(endpoint)} == {f"R{n:04}" for n in range(25)}
    lookups = [q for q in queries if 'FROM "partners_webhookendpoint"' in q["sql"]]
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "partners_webhookdelivery"')]
    assert (len(lookups), len(inserts)) == (3, 3)  # one chunk of 10, 10, 5: each once


# --- The outbox and the queue --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_delivery_commits_with_the_change_and_vanishes_with_its_rollback(owner, no_queue):
    """Rule: the outbox row is written in the change's transaction — a rollback leaves
    neither — and its sending is queued only after the commit."""
    endpoint = shop_endpoint(owner.shop, events=["stock.changed"])
    product = ProductFactory(merchant=owner.shop, stock=5)

    inside: list[int] = []

    def change_then_fail() -> None:
        with transaction.atomic():
            catalog.product_set_stock(actor=owner, product=product, quantity=9)
            inside.append(len(heard(endpoint)))
            inside.append(len(no_queue))  # nothing queued before the commit
            raise RuntimeError("the request failed later")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert inside == [1, 0]
    product.refresh_from_db()
    assert product.stock == 5
    assert heard(endpoint) == []
    assert no_queue == []

    catalog.product_set_stock(actor=owner, product=product, quantity=9)
    (delivery,) = heard(endpoint)
    assert no_queue == [delivery.pk]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("pending", 0, None)


def test_emit_refuses_an_unknown_event():
    with pytest.raises(ValueError, match="unknown webhook event"):
        webhooks.emit(event_type="product.deleted", data={}, merchant=1)


# --- Sending ----------------------------------------------------------------------------------


def test_the_request_is_signed_and_verifies_with_the_documented_recipe(owner, receiver):
    """Rule: a delivery is a POST of the JSON payload with Halle-Event, Halle-Delivery and a
    Halle-Signature that the recipe of docs/webhooks.md accepts — and refuses once the body,
    the secret or the time is off."""
    endpoint = shop_endpoint(owner.shop, url=receiver.url)
    product = ProductFactory(merchant=owner.shop, title="Crème brûlée")
    catalog.product_update(actor=owner, product=product, price=Decimal("3.20"))
    (delivery,) = heard(endpoint)

    sent = webhooks.delivery_send(delivery_id=delivery.pk)

    assert (sent.status, sent.attempts, sent.last_status_code) == ("succeeded", 1, 200)
    assert sent.delivered_at is not None
    (request,) = receiver.requests
    assert request.path == "/hooks/halle?source=test"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Halle-Event"] == "product.updated"
    assert request.headers["Halle-Delivery"] == str(delivery.pk)
    body = json.loads(request.body)
    assert body == delivery.payload
    assert body["data"]["title"] == "Crème brûlée"  # UTF-8, as is

    verify = documented_verify()
    signature = request.headers["Halle-Signature"]
    assert verify(endpoint.secret, signature, request.body)
    assert not verify(endpoint.secret, signature, request.body.replace(b"3.20", b"0.01"))
    assert not verify("another secret", signature, request.body)
    timestamp = int(re.search(r"t=(\d+)", signature).group(1))
    assert abs(timestamp - timezone.now().timestamp()) < 60
    assert not verify(endpoint.secret, signature, request.body, now=timestamp + 301)
    assert verify(endpoint.secret, signature, request.body, now=timestamp + 299)


def test_a_failed_attempt_is_retried_with_backoff_then_failed_after_a_day(owner, receiver):
    """Rule: a non-2xx answer schedules the next attempt 1, 2, 4… minutes later (±10 %),
    each attempt carrying the same event id; after 24 hours the delivery is failed."""
    endpoint = shop_endpoint(owner.shop, url=receiver.url)
    delivery = make_delivery(endpoint)
    receiver.answer(500, 503, 500, 500, 502)
    start = timezone.now()

    first = webhooks.delivery_send(delivery_id=delivery.pk, now=start)
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert first.last_error.startswith("HTTP 500")
    assert (
        start + dt.timedelta(seconds=54)
        <= first.next_attempt_at
        <= start + dt.timedelta(seconds=66)
    )
    # Not due yet: nothing is sent.
    assert (
        webhooks.delivery_send(delivery_id=delivery.pk, now=start + dt.timedelta(seconds=30))
        is None
    )
    assert len(receiver.requests) == 1

    second_at = first.next_attempt_at
    second = webhooks.delivery_send(delivery_id=delivery.pk, now=second_at)
    assert (second.attempts, second.last_status_code) == (2, 503)
    wait = second.next_attempt_at - second_at
    assert dt.timedelta(seconds=108) <= wait <= dt.timedelta(seconds=132)

    third = webhooks.delivery_send(delivery_id=delivery.pk, now=second.next_attempt_at)
    assert third.attempts == 3
    assert (
        dt.timedelta(seconds=216)
        <= third.next_attempt_at - second.next_attempt_at
        <= dt.timedelta(seconds=264)
    )

    # Late in the day the wait is at most an hour and the last attempt falls on the deadline.
    deadline = delivery.created_at + dt.timedelta(hours=24)
    late = deadline - dt.timedelta(minutes=20)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=late, attempts=12)
    fourth = webhooks.delivery_send(delivery_id=delivery.pk, now=late)
    assert fourth.next_attempt_at == deadline
    last = webhooks.delivery_send(delivery_id=delivery.pk, now=deadline)
    assert (last.status, last.attempts, last.next_attempt_at) == ("failed", 14, None)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("failed", 502)
    # Every attempt was the same event: a receiver recognises a duplicate by its id.
    ids = {json.loads(r.body)["id"] for r in receiver.requests}
    assert ids == {str(delivery.event_id)}
    assert {r.headers["Halle-Delivery"] for r in receiver.requests} == {str(delivery.pk)}
    assert len(receiver.requests) == 5


def test_a_500_then_a_200_delivers(owner, receiver):
    """Rule: a retry that gets a 2xx marks the delivery delivered."""
    delivery = make_delivery(shop_endpoint(owner.shop, url=receiver.url))
    receiver.answer(500)
    first = webhooks.delivery_send(delivery_id=delivery.pk)
    second = webhooks.delivery_send(delivery_id=delivery.pk, now=first.next_attempt_at)
    assert (second.status, second.attempts, second.last_status_code) == ("succeeded", 2, 200)
    assert second.next_attempt_at is None


def test_a_redirect_is_not_followed(owner, receiver):
    """Rule: a 3xx is an answer, not an instruction: Halle does not follow it."""
    delivery = make_delivery(shop_endpoint(owner.shop, url=receiver.url))
    receiver.answer(302, headers={"Location": receiver.url.replace("/hooks", "/elsewhere")})
    sent = webhooks.delivery_send(delivery_id=delivery.pk)
    assert (sent.status, sent.last_status_code) == ("pending", 302)
    assert len(receiver.requests) == 1


def test_an_unreachable_address_is_retried(owner, receiver):
    """Rule: a connection error is a failure like any other, with the error in the log."""
    import socket

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    delivery = make_delivery(shop_endpoint(owner.shop, url=f"https://127.0.0.1:{port}/x"))
    sent = webhooks.delivery_send(delivery_id=delivery.pk)
    assert (sent.status, sent.attempts, sent.last_status_code) == ("pending", 1, None)
    assert "Refused" in sent.last_error or "refused" in sent.last_error


def test_the_task_sends_once_however_often_it_runs(owner, receiver):
    """Rule: send_webhook_delivery is idempotent: the attempt is claimed, so a second run
    (a duplicate message, the sweep's copy) sends nothing."""
    delivery = make_delivery(shop_endpoint(owner.shop, url=receiver.url))
    assert tasks.send_webhook_delivery(delivery.pk) == "succeeded"
    assert tasks.send_webhook_delivery(delivery.pk) is None
    assert len(receiver.requests) == 1


def test_a_delivery_claimed_by_another_worker_is_left_alone(owner, receiver):
    """Rule: a claim in progress (next attempt a lease ahead) keeps others away; no lock is
    held meanwhile."""
    delivery = make_delivery(shop_endpoint(owner.shop, url=receiver.url))
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=1, next_attempt_at=now + dt.timedelta(seconds=webhooks.CLAIM_SECONDS)
    )
    assert webhooks.delivery_send(delivery_id=delivery.pk, now=now) is None
    assert receiver.requests == []


def test_a_disabled_endpoint_gets_nothing_and_its_waiting_deliveries_fail(owner, receiver):
    endpoint = shop_endpoint(owner.shop, url=receiver.url)
    delivery = make_delivery(endpoint)
    webhooks.endpoint_disable(actor=owner, endpoint=endpoint)
    sent = webhooks.delivery_send(delivery_id=delivery.pk)
    assert (sent.status, sent.last_error) == ("failed", "The endpoint is disabled.")
    assert receiver.requests == []


def test_a_private_address_is_refused_at_sending_time_too(owner, receiver, settings):
    """Rule: the address actually connected to is checked at every request — a name that
    resolves to a private network since it was saved is not called."""
    delivery = make_delivery(shop_endpoint(owner.shop, url=receiver.url))
    settings.HALLE_WEBHOOKS_ALLOW_PRIVATE = False
    sent = webhooks.delivery_send(delivery_id=delivery.pk)
    assert (sent.status, sent.last_status_code) == ("pending", None)
    assert "private network" in sent.last_error
    assert receiver.requests == []


# --- Resend and sweep ------------------------------------------------------------------------


def test_resend_sends_a_finished_delivery_again(
    owner, receiver, no_queue, django_capture_on_commit_callbacks
):
    """Rule: « Resend » puts a delivered or failed delivery back to pending now, keeps its
    attempts and event id, and queues it after the commit; a pending one cannot be resent,
    and only the endpoint's owners may."""
    endpoint = shop_endpoint(owner.shop, url=receiver.url)
    delivery = make_delivery(endpoint, status="failed", attempts=14, last_status_code=500)

    with pytest.raises(PermissionDenied):
        webhooks.delivery_resend(actor=UserFactory(), delivery=delivery)
    staff = MerchantMemberFactory(merchant=owner.shop, role="staff").user
    with pytest.raises(PermissionDenied):
        webhooks.delivery_resend(actor=staff, delivery=delivery)

    with django_capture_on_commit_callbacks(execute=True):
        resent = webhooks.delivery_resend(actor=owner, delivery=delivery)
    assert (resent.status, resent.attempts) == ("pending", 14)
    assert no_queue == [delivery.pk]
    with pytest.raises(ValidationError) as refused:
        webhooks.delivery_resend(actor=owner, delivery=delivery)
    assert refused.value.error_list[0].code == "already_pending"

    sent = webhooks.delivery_send(delivery_id=delivery.pk)
    assert (sent.status, sent.attempts, sent.last_status_code) == ("succeeded", 15, 200)
    assert json.loads(receiver.requests[0].body)["id"] == str(delivery.event_id)

    # A delivered one can be resent too; an old event that fails again is failed at once.
    webhooks.delivery_resend(actor=owner, delivery=delivery)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    receiver.answer(500)
    again = webhooks.delivery_send(delivery_id=delivery.pk)
    assert (again.status, again.attempts, again.last_status_code) == ("failed", 16, 500)


def test_a_disabled_endpoints_delivery_cannot_be_resent(owner):
    endpoint = shop_endpoint(owner.shop, is_active=False)
    delivery = make_delivery(endpoint, status="failed")
    with pytest.raises(ValidationError):
        webhooks.delivery_resend(actor=owner, delivery=delivery)


def test_the_sweep_queues_due_retries_and_lost_deliveries(owner, no_queue):
    """Rule: every minute the sweep queues retries that are due and pending deliveries never
    tried after a few minutes (their task was lost) — not fresh ones, not future retries, not
    finished ones — and trims the log after 30 days."""
    endpoint = shop_endpoint(owner.shop)
    now = timezone.now()
    due = make_delivery(endpoint, attempts=2, next_attempt_at=now - dt.timedelta(seconds=5))
    later = make_delivery(endpoint, attempts=2, next_attempt_at=now + dt.timedelta(minutes=3))
    fresh = make_delivery(endpoint)
    lost = make_delivery(endpoint)
    done = make_delivery(endpoint, status="succeeded")
    old = make_delivery(endpoint, status="failed")
    WebhookDelivery.objects.filter(pk__in=[lost.pk, done.pk]).update(
        created_at=now - dt.timedelta(minutes=10)
    )
    WebhookDelivery.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=31))

    assert tasks.sweep_webhook_deliveries() == 2
    assert sorted(no_queue) == sorted([due.pk, lost.pk])
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {
        due.pk,
        later.pk,
        fresh.pk,
        lost.pk,
        done.pk,
    }


# --- Endpoints --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.8.9.10:8443/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.1/hook",
        "https://172.31.255.254/hook",
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://localhost/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_a_private_address_is_refused(owner, settings, url):
    """Rule: Halle never calls its own network: addresses resolving to loopback, private or
    link-local ranges are refused (unless HALLE_WEBHOOKS_ALLOW_PRIVATE)."""
    settings.HALLE_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        webhooks.endpoint_create(
            actor=owner, merchant=owner.shop, url=url, events=["product.created"]
        )
    assert refused.value.error_dict["url"][0].code == "private_address"
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://partenaire.example.org/hook", "not_https"),
        ("ftp://partenaire.example.org/hook", "not_https"),
        ("https:///hook", "invalid"),
        ("https://user:pass@partenaire.example.org/hook", "credentials"),
        ("https://partenaire.example.org:99999/hook", "invalid"),
    ],
)
def test_an_address_must_be_plain_https(owner, settings, url, code):
    settings.HALLE_WEBHOOKS_ALLOW_PRIVATE = True  # the checks below come first anyway
    with pytest.raises(ValidationError) as refused:
        webhooks.endpoint_create(
            actor=owner, merchant=owner.shop, url=url, events=["product.created"]
        )
    assert refused.value.error_dict["url"][0].code == code


def test_a_public_address_passes(owner, settings):
    settings.HALLE_WEBHOOKS_ALLOW_PRIVATE = False
    assert webhooks.validate_endpoint_url(" https://93.184.215.14/hook ") == (
        "https://93.184.215.14/hook"
    )
    assert webhooks.address_is_public("2606:4700::1111")
    assert not webhooks.address_is_public("100.64.0.1")  # carrier-grade NAT
    assert not webhooks.address_is_public("224.0.0.1")


def test_owners_and_organisers_manage_their_endpoints_with_a_secret_they_can_rotate(
    owner, settings
):
    """Rule: a shop's owners (not its staff, not strangers) register its endpoints; a
    collective's organisers register the collective's, without reservation events; each
    endpoint gets a fresh secret, which can be rotated."""
    settings.HALLE_WEBHOOKS_ALLOW_PRIVATE = True
    url = "https://caisse.example.org/halle"
    staff = MerchantMemberFactory(merchant=owner.shop, role="staff").user
    with pytest.raises(PermissionDenied):
        webhooks.endpoint_create(actor=staff, merchant=owner.shop, url=url, events=ALL_EVENTS[:1])
    endpoint = webhooks.endpoint_create(
        actor=owner,
        merchant=owner.shop,
        url=url,
        events=["reservation.created", "product.created", "product.created"],
        description=" Caisse ",
    )
    assert endpoint.events == ["product.created", "reservation.created"]
    assert endpoint.description == "Caisse"
    assert endpoint.secret.startswith("whsec_")
    assert len(endpoint.secret) > 40
    before = endpoint.secret
    webhooks.endpoint_rotate_secret(actor=owner, endpoint=endpoint)
    assert endpoint.secret != before

    organiser = OrganiserFactory(role="organiser")
    with pytest.raises(ValidationError) as refused:
        webhooks.endpoint_create(
            actor=organiser.user,
            collective=organiser.collective,
            url=url,
            events=["event.published", "reservation.updated"],
        )
    assert refused.value.error_dict["events"][0].code == "unknown"
    with pytest.raises(PermissionDenied):
        webhooks.endpoint_create(
            actor=organiser.user,
            collective=CollectiveFactory(),
            url=url,
            events=["event.published"],
        )
    with pytest.raises(PermissionDenied):
        webhooks.endpoint_update(
            actor=organiser.user, endpoint=endpoint, url=url, events=["product.created"]
        )
    webhooks.endpoint_delete(actor=owner, endpoint=endpoint)
    assert not WebhookEndpoint.objects.exists()


def test_an_owner_has_at_most_ten_endpoints(owner, settings):
    settings.HALLE_WEBHOOKS_ALLOW_PRIVATE = True
    for n in range(webhooks.MAX_ENDPOINTS):
        shop_endpoint(owner.shop, url=f"https://h{n}.example.org/")
    with pytest.raises(ValidationError) as refused:
        webhooks.endpoint_create(
            actor=owner, merchant=owner.shop, url="https://x.example.org/", events=["stock.changed"]
        )
    assert refused.value.error_list[0].code == "too_many"

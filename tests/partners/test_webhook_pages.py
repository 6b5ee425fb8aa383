"""The webhook pages of the organiser space and of « Mon commerce »: scope (404 out of it,
403 for a shop's staff), the endpoint form, secret rotation, disable/enable/delete, the
delivery log with its answer codes and « Resend », and constant query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners import tasks
from partners.models import WebhookDelivery, WebhookEndpoint
from tests.factories import CollectiveFactory, MerchantMemberFactory, OrganiserFactory
from tests.partners.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

ORGANISER = "organiser_partners:organiser_webhooks"
SHOP = "shop_partners:shop_webhooks"


def organiser_url(name, collective, **kwargs):
    return reverse(f"{ORGANISER}:{name}", kwargs={"collective_slug": collective.slug, **kwargs})


def shop_url(name, merchant, **kwargs):
    return reverse(f"{SHOP}:{name}", kwargs={"merchant_slug": merchant.slug, **kwargs})


def english(url):
    return "/en" + url


@pytest.fixture
def organiser(client):
    seat = OrganiserFactory(role="organiser")
    client.force_login(seat.user)
    return seat


@pytest.fixture
def shop_owner(client, owner):
    client.force_login(owner)
    return owner


@pytest.fixture(autouse=True)
def _private_allowed(settings):
    settings.HALLE_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def no_queue(monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(tasks.send_webhook_delivery, "delay", queued.append)
    return queued


def delivery(endpoint, **kwargs):
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="6f1c7a4e-9a1d-4c1e-8c0a-6a3f2b8f9c11",
        event_type=kwargs.pop("event_type", "product.updated"),
        payload={"id": "6f1c7a4e-9a1d-4c1e-8c0a-6a3f2b8f9c11", "data": {"title": "Tomme"}},
        **kwargs,
    )


# --- Scope -------------------------------------------------------------------------------------


def test_the_pages_need_a_log_in(client):
    collective = CollectiveFactory()
    response = client.get(organiser_url("list", collective))
    assert response.status_code == 302
    assert "/compte/" in response["Location"]


def test_an_organiser_sees_only_the_endpoints_of_the_collectives_they_run(client, organiser):
    """Rule: another collective's webhooks answer 404 (their existence is not revealed),
    and so does an endpoint of another collective or of a shop under this one's address."""
    other = CollectiveFactory()
    assert client.get(organiser_url("list", other)).status_code == 404
    theirs = WebhookEndpointFactory(collective=other)
    shops = WebhookEndpointFactory(collective=None, merchant=MerchantMemberFactory().merchant)
    for endpoint in (theirs, shops):
        url = organiser_url("detail", organiser.collective, endpoint_id=endpoint.pk)
        assert client.get(url).status_code == 404
        rotate = organiser_url("rotate", organiser.collective, endpoint_id=endpoint.pk)
        assert client.post(rotate).status_code == 404
    mine = WebhookEndpointFactory(collective=organiser.collective)
    foreign_delivery = delivery(theirs, status="failed")
    url = organiser_url(
        "resend", organiser.collective, endpoint_id=mine.pk, delivery_id=foreign_delivery.pk
    )
    assert client.post(url).status_code == 404
    foreign_delivery.refresh_from_db()
    assert foreign_delivery.status == "failed"


def test_a_shops_webhooks_are_for_its_owners(client, owner):
    """Rule: a shop's owners manage its webhooks; its staff get a 403, other shops a 404."""
    staff = MerchantMemberFactory(merchant=owner.shop, role="staff").user
    client.force_login(staff)
    assert client.get(shop_url("list", owner.shop)).status_code == 403
    stranger = MerchantMemberFactory(role="owner").user
    client.force_login(stranger)
    assert client.get(shop_url("list", owner.shop)).status_code == 404
    client.force_login(owner)
    assert client.get(shop_url("list", owner.shop)).status_code == 200


# --- Registering an address ------------------------------------------------------------------


def test_an_organiser_registers_an_address_without_reservation_events(client, organiser):
    """Rule: the form offers a collective every event but reservations; the new endpoint's
    page shows its signing secret."""
    form = client.get(english(organiser_url("create", organiser.collective)))
    assert form.status_code == 200
    offered = {value for value, _label in form.context["form"].fields["events"].choices}
    assert offered == {
        "product.created",
        "product.updated",
        "product.archived",
        "stock.changed",
        "event.published",
        "event.updated",
        "event.cancelled",
        "groupbuy.closed",
    }
    assert b'value="reservation.created"' not in form.content

    response = client.post(
        organiser_url("create", organiser.collective),
        {
            "url": "https://mairie.example.org/agenda/halle",
            "description": "Site de la mairie",
            "events": ["event.published", "event.cancelled"],
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        organiser_url("detail", organiser.collective, endpoint_id=endpoint.pk) + "#secret"
    )
    assert (endpoint.collective, endpoint.merchant) == (organiser.collective, None)
    assert endpoint.events == ["event.published", "event.cancelled"]
    assert endpoint.created_by == organiser.user
    page = client.get(response["Location"])
    assert endpoint.secret in page.content.decode()


def test_a_shop_owner_can_subscribe_to_reservations(client, shop_owner):
    form = client.get(shop_url("create", shop_owner.shop))
    assert b'value="reservation.created"' in form.content
    response = client.post(
        shop_url("create", shop_owner.shop),
        {"url": "https://caisse.example.org/halle", "events": ["reservation.created"]},
    )
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().merchant == shop_owner.shop


def test_a_wrong_address_is_shown_next_to_its_field_and_nothing_is_lost(
    client, shop_owner, settings
):
    """Rule: the service's errors come back next to the field, with what was typed."""
    settings.HALLE_WEBHOOKS_ALLOW_PRIVATE = False
    response = client.post(
        english(shop_url("create", shop_owner.shop)),
        {
            "url": "https://192.168.1.10/halle",
            "description": "Caisse",
            "events": ["stock.changed"],
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["url"] == [
        "This address points to a private network: Halle only calls public sites."
    ]
    content = response.content.decode()
    assert 'value="https://192.168.1.10/halle"' in content
    assert re.search(r'<input[^>]*value="stock.changed"[^>]*checked', content)
    assert not WebhookEndpoint.objects.exists()
    nothing = client.post(shop_url("create", shop_owner.shop), {"url": "https://a.example.org/"})
    assert nothing.context["form"].errors["events"]


def test_edit_rotate_disable_enable_delete(client, organiser):
    """Rule: organisers edit their endpoint, make a new secret, disable and enable it, and
    delete it with its log."""
    endpoint = WebhookEndpointFactory(collective=organiser.collective, events=["event.published"])
    delivery(endpoint, status="succeeded", last_status_code=200)
    kwargs = {"endpoint_id": endpoint.pk}
    detail = organiser_url("detail", organiser.collective, **kwargs)

    edit = client.post(
        organiser_url("edit", organiser.collective, **kwargs),
        {"url": "https://nouveau.example.org/hook", "events": ["event.updated"]},
    )
    assert edit.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == (
        "https://nouveau.example.org/hook",
        ["event.updated"],
    )

    before = endpoint.secret
    assert client.get(organiser_url("rotate", organiser.collective, **kwargs)).status_code == 405
    response = client.post(organiser_url("rotate", organiser.collective, **kwargs))
    assert response["Location"] == detail + "#secret"
    endpoint.refresh_from_db()
    assert endpoint.secret != before
    assert endpoint.secret in client.get(detail).content.decode()

    client.post(organiser_url("disable", organiser.collective, **kwargs))
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    page = client.get(detail).content.decode()
    assert 'id="enable-endpoint"' in page
    assert "data-resend" not in page  # nothing is resent to a disabled address
    client.post(organiser_url("enable", organiser.collective, **kwargs))
    endpoint.refresh_from_db()
    assert endpoint.is_active

    response = client.post(organiser_url("delete", organiser.collective, **kwargs))
    assert response["Location"] == organiser_url("list", organiser.collective)
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


# --- The delivery log -------------------------------------------------------------------------


def test_the_log_shows_answers_and_resends(
    client, shop_owner, no_queue, django_capture_on_commit_callbacks
):
    """Rule: the log lists each delivery with its status, attempts and last answer code;
    delivered and failed ones have a « Resend » button that queues them again."""
    endpoint = WebhookEndpointFactory(collective=None, merchant=shop_owner.shop)
    failed = delivery(endpoint, status="failed", attempts=14, last_status_code=503)
    ok = delivery(endpoint, status="succeeded", attempts=1, last_status_code=204)
    waiting = delivery(
        endpoint, status="pending", attempts=1, last_error="ConnectionRefusedError: refused"
    )
    detail = shop_url("detail", shop_owner.shop, endpoint_id=endpoint.pk)

    response = client.get(english(detail))
    assert response.status_code == 200
    content = response.content.decode()
    assert response.context["nav"] == "api"
    rows = {d.pk: d for d in response.context["deliveries"]}
    assert set(rows) == {failed.pk, ok.pk, waiting.pk}
    assert "<td data-code>503</td>" in content
    assert "<td data-code>204</td>" in content
    assert "ConnectionRefusedError" in content
    assert content.count("data-resend") == 2
    assert rows[waiting.pk].resend_url not in content

    filtered = client.get(detail, {"status": "failed"})
    assert [d.pk for d in filtered.context["deliveries"]] == [failed.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            shop_url("resend", shop_owner.shop, endpoint_id=endpoint.pk, delivery_id=failed.pk),
            {"status": "failed"},
        )
    assert response.status_code == 302
    assert response["Location"] == detail + "?status=failed"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 14)
    assert no_queue == [failed.pk]

    # A pending one is not resent twice: the page says why.
    again = client.post(
        english(
            shop_url("resend", shop_owner.shop, endpoint_id=endpoint.pk, delivery_id=failed.pk)
        ),
        follow=True,
    )
    assert "already waiting" in again.content.decode()
    assert no_queue == [failed.pk]


def test_a_delivery_page_shows_the_body_sent(client, shop_owner):
    endpoint = WebhookEndpointFactory(collective=None, merchant=shop_owner.shop)
    sent = delivery(endpoint, status="succeeded", last_status_code=200)
    response = client.get(
        shop_url("delivery", shop_owner.shop, endpoint_id=endpoint.pk, delivery_id=sent.pk)
    )
    assert response.status_code == 200
    assert "&quot;title&quot;: &quot;Tomme&quot;" in response.content.decode()  # escaped JSON
    other = WebhookEndpointFactory(collective=None, merchant=shop_owner.shop)
    wrong = shop_url("delivery", shop_owner.shop, endpoint_id=other.pk, delivery_id=sent.pk)
    assert client.get(wrong).status_code == 404


# --- Query counts ------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_of_endpoints_costs_the_same_for_2_or_10(client, organiser):
    """Rule: the list reads its endpoints and their figures in one query, whatever their
    number."""

    def add(count):
        for _ in range(count):
            endpoint = WebhookEndpointFactory(collective=organiser.collective)
            delivery(endpoint, status="failed")
            delivery(endpoint, status="pending")

    url = organiser_url("list", organiser.collective)
    add(2)
    small = count_queries(client, url)
    add(8)
    large = count_queries(client, url)
    assert small == large
    assert small <= 8


def test_the_delivery_log_costs_the_same_for_5_or_60_deliveries(client, shop_owner):
    endpoint = WebhookEndpointFactory(collective=None, merchant=shop_owner.shop)
    url = shop_url("detail", shop_owner.shop, endpoint_id=endpoint.pk)
    for _ in range(5):
        delivery(endpoint, status="failed", last_status_code=500)
    small = count_queries(client, url)
    for _ in range(55):
        delivery(endpoint, status="succeeded", last_status_code=200)
    large = count_queries(client, url)
    assert small == large
    assert small <= 10

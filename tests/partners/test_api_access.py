"""Access to the partner API: partner keys (missing, unknown, revoked, a collective's scope,
the platform's), rate limits (anonymous per address, per key, 429 with Retry-After), CORS
(a key's allowed origins, open anonymous reads, preflights), the error body and the routing
of one path to a view per method."""

import hashlib
import json

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from partners.api.base import by_method
from partners.api.views import CollectiveListView
from partners.models import PartnerKey
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    ProductFactory,
    StoryFactory,
)
from tests.partners.factories import PartnerKeyFactory

pytestmark = pytest.mark.django_db

ORIGIN = "https://www.mairie-exemple.fr"


def api(name, *args):
    return reverse(f"api:{name}", args=args)


def keyed(key):
    return {"HTTP_AUTHORIZATION": f"Api-Key {key.plaintext}"}


def error_of(response):
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


@pytest.fixture
def town():
    """Two active collectives, each with a member shop, a product, an event and a story."""
    data = {}
    for name in ("a", "b"):
        collective = CollectiveFactory(slug=f"collectif-{name}")
        shop = MerchantFactory(slug=f"boutique-{name}")
        MembershipFactory(collective=collective, merchant=shop)
        data[name] = {
            "collective": collective,
            "shop": shop,
            "product": ProductFactory(merchant=shop),
            "event": EventFactory(collective=collective),
            "story": StoryFactory(merchant=shop),
        }
    return data


def every_read_url(part):
    collective, shop = part["collective"].slug, part["shop"].slug
    return [
        api("collective_detail", collective),
        api("collective_merchants", collective),
        api("collective_products", collective),
        api("collective_events", collective),
        api("collective_stories", collective),
        api("merchant_detail", shop),
        api("merchant_products", shop),
        api("product_detail", part["product"].pk),
        api("event_detail", part["event"].pk),
    ]


# --- Keys ----------------------------------------------------------------------------------


def test_reads_need_no_key(client, town):
    for url in [api("collective_list"), *every_read_url(town["a"])]:
        assert client.get(url).status_code == 200, url


def test_an_unknown_key_answers_401_with_the_error_body(client, town):
    response = client.get(api("collective_list"), HTTP_AUTHORIZATION="Api-Key hk_nope")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Api-Key")
    assert error_of(response)["code"] == "authentication_failed"


def test_a_malformed_authorization_answers_401(client, town):
    response = client.get(api("collective_list"), HTTP_AUTHORIZATION="Api-Key")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_a_revoked_key_answers_401_and_never_falls_back_to_anonymous(client, town):
    key = PartnerKeyFactory(collective=None)
    assert client.get(api("collective_list"), **keyed(key)).status_code == 200
    PartnerKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    response = client.get(api("collective_list"), **keyed(key))
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_only_the_hash_of_a_key_is_looked_up(client, town):
    key = PartnerKeyFactory(collective=None)
    assert key.key_hash == hashlib.sha256(key.plaintext.encode()).hexdigest()
    assert key.plaintext not in {key.prefix, key.key_hash, key.name}


def test_a_collective_key_reads_its_collective_and_nothing_else(client, town):
    key = PartnerKeyFactory(collective=town["a"]["collective"])
    for url in every_read_url(town["a"]):
        assert client.get(url, **keyed(key)).status_code == 200, url
    for url in every_read_url(town["b"]):
        response = client.get(url, **keyed(key))
        assert response.status_code == 404, url
        assert error_of(response)["code"] == "not_found"
    listed = client.get(api("collective_list"), **keyed(key)).json()["results"]
    assert [c["slug"] for c in listed] == ["collectif-a"]


def test_a_platform_key_reads_every_active_collective(client, town):
    CollectiveFactory(slug="brouillon", status="draft")
    key = PartnerKeyFactory(collective=None)
    for part in (town["a"], town["b"]):
        for url in every_read_url(part):
            assert client.get(url, **keyed(key)).status_code == 200, url
    listed = client.get(api("collective_list"), **keyed(key)).json()["results"]
    assert {c["slug"] for c in listed} == {"collectif-a", "collectif-b"}


def test_a_key_of_an_archived_collective_reads_nothing(client, town):
    collective = town["a"]["collective"]
    key = PartnerKeyFactory(collective=collective)
    collective.status = "archived"
    collective.save()
    for url in every_read_url(town["a"]):
        assert client.get(url, **keyed(key)).status_code == 404, url
    assert client.get(api("collective_list"), **keyed(key)).json()["results"] == []


def test_a_draft_collective_is_readable_by_nobody(client, town):
    collective = town["b"]["collective"]
    collective.status = "draft"
    collective.save()
    platform = PartnerKeyFactory(collective=None)
    for headers in ({}, keyed(platform)):
        for name in ("collective_detail", "collective_products", "collective_events"):
            assert client.get(api(name, "collectif-b"), **headers).status_code == 404


def test_a_key_in_use_records_when_it_was_last_used(client, town):
    key = PartnerKeyFactory(collective=None)
    assert key.last_used_at is None
    client.get(api("collective_list"), **keyed(key))
    key.refresh_from_db()
    assert key.last_used_at is not None


# --- Rate limits ---------------------------------------------------------------------------


class FrozenClock:
    """One instant for the throttle: the test never straddles a one-minute window."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def frozen_clock(monkeypatch):
    clock = FrozenClock(1_800_000_015.0)  # 15 s into a window
    monkeypatch.setattr("partners.api.throttling.time", clock)
    return clock


def test_anonymous_callers_are_limited_per_address_with_retry_after(
    client, settings, town, frozen_clock
):
    settings.HALLE_API_ANONYMOUS_RATE_PER_MINUTE = 3
    url = api("collective_list")
    for _ in range(3):
        assert client.get(url, REMOTE_ADDR="10.0.0.1").status_code == 200
    response = client.get(url, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert response["Retry-After"] == "45"
    assert error_of(response)["code"] == "throttled"
    # Another address has its own allowance; a forged X-Forwarded-For is not believed.
    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200
    forged = client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.9")
    assert forged.status_code == 429
    # The next window starts afresh.
    frozen_clock.now += 60
    assert client.get(url, REMOTE_ADDR="10.0.0.1").status_code == 200


def test_a_key_has_its_own_rate_whatever_the_address(client, settings, town, frozen_clock):
    settings.HALLE_API_ANONYMOUS_RATE_PER_MINUTE = 1
    key = PartnerKeyFactory(collective=None, rate_per_minute=2)
    url = api("collective_list")
    assert client.get(url, REMOTE_ADDR="10.0.0.1", **keyed(key)).status_code == 200
    assert client.get(url, REMOTE_ADDR="10.0.0.2", **keyed(key)).status_code == 200
    limited = client.get(url, REMOTE_ADDR="10.0.0.3", **keyed(key))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) == 45
    # The anonymous allowance of the address is counted apart.
    assert client.get(url, REMOTE_ADDR="10.0.0.1").status_code == 200


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(
    client, settings, town, frozen_clock
):
    settings.HALLE_API_ANONYMOUS_RATE_PER_MINUTE = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    url = api("collective_list")
    proxy = {"REMOTE_ADDR": "10.0.0.254"}
    assert client.get(url, HTTP_X_FORWARDED_FOR="192.0.2.1", **proxy).status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="192.0.2.2", **proxy).status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="192.0.2.1", **proxy).status_code == 429


# --- CORS ----------------------------------------------------------------------------------


def test_a_keys_allowed_origin_may_read_the_answer(client, town):
    key = PartnerKeyFactory(collective=None, allowed_origins=[ORIGIN])
    response = client.get(api("collective_list"), HTTP_ORIGIN=ORIGIN, **keyed(key))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response["Vary"]
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_another_origin_gets_no_cors_header_with_a_key(client, town):
    key = PartnerKeyFactory(collective=None, allowed_origins=[ORIGIN])
    response = client.get(
        api("collective_list"), HTTP_ORIGIN="https://ailleurs.example", **keyed(key)
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_anonymous_reads_are_open_to_every_origin_without_credentials(client, town):
    response = client.get(api("collective_list"), HTTP_ORIGIN="https://ailleurs.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_a_preflight_from_an_allowed_origin_may_send_the_key(client, town):
    PartnerKeyFactory(collective=None, allowed_origins=[ORIGIN])
    response = client.options(
        api("collective_events", "collectif-a"),
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert int(response["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response


def test_a_preflight_from_another_origin_may_not_send_a_key(client, town):
    PartnerKeyFactory(collective=None, allowed_origins=[ORIGIN])
    PartnerKeyFactory(
        collective=None, allowed_origins=["https://revoquee.example"], revoked_at=timezone.now()
    )
    for origin in ("https://ailleurs.example", "https://revoquee.example"):
        response = client.options(
            api("collective_list"),
            HTTP_ORIGIN=origin,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        )
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Authorization" not in response["Access-Control-Allow-Headers"]


def test_pages_outside_the_api_get_no_cors_header(client, town):
    response = client.get("/", HTTP_ORIGIN="https://ailleurs.example")
    assert "Access-Control-Allow-Origin" not in response


# --- Errors and routing --------------------------------------------------------------------


def test_an_unknown_api_address_answers_the_json_404(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    error = error_of(response)
    assert (error["code"], error["fields"]) == ("not_found", {})


def test_writing_to_a_read_endpoint_answers_405_with_the_error_body(client, town):
    response = client.post(api("collective_list"), {}, content_type="application/json")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_a_method_whose_view_is_not_written_yet_answers_405(rf: RequestFactory, town):
    view = by_method({"GET": CollectiveListView, "POST": "partners.api.not_written_yet.View"})
    assert view(rf.get("/api/v1/collectives/")).status_code == 200
    response = view(rf.post("/api/v1/collectives/", {}, content_type="application/json"))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert json.loads(response.content)["error"]["code"] == "method_not_allowed"


def test_messages_are_english_unless_french_is_preferred(client, town):
    url = api("collective_products", "collectif-a")
    english = client.get(url, {"min_price": "abc"})
    assert english["Content-Language"] == "en"
    assert english.json()["error"]["fields"]["min_price"] == ["A valid number is required."]
    french = client.get(url, {"min_price": "abc"}, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert french["Content-Language"] == "fr"
    assert french.json()["error"]["code"] == "validation_error"  # codes never change
    assert (
        french.json()["error"]["fields"]["min_price"]
        != english.json()["error"]["fields"]["min_price"]
    )


def test_any_address_below_v1_answers_json_even_with_odd_characters(client):
    response = client.get("/api/v1/collectives/%0A%C3%BA/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"

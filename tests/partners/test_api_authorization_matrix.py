"""Who gets what from each endpoint of the API contract: one table, endpoint → the status of
each caller, over a town of two collectives (A with shop A, B with shop B).

The rules the table protects:
- Reads are public: anonymous callers read every active collective. A collective's partner
  key reads its own collective only — anything of another collective is 404, as if it did
  not exist. A shop's token is no read credential: the read endpoints ignore ``Bearer`` and
  answer as to an anonymous caller.
- Writes need a shop's token, and write only in its shop: without credentials 401, with a
  partner key (read-only) 403, with another shop's token 404 (the shop is out of its scope).
  Never a 2xx for anyone but shop A's own token.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    ProductFactory,
    StoryFactory,
)
from tests.partners.factories import MerchantTokenFactory, PartnerKeyFactory

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", "key_a", "key_b", "token_a", "token_b")

# Every endpoint of the contract, on A's data: (method, path with {collective} {shop}
# {product} {event} of town A, JSON body of a write).
ENDPOINTS: dict[str, tuple[str, str, Any]] = {
    "collective list": ("get", "/api/v1/collectives/", None),
    "collective detail": ("get", "/api/v1/collectives/{collective}/", None),
    "collective merchants": ("get", "/api/v1/collectives/{collective}/merchants/", None),
    "collective products": ("get", "/api/v1/collectives/{collective}/products/", None),
    "collective events": ("get", "/api/v1/collectives/{collective}/events/", None),
    "collective stories": ("get", "/api/v1/collectives/{collective}/stories/", None),
    "merchant detail": ("get", "/api/v1/merchants/{shop}/", None),
    "merchant products": ("get", "/api/v1/merchants/{shop}/products/", None),
    "product detail": ("get", "/api/v1/products/{product}/", None),
    "event detail": ("get", "/api/v1/events/{event}/", None),
    "product create": (
        "post",
        "/api/v1/merchants/{shop}/products/",
        {"title": "Pain de campagne", "price": "4.20"},
    ),
    "product update": ("patch", "/api/v1/products/{product}/", {"stock": 7}),
    "stock sync": ("post", "/api/v1/merchants/{shop}/stock/", []),
}

# The list of collectives names no collective: everyone gets it (B's key gets B only).
PUBLIC_LIST = {"anonymous": 200, "key_a": 200, "key_b": 200, "token_a": 200, "token_b": 200}
# Anything of collective A: hidden from B's key only.
READ_OF_A = {"anonymous": 200, "key_a": 200, "key_b": 404, "token_a": 200, "token_b": 200}


def write_of_a(success: int) -> dict[str, int]:
    return {"anonymous": 401, "key_a": 403, "key_b": 403, "token_a": success, "token_b": 404}


EXPECTED: dict[str, dict[str, int]] = {
    "collective list": PUBLIC_LIST,
    "collective detail": READ_OF_A,
    "collective merchants": READ_OF_A,
    "collective products": READ_OF_A,
    "collective events": READ_OF_A,
    "collective stories": READ_OF_A,
    "merchant detail": READ_OF_A,
    "merchant products": READ_OF_A,
    "product detail": READ_OF_A,
    "event detail": READ_OF_A,
    "product create": write_of_a(201),
    "product update": write_of_a(200),
    "stock sync": write_of_a(200),
}


def test_the_table_covers_every_endpoint_and_caller() -> None:
    """Rule: no endpoint of the contract is left out of the matrix."""
    assert set(EXPECTED) == set(ENDPOINTS)
    assert all(set(statuses) == set(CALLERS) for statuses in EXPECTED.values())


@pytest.fixture
def town() -> dict[str, Any]:
    """Collective A with member shop A, collective B with member shop B; each with a
    product, an event, a story, a partner key and a token created by the shop's owner."""
    data: dict[str, Any] = {}
    for name in ("a", "b"):
        collective = CollectiveFactory(slug=f"collectif-{name}")
        shop = MerchantFactory(slug=f"boutique-{name}")
        MembershipFactory(collective=collective, merchant=shop)
        owner = MerchantMemberFactory(merchant=shop).user
        StoryFactory(merchant=shop)
        data[f"collective_{name}"] = collective
        data[f"shop_{name}"] = shop
        data[f"product_{name}"] = ProductFactory(merchant=shop)
        data[f"event_{name}"] = EventFactory(collective=collective)
        data[f"key_{name}"] = PartnerKeyFactory(collective=collective)
        data[f"token_{name}"] = MerchantTokenFactory(merchant=shop, created_by=owner)
    return data


def client_of(caller: str, town: dict[str, Any]) -> APIClient:
    client = APIClient()
    if caller.startswith("key_"):
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {town[caller].plaintext}")
    elif caller.startswith("token_"):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {town[caller].plaintext}")
    return client


@pytest.mark.parametrize(
    ("endpoint", "caller"),
    [(endpoint, caller) for endpoint in ENDPOINTS for caller in CALLERS],
)
def test_each_caller_gets_the_status_of_the_table(
    endpoint: str, caller: str, town: dict[str, Any]
) -> None:
    """Rule: see the module's docstring; the expected status is ``EXPECTED[endpoint][caller]``."""
    method, template, body = ENDPOINTS[endpoint]
    path = template.format(
        collective=town["collective_a"].slug,
        shop=town["shop_a"].slug,
        product=town["product_a"].pk,
        event=town["event_a"].pk,
    )
    client = client_of(caller, town)
    if body is None:
        response = getattr(client, method)(path)
    else:
        response = getattr(client, method)(path, body, format="json")

    assert response.status_code == EXPECTED[endpoint][caller], response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}  # the API's error body, never an HTML page


def test_a_key_of_b_sees_only_b_in_the_list_of_collectives(town: dict[str, Any]) -> None:
    """Rule: a collective's key reads its collective only, the list included."""
    response = client_of("key_b", town).get("/api/v1/collectives/")
    slugs = [row["slug"] for row in response.json()["results"]]
    assert slugs == ["collectif-b"]

"""The API keeps the contract it publishes: schemathesis reads the live OpenAPI schema
(/api/schema/) from the app in-process and calls every GET operation of /api/v1/ with
generated data — random slugs and ids as well as the ones of a small real town — and every
answer must be no 5xx, a documented status code, the documented content type and a body
(and headers) matching the documented schema.

Bounded and deterministic: ``MAX_EXAMPLES`` generated calls per operation plus one explicit
call per real object, ``derandomize=True`` (same examples on every run), no Hypothesis
database, no deadline.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    ProductFactory,
    StoryFactory,
)

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 15

# No 5xx, and the answer is the documented one. Not ``positive_data_acceptance``: a random
# but well-formed ``cursor`` is rightly refused with 400, and a random slug with 404.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_process_app(settings: Any) -> Iterator[WSGIHandler]:
    """Django's WSGI app, called in this thread and so on the test's transaction.

    Each request would end with ``close_old_connections``, closing the test's connection
    (and its transaction) mid-test: disconnected while the test runs. Anonymous calls are
    throttled at 60 a minute per address: raised so that the whole run is counted.
    """
    settings.HALLE_API_ANONYMOUS_RATE_PER_MINUTE = 1_000_000
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def town() -> dict[str, list[Any]]:
    """An active collective with two member shops, their products, an event and stories; the
    real values of each path parameter, by the path segment that precedes it."""
    collective = CollectiveFactory(slug="marche-du-centre")
    shops = [MerchantFactory(slug="boulangerie-test"), MerchantFactory(slug="fromagerie-test")]
    products = []
    for shop in shops:
        MembershipFactory(collective=collective, merchant=shop)
        products += [ProductFactory(merchant=shop), ProductFactory(merchant=shop)]
        StoryFactory(merchant=shop)
    event = EventFactory(collective=collective)
    return {
        "collectives": [collective.slug],
        "merchants": [shop.slug for shop in shops],
        "products": [product.pk for product in products],
        "events": [event.pk],
    }


def real_path_parameters(path: str, town: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Path parameters naming real objects for ``path`` (``/api/v1/<kind>/{param}/…``)."""
    segments = path.strip("/").split("/")
    for kind, param in itertools.pairwise(segments):
        if param.startswith("{") and param.endswith("}"):
            return [{param[1:-1]: value} for value in town.get(kind, [])]
    return []


def get_operations_of_v1(schema: schemathesis.BaseSchema) -> list[schemathesis.APIOperation]:
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(
        (op for op in operations if op.method.upper() == "GET" and op.path.startswith("/api/v1/")),
        key=lambda op: op.path,
    )


def call_and_check(case: schemathesis.Case, app: WSGIHandler) -> schemathesis.Response:
    return case.call_and_validate(app=app, checks=CHECKS)


def test_every_get_of_v1_answers_as_its_schema_says(
    in_process_app: WSGIHandler, town: dict[str, list[Any]]
) -> None:
    """Rule: no GET of the published API answers a 5xx or anything its schema does not
    describe, for real objects and for random input alike."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", in_process_app)
    operations = get_operations_of_v1(schema)
    # The contract's reads: the collective list and details, their five lists, a shop, its
    # products, a product, an event.
    assert len(operations) == 10, [op.path for op in operations]

    failures: list[str] = []
    for operation in operations:
        real = real_path_parameters(operation.path, town)
        # Each real object once, explicitly: it must be found (200) and match the schema.
        for parameters in real or [{}]:
            case = operation.Case(path_parameters=parameters)
            try:
                response = call_and_check(case, in_process_app)
                assert response.status_code == 200, (parameters, response.status_code)
            except Exception as error:  # collected: one report for all
                failures.append(f"{operation.label} {parameters}: {error}")

        # Then generated calls: random path parameters, or real ones with generated queries.
        strategies = [operation.as_strategy()] + [
            operation.as_strategy(path_parameters=parameters) for parameters in real
        ]

        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies))
        def generated(case: schemathesis.Case) -> None:
            call_and_check(case, in_process_app)

        try:
            generated()
        except Exception as error:  # collected: one report for all
            failures.append(f"{operation.label} (generated): {error}")

    assert not failures, "\n\n".join(failures)

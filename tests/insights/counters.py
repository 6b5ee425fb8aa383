"""Helpers of the counting tests. Counters live in the main Redis, not the cache the root
conftest empties: ``no_counters`` (used autouse by the test modules) starts and ends each test
with this run's counters gone."""

import pytest

from insights.counting import namespace, paris_today, request_client, searches_key, views_key


def _clear(client) -> None:
    for key in client.scan_iter(match=f"{namespace()}:*"):
        client.delete(key)


@pytest.fixture
def no_counters():
    # Taken now: a test may point the counting at a closed port meanwhile.
    client = request_client()
    _clear(client)
    yield
    _clear(client)


def pending_views() -> dict[str, int]:
    """Today's view counters not flushed yet, by field."""
    raw = request_client().hgetall(views_key(paris_today()))
    return {f.decode(): int(n) for f, n in raw.items()}


def pending_searches() -> dict[str, int]:
    raw = request_client().hgetall(searches_key(paris_today()))
    return {f.decode(): int(n) for f, n in raw.items()}


BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)

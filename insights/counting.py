"""Counting page views, searches and clicks during the request, without tracking anyone.

One visit adds one to a per-day Redis hash (``HINCRBY``, with its ``EXPIRE``, in a single
``MULTI``/``EXEC`` sent in one round-trip); nothing is written to the database during the
request. What is stored is only *what* was seen (a kind and an id, and whose figure it is) or
*which words* were searched: no cookie, no IP address, no user id, no user agent.
``insights.services.flush.counts_flush`` moves the hashes into PostgreSQL every few minutes.

Redis being down, slow or refusing must never cost the visitor the page: every error is
swallowed (logged at debug level) and the visit is simply not counted. The client used here
has short timeouts and no retries for that reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from zoneinfo import ZoneInfo

import redis
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

from insights.models import COUNTED_KINDS

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")

# Counters not flushed within this time are dropped by Redis (the flush runs every 5 minutes:
# this is only a bound for a flush that stopped working for days).
COUNTS_TTL_SECONDS = 8 * 24 * 3600

# A page waits at most this long for Redis before giving up on counting the visit.
REQUEST_TIMEOUT_SECONDS = 0.25

MAX_QUERY_LENGTH = 100

# Crawlers, link previews, monitoring and headless browsers announce themselves in their
# User-Agent; a visitor with no User-Agent at all is not a browser either.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|preview|monitor|headless|lighthouse|pingdom|uptime|"
    r"facebookexternalhit|embedly|whatsapp|telegram|discord|skype|slack|"
    r"curl|wget|python|httpie|java/|go-http|okhttp|libwww|scrapy|phantomjs|"
    r"validator|checker|scanner|archiver|feedfetcher|mediapartners",
    re.IGNORECASE,
)


def is_bot(request: HttpRequest) -> bool:
    """Whether the request comes from a program rather than a person browsing: a known
    crawler marker in the User-Agent, none at all, or a speculative prefetch."""
    user_agent = request.headers.get("User-Agent", "")
    if not user_agent or BOT_USER_AGENT.search(user_agent):
        return True
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    return "prefetch" in purpose.lower()


def _countable(request: HttpRequest) -> bool:
    return request.method == "GET" and not is_bot(request)


def namespace() -> str:
    """The prefix of every counter key. It follows the cache's key prefix, so a test run
    (whose prefix is per process) never sees another run's counters."""
    return f"{cache.key_prefix}:insights"


def views_key(day: dt.date) -> str:
    return f"{namespace()}:views:{day.isoformat()}"


def searches_key(day: dt.date) -> str:
    return f"{namespace()}:searches:{day.isoformat()}"


def paris_today() -> dt.date:
    """The Paris calendar day of now: figures are the shops' days, not UTC days."""
    return timezone.localdate(timezone.now(), PARIS)


def redis_url() -> str:
    """Counters live in the main Redis (``REDIS_URL``), not the cache, whose eviction policy
    could drop them; ``INSIGHTS_REDIS_URL`` may point elsewhere."""
    return getattr(settings, "INSIGHTS_REDIS_URL", "") or settings.REDIS_URL


@functools.lru_cache(maxsize=4)
def _client_for(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        # redis-py retries connection errors by default, with backoff: a page must not wait.
        retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False,
    )


def request_client() -> redis.Redis:
    """The client used during a request: short timeouts, no retries."""
    return _client_for(redis_url(), REQUEST_TIMEOUT_SECONDS)


def _increment(key: str, field: str) -> bool:
    """One round-trip: ``MULTI; HINCRBY; EXPIRE; EXEC``. The transaction keeps the pair
    together, so a flush renaming the hash never takes it between the two commands."""
    try:
        pipe = request_client().pipeline(transaction=True)
        pipe.hincrby(key, field, 1)
        pipe.expire(key, COUNTS_TTL_SECONDS)
        pipe.execute()
    except (redis.RedisError, OSError) as error:
        logger.debug("Not counted (%s %s): %s", key, field, error)
        return False
    return True


def count_view(
    request: HttpRequest,
    *,
    kind: str,
    object_id: int,
    merchant_id: int | None = None,
    collective_id: int | None = None,
) -> bool:
    """Count one view of a page (or one click) of ``kind`` for today; ``merchant_id`` /
    ``collective_id`` say whose figure it is. Bots and HEAD requests are not counted. Returns
    whether it was counted; never raises for Redis."""
    if kind not in COUNTED_KINDS:
        raise ValueError(f"Unknown kind of count: {kind!r}")
    if not _countable(request):
        return False
    field = f"{kind}:{int(object_id)}:{_id(merchant_id)}:{_id(collective_id)}"
    return _increment(views_key(paris_today()), field)


def normalise_query(query: str) -> str:
    """The words as counted: lower case, single spaces, at most 100 characters."""
    return " ".join(query.lower().split())[:MAX_QUERY_LENGTH].strip()


def count_search(request: HttpRequest, *, collective_id: int, query: str, found: bool) -> bool:
    """Count one search of ``query`` in a collective's catalog today, and whether it found
    anything (the words only, never who). Empty queries and bots are not counted."""
    words = normalise_query(query)
    if not words or not _countable(request):
        return False
    # The words last: they may contain the separator.
    field = f"{int(collective_id)}:{int(bool(found))}:{words}"
    return _increment(searches_key(paris_today()), field)


def _id(value: int | None) -> str:
    return "" if value is None else str(int(value))

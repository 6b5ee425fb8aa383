"""Rate limits of the API, counted in Redis (the default cache) so that every web process of
every machine shares them.

- A partner key: its own ``rate_per_minute``, per key.
- Anything else authenticated (a shop's token): ``HALLE_API_TOKEN_RATE_PER_MINUTE``, per token.
- Anonymous callers: ``HALLE_API_ANONYMOUS_RATE_PER_MINUTE`` (60), per IP address. Behind a
  reverse proxy, set REST_FRAMEWORK's ``NUM_PROXIES`` (``HALLE_NUM_PROXIES``) so the address
  is read from ``X-Forwarded-For``; without it the proxy's own address would be counted — and
  a forged header is never trusted.

Fixed one-minute windows: the first call of a window creates its counter (``add``), each call
increments it atomically (``INCR``), and the counter expires with its window. Over the limit
the call answers 429 with ``Retry-After``: the seconds until the window ends. (A fixed window
lets a caller make up to twice the rate across a window boundary; for a published catalog
that is harmless, and it costs two Redis commands and no lock.)
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from partners.models import PartnerKey

WINDOW_SECONDS = 60


def anonymous_rate() -> int:
    return int(getattr(settings, "HALLE_API_ANONYMOUS_RATE_PER_MINUTE", 60))


def token_rate() -> int:
    return int(getattr(settings, "HALLE_API_TOKEN_RATE_PER_MINUTE", 600))


class PartnerRateThrottle(BaseThrottle):
    """The API's one throttle (see the module's docstring)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def caller(self, request: Request) -> tuple[str, int]:
        """Who is counted, and their requests per minute."""
        auth = getattr(request, "auth", None)
        if isinstance(auth, PartnerKey):
            return f"key:{auth.pk}", auth.rate_per_minute
        if auth is not None and getattr(auth, "pk", None) is not None:
            return f"{type(auth).__name__.lower()}:{auth.pk}", token_rate()
        return f"ip:{self.get_ident(request)}", anonymous_rate()

    def allow_request(self, request: Request, view: Any) -> bool:
        ident, rate = self.caller(request)
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        counter = f"api-rate:{ident}:{window}"
        # The counter outlives its window a little: a slow clock elsewhere still finds it.
        cache.add(counter, 0, timeout=WINDOW_SECONDS + 5)
        try:
            count = cache.incr(counter)
        except ValueError:  # expired between add and incr: this call opens a new counter
            cache.add(counter, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
        if count <= rate:
            return True
        self._wait = (window + 1) * WINDOW_SECONDS - now
        return False

    def wait(self) -> float | None:
        # Whole seconds, rounded up: Retry-After is an integer and must not be too early.
        return None if self._wait is None else float(max(1, math.ceil(self._wait)))

"""Conditional reads: ``ETag`` / ``If-None-Match`` and ``Last-Modified`` / ``If-Modified-Since``
on every successful GET, answered with 304 Not Modified when the partner's copy is current.

How the validators are computed
-------------------------------
- **ETag** — a hash (SHA-256, 32 hex digits) of the JSON body about to be sent. Exact by
  construction: a 304 is sent only when the bytes would be identical. A "version" query
  (``max(updated_at)`` and ``count()``) would have been cheaper than building the body, but
  a body depends on more rows than its own — a photo finishing its processing, a shop
  renamed or leaving the collective, a product unpublished out of a page, a date cancelled
  — and missing one would leave partners with stale data. The database work is done either
  way; a 304 saves the transfer, the partner's parsing and re-rendering.
- **Last-Modified** — when this exact body was first served for this URL: Redis keeps, per
  URL (the absolute URL with its query), the last ETag and the time it first appeared. The
  same body keeps its time; a different body gets the current time (never earlier than, and
  at least a second after, the previous one, so two changes within a second still differ).
  Forgetting (eviction, a flushed cache) only makes a body look new — a 200 instead of a
  304, never a stale 304.

``If-None-Match`` takes precedence over ``If-Modified-Since`` (RFC 9110 §13.2.2); Django's
``get_conditional_response`` applies the rules. Answers carry ``Cache-Control: no-cache``
(keep the copy, but ask before using it: stock changes by the minute) and vary on
``Authorization`` (a collective's key reads less than an anonymous caller) and ``Origin``.
A 304 counts against the rate limit like any call.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from rest_framework.response import Response

# How long the time a body first appeared is remembered (per URL).
REMEMBER_SECONDS = 7 * 24 * 3600


def body_etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def first_served(url: str, etag: str, *, now: float | None = None) -> int:
    """When the body with ``etag`` was first served at ``url`` (a Unix time, in seconds)."""
    key = "api-lm:" + hashlib.sha256(url.encode()).hexdigest()[:40]
    stored = cache.get(key)
    if stored and stored[0] == etag:
        return int(stored[1])
    since = int(now if now is not None else time.time())
    if stored and since <= int(stored[1]):
        since = int(stored[1]) + 1
    cache.set(key, (etag, since), timeout=REMEMBER_SECONDS)
    return since


def conditional_response(request: HttpRequest, response: Response) -> HttpResponseBase:
    """``response`` (a successful GET or HEAD, not yet rendered) with its validators, or a
    304 when the request's conditions say the partner's copy is current."""
    patch_vary_headers(response, ("Authorization", "Origin"))
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    response.render()
    etag = body_etag(response.content)
    last_modified = first_served(request.build_absolute_uri(), etag)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "no-cache"
    answer = get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
    return answer if answer is not None else response

"""Idempotent API writes: the ``Idempotency-Key`` header.

A till that sends a write and loses the answer (a timeout, a dropped connection) cannot know
whether it was applied. It sends the same request again with the same ``Idempotency-Key``
and gets the first answer back — the write is applied once. For a caller (one token) and a
key:

- the first request claims the key: an ``in_progress`` :class:`IdempotencyRecord` is
  inserted and **committed in its own transaction** before the write runs, so that the
  unique (caller, key) constraint is visible to every other connection at once;
- the write and the stored answer (status, body, the headers that matter) are committed
  together, in one transaction: either both or neither — a crash between the two cannot
  leave a write without its answer;
- while the first is running, the same key gets **409** (``Retry-After: 1``); once it is
  done, the stored answer is replayed for :data:`RETENTION` with ``Idempotent-Replayed:
  true``; the same key with a different request (method, path, query or JSON body) gets
  **422** — a key names one request;
- an answer of 500 or more, or an exception, stores nothing and releases the key (the write
  was rolled back with it): the caller may try again with the same key. Answers below 500
  are stored, errors included (a 400 replays the same 400), except 409 and 429, which say
  « not now » rather than answer the request;
- a claim left ``in_progress`` for :data:`STALE_AFTER` (the process died) may be taken over
  by the next request with the same key; should the first run still finish, it finds its
  claim gone and rolls its write back.

Expired records are deleted by ``partners.tasks_idempotency.purge_expired_idempotency_records``
(and an expired key is free again even before that).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.api.exceptions import Conflict, Unprocessable
from partners.models import IdempotencyRecord, MerchantToken, PartnerKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = dt.timedelta(hours=24)
STALE_AFTER = dt.timedelta(minutes=5)
MAX_KEY_LENGTH = IdempotencyRecord._meta.get_field("key").max_length or 200
# The headers of an answer that are part of it (the others are recomputed on replay).
STORED_HEADERS = ("Location", "Content-Language", "ETag", "Last-Modified")
# Answers that say « not now » rather than answer the request: never stored.
NOT_STORED = frozenset({status.HTTP_409_CONFLICT, status.HTTP_429_TOO_MANY_REQUESTS})
PURGE_BATCH = 5000

Handler = Callable[..., Response]


class IdempotencyKeyInvalid(exceptions.ValidationError):
    """400: the header is empty, too long, or not printable ASCII."""


class IdempotencyInProgress(Conflict):
    """409 (``Retry-After: 1``): the first request with this key has not finished."""

    default_detail = cast(
        str,
        _("A request with this Idempotency-Key is still being processed. Try again in a moment."),
    )
    default_code = "idempotency_in_progress"
    wait = 1  # DRF's exception handler turns it into ``Retry-After: 1``


class IdempotencyKeyReused(Unprocessable):
    """422: the key names another request."""

    default_detail = cast(
        str,
        _(
            "This Idempotency-Key was already used for a different request. "
            "Use a new key for each request."
        ),
    )
    default_code = "idempotency_key_reused"


class _NotStored(Exception):
    """Leaves the write's transaction (rolling it back) with an answer that is not stored."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class _ClaimLost(Exception):
    """The claim was taken over (it looked stale) while this request was running."""


def caller_of(request: Request) -> str:
    """Whose keys these are: ``token:<id>`` or ``key:<id>`` — a key is only ever compared
    with the same caller's keys."""
    auth = request.auth
    if isinstance(auth, MerchantToken):
        return f"token:{auth.pk}"
    if isinstance(auth, PartnerKey):
        return f"key:{auth.pk}"
    raise ImproperlyConfigured("Idempotent views need a token or key authentication.")


def request_fingerprint(request: Request) -> str:
    """SHA-256 of the method, the path with its query and the JSON body in a canonical form
    (keys sorted, no spaces): the same request sent twice has the same fingerprint, whatever
    the order of its keys or its white space."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = "\n".join((request.method or "", request._request.get_full_path(), body))
    return hashlib.sha256(text.encode()).hexdigest()


def _valid_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " <= c <= "~" for c in key):
        raise IdempotencyKeyInvalid(
            {
                HEADER: [
                    _("The Idempotency-Key must be 1 to %(max)s printable ASCII characters.")
                    % {"max": MAX_KEY_LENGTH}
                ]
            },
            code="invalid",
        )
    return key


def _claim(caller: str, key: str, fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    """Claim ``key`` for this request, or find who has it: (record, True) when claimed —
    committed as ``in_progress`` — or (record, False) for an earlier request's record."""
    for _attempt in range(3):
        now = timezone.now()
        # An expired key is free again, even before the periodic purge.
        IdempotencyRecord.objects.filter(caller=caller, key=key, expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    caller=caller,
                    key=key,
                    request_fingerprint=fingerprint,
                    expires_at=now + RETENTION,
                )
            return record, True
        except IntegrityError:
            # Another request has the key: its INSERT was committed (or we waited for it).
            existing = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
            if existing is None:
                continue  # released meanwhile (its request failed): claim it again
            if (
                existing.state == IdempotencyRecord.State.IN_PROGRESS
                and existing.request_fingerprint == fingerprint
                and existing.created_at <= now - STALE_AFTER
            ):
                # A process died holding it: take it over, conditionally on the same claim.
                taken = IdempotencyRecord.objects.filter(
                    pk=existing.pk,
                    state=IdempotencyRecord.State.IN_PROGRESS,
                    created_at=existing.created_at,
                ).update(created_at=now, expires_at=now + RETENTION)
                if taken:
                    existing.created_at, existing.expires_at = now, now + RETENTION
                    return existing, True
                continue
            return existing, False
    raise IdempotencyInProgress


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused
    if record.state != IdempotencyRecord.State.DONE or record.response_status is None:
        raise IdempotencyInProgress
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(record.response_body, status=record.response_status, headers=headers)


def _store(record: IdempotencyRecord, response: Response) -> None:
    """Record the answer on the claim, in the caller's (the write's) transaction."""
    body = None
    if response.data is not None:
        body = json.loads(JSONRenderer().render(response.data))  # plain JSON: strings, lists
    headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    # The messages of the body are in the language active now: say so on replay.
    headers.setdefault("Content-Language", translation.get_language() or "")
    stored = IdempotencyRecord.objects.filter(
        pk=record.pk,
        state=IdempotencyRecord.State.IN_PROGRESS,
        created_at=record.created_at,
    ).update(
        state=IdempotencyRecord.State.DONE,
        response_status=response.status_code,
        response_body=body,
        response_headers=headers,
    )
    if not stored:
        raise _ClaimLost


def _release(record: IdempotencyRecord) -> None:
    """Free the key after a failure: the caller may send the request again."""
    IdempotencyRecord.objects.filter(
        pk=record.pk,
        state=IdempotencyRecord.State.IN_PROGRESS,
        created_at=record.created_at,
    ).delete()


def _run(view: APIView, handler: Handler, request: Request, args: Any, kwargs: Any) -> Response:
    """The handler's answer, with API errors (4xx) turned into their answer here so that
    they can be stored; anything else propagates."""
    try:
        return handler(view, request, *args, **kwargs)
    except Exception as error:  # handle_exception re-raises what it cannot answer
        return view.handle_exception(error)


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a write method (``post``, ``patch``) of an APIView: with an
    ``Idempotency-Key`` header, the first answer is stored and replayed (module docstring).
    Without the header the method runs as usual."""

    @functools.wraps(handler)
    def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
        raw = request.headers.get(HEADER)
        if raw is None:
            return handler(view, request, *args, **kwargs)
        key = _valid_key(raw)
        caller = caller_of(request)
        fingerprint = request_fingerprint(request)
        record, claimed = _claim(caller, key, fingerprint)
        if not claimed:
            return _replay(record, fingerprint)
        try:
            with transaction.atomic():
                response = _run(view, handler, request, args, kwargs)
                if response.status_code >= 500 or response.status_code in NOT_STORED:
                    raise _NotStored(response)
                _store(record, response)
        except _NotStored as not_stored:
            _release(record)
            return not_stored.response
        except _ClaimLost:
            raise IdempotencyInProgress from None
        except BaseException:
            _release(record)
            raise
        return response

    return cast(Callable[..., Response], wrapper)


def idempotency_records_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the records whose 24 hours are over, a batch at a time (short transactions,
    no long lock on the table); return how many."""
    now = now or timezone.now()
    deleted = 0
    while True:
        batch = list(
            IdempotencyRecord.objects.filter(expires_at__lte=now).values_list("pk", flat=True)[
                :PURGE_BATCH
            ]
        )
        if not batch:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=batch, expires_at__lte=now).delete()[0]

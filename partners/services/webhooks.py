"""Webhooks: the outbox of events for partner sites and shops' tills, and its delivery.

**Emitting.** Domain services call :func:`emit` (or one of the helpers below that build the
payload: :func:`emit_product`, :func:`emit_products`, :func:`emit_stock_changed`,
:func:`emit_event`, :func:`emit_reservation`, :func:`emit_group_buy`) inside their own
transaction, right after the change. It finds the active endpoints subscribed to the event
and in scope, and writes one :class:`~partners.models.WebhookDelivery` per endpoint — the
outbox row commits or rolls back with the change. Sending is queued only after the commit.

Scope:

- a shop's events (its products, stock, reservations, group buys) go to the shop's own
  endpoints, and — except reservations, which are the shop's business only — to the
  endpoints of every collective the shop is an active member of. A product never published
  stays private to its shop: collectives hear about it once it has been published;
- a collective's events go to the collective's endpoints.

The lookup is one query, and the payload is built only when some endpoint listens (a
callable ``data`` is called then): a shop nobody listens to pays one query per change.

**Delivering.** :func:`delivery_send` claims the delivery with a conditional ``UPDATE``
(counting the attempt and pushing ``next_attempt_at`` a lease ahead, so that nobody else
sends it meanwhile), then POSTs the payload — no row lock is held during the HTTP call. A
2xx answer marks it delivered; anything else schedules the next attempt with exponential
backoff and jitter (1, 2, 4… minutes, at most an hour apart) until 24 hours after the event,
then marks it failed. :func:`deliveries_sweep` (every minute) queues due retries and
deliveries whose task was lost. Each request is signed: ``Halle-Signature: t=<unix
time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`` (docs/webhooks.md).

Halle never calls an address of its own network: endpoint addresses must be HTTPS and are
refused when they resolve to a private, loopback, link-local or otherwise non-public
address — when saved, and again on every connection (the address actually connected to is
checked, so a DNS answer changed later cannot redirect Halle). Tests and development allow
private addresses with ``HALLE_WEBHOOKS_ALLOW_PRIVATE`` (defaults to ``DEBUG``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from collectives.models import Collective, Membership
from collectives.permissions import can_organise
from merchants.models import Merchant
from merchants.permissions import can_manage_merchant
from partners.models import MERCHANT_ONLY_EVENTS, WEBHOOK_EVENTS, WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from catalog.models import Product
    from collectives.models import Event
    from orders.models import GroupBuy, Reservation

logger = logging.getLogger(__name__)

Data = dict[str, Any]

# Sending.
TIMEOUT_SECONDS = 5
# How long a claimed delivery is left to its sender before the sweep may take it again (a
# worker that died mid-request). Well above the timeout: a live sender always finishes first.
CLAIM_SECONDS = 120
RETRY_FOR = dt.timedelta(hours=24)
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 3600
# A pending delivery never tried after this long lost its task (broker down at the commit).
LOST_AFTER = dt.timedelta(minutes=5)
SWEEP_BATCH = 1000
# The log of finished deliveries is kept this long.
LOG_RETENTION = dt.timedelta(days=30)
# Endpoints per shop or collective.
MAX_ENDPOINTS = 10
RESPONSE_EXCERPT = 200
USER_AGENT = "Halle-Webhooks/1"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)
URL_MAX_LENGTH = 500  # WebhookEndpoint.url

S = WebhookDelivery.Status


# --- Emitting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One event to emit: its type, its data, and whether the collectives the shop belongs
    to may hear it (False for a product never published)."""

    event_type: str
    data: Data | Callable[[], Data]
    members: bool = True


def emit(
    *,
    event_type: str,
    data: Data | Callable[[], Data],
    merchant: Merchant | int | None = None,
    collective: Collective | int | None = None,
    members: bool = True,
) -> list[WebhookDelivery]:
    """Write the deliveries of one event, inside the caller's transaction, and queue their
    sending once it commits. ``merchant`` (a shop's event) or ``collective`` (a collective's
    event) says whose it is; ``members=False`` keeps a shop's event from the collectives it
    belongs to. ``data`` may be a callable, called only if some endpoint listens."""
    return _emit([Outgoing(event_type, data, members)], merchant=merchant, collective=collective)


def _emit(
    outgoing: Sequence[Outgoing],
    *,
    merchant: Merchant | int | QuerySet[Any] | None = None,
    collective: Collective | int | None = None,
) -> list[WebhookDelivery]:
    if not outgoing:
        return []
    for item in outgoing:
        if item.event_type not in WEBHOOK_EVENTS:
            raise ValueError(f"unknown webhook event {item.event_type!r}")
    endpoints = list(
        _listening(
            {item.event_type for item in outgoing},
            merchant=merchant,
            collective=collective,
            members=any(item.members for item in outgoing),
        )
    )
    if not endpoints:
        return []
    return _write(outgoing, endpoints, shop_scope=merchant is not None)


def _listening(
    event_types: set[str],
    *,
    merchant: Merchant | int | QuerySet[Any] | None,
    collective: Collective | int | None,
    members: bool,
) -> QuerySet[WebhookEndpoint]:
    """The active endpoints in scope subscribed to any of ``event_types`` (one query).
    ``merchant`` may be a queryset of ``merchant_id`` values (a subquery)."""
    scope = Q(pk__in=[])
    if merchant is not None:
        shops = merchant if isinstance(merchant, QuerySet) else [_pk(merchant)]
        scope |= Q(merchant__in=shops)
        if members and event_types - MERCHANT_ONLY_EVENTS:
            scope |= Q(
                collective__in=Membership.objects.filter(
                    merchant__in=shops, status=Membership.Status.ACTIVE
                ).values("collective_id")
            )
    if collective is not None:
        scope |= Q(collective_id=_pk(collective))
    return WebhookEndpoint.objects.filter(
        scope, is_active=True, events__overlap=sorted(event_types)
    ).order_by("pk")


def _pk(obj: Merchant | Collective | int) -> int:
    return obj if isinstance(obj, int) else obj.pk


def _write(
    outgoing: Sequence[Outgoing], endpoints: list[WebhookEndpoint], *, shop_scope: bool
) -> list[WebhookDelivery]:
    now = timezone.now()
    rows = []
    for item in outgoing:
        targets = [
            endpoint
            for endpoint in endpoints
            if item.event_type in endpoint.events
            and (
                not shop_scope
                or endpoint.merchant_id is not None
                or (item.members and item.event_type not in MERCHANT_ONLY_EVENTS)
            )
        ]
        if not targets:
            continue
        event_id = uuid.uuid4()
        payload = {
            "id": str(event_id),
            "type": item.event_type,
            "created_at": _iso(now),
            "data": item.data() if callable(item.data) else item.data,
        }
        rows += [
            WebhookDelivery(
                endpoint=endpoint,
                event_id=event_id,
                event_type=item.event_type,
                payload=payload,
            )
            for endpoint in targets
        ]
    deliveries = WebhookDelivery.objects.bulk_create(rows)
    if deliveries:
        # robust: a broker down at the commit must not fail the change; the sweep sends
        # the deliveries left pending.
        transaction.on_commit(
            partial(_queue, [delivery.pk for delivery in deliveries]), robust=True
        )
    return deliveries


def _queue(delivery_ids: list[int]) -> None:
    from partners.tasks import send_webhook_delivery

    for delivery_id in delivery_ids:
        send_webhook_delivery.delay(delivery_id)


# --- What each event says ---------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _page_url(obj: Any) -> str:
    # The French page (the default language, without prefix), whatever the request's.
    with translation.override(settings.LANGUAGE_CODE):
        return _absolute(obj.get_absolute_url())


def product_payload(product: Product) -> Data:
    """The ``data`` of product and stock events."""
    return {
        "id": product.pk,
        "merchant": product.merchant.slug,
        "slug": product.slug,
        "sku": product.sku or None,
        "title": product.title,
        "status": product.status,
        "price": _money(product.price),
        "compare_at_price": _money(product.compare_at_price),
        "currency": "EUR",
        "unit": product.unit,
        "stock": product.stock,
        "in_stock": product.stock is None or product.stock > 0,
        "url": _page_url(product),
        "api_url": _absolute(f"/api/v1/products/{product.pk}/"),
        "updated_at": _iso(product.updated_at),
    }


def event_payload(event: Event) -> Data:
    """The ``data`` of collective events (market days, workshops…)."""
    return {
        "id": event.pk,
        "collective": event.collective.slug,
        "slug": event.slug,
        "title": event.title,
        "kind": event.kind,
        "status": event.status,
        "starts_at": _iso(event.starts_at),
        "ends_at": _iso(event.ends_at),
        "recurrence": event.recurrence or None,
        "is_online": event.is_online,
        "place": {
            "name": event.place_name,
            "street": event.street,
            "postcode": event.postcode,
            "city": event.city,
        },
        "cancellation_reason": event.cancellation_reason or None,
        "url": _page_url(event),
        "api_url": _absolute(f"/api/v1/events/{event.pk}/"),
        "updated_at": _iso(event.updated_at),
    }


def reservation_payload(reservation: Reservation) -> Data:
    """The ``data`` of reservation events: what the till needs, and the customer's name
    only (the back-office has the rest)."""
    return {
        "id": reservation.pk,
        "merchant": reservation.merchant.slug,
        "code": reservation.code,
        "status": reservation.status,
        "source": reservation.source,
        "customer_name": reservation.customer_name,
        "pickup_deadline": _iso(reservation.pickup_deadline),
        "group_buy": reservation.group_buy_id,
        "total": _money(reservation.total),
        "currency": "EUR",
        "lines": [
            {
                "product": line.product_id,
                "title": line.title,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
            }
            for line in reservation.lines.order_by("pk")
        ],
        "updated_at": _iso(reservation.updated_at),
    }


def group_buy_payload(group_buy: GroupBuy) -> Data:
    """The ``data`` of ``groupbuy.closed``."""
    return {
        "id": group_buy.pk,
        "merchant": group_buy.merchant.slug,
        "collective": group_buy.collective.slug if group_buy.collective else None,
        "product": group_buy.product_id,
        "status": group_buy.status,
        "unit_price": _money(group_buy.unit_price),
        "final_discount": _money(group_buy.final_discount),
        "currency": "EUR",
        "pledged_quantity": group_buy.pledged_quantity,
        "deadline": _iso(group_buy.deadline),
        "closed_at": _iso(group_buy.closed_at),
    }


def emit_product(*, event_type: str, product: Product) -> list[WebhookDelivery]:
    """Emit a product or stock event about ``product`` (as it is in memory now)."""
    return emit(
        event_type=event_type,
        data=lambda: product_payload(product),
        merchant=product.merchant_id,
        members=product.published_at is not None,
    )


def emit_products(
    *, event_type: str, merchant: Merchant, products: Iterable[Product]
) -> list[WebhookDelivery]:
    """Emit one event per product of a shop (bulk actions, imports): one query to find the
    endpoints, then — only if some listen — ``products`` is read (it may be a queryset)
    and every delivery written in one INSERT."""
    endpoints = list(_listening({event_type}, merchant=merchant, collective=None, members=True))
    if not endpoints:
        return []
    outgoing = []
    for product in products:
        if product.merchant_id == merchant.pk:
            product.merchant = merchant  # the payload names the shop: no query per product
        outgoing.append(
            Outgoing(event_type, product_payload(product), members=product.published_at is not None)
        )
    return _write(outgoing, endpoints, shop_scope=True) if outgoing else []


def emit_stock_changed(*, product_id: int) -> list[WebhookDelivery]:
    """Emit ``stock.changed`` for a product known by its id only (a reservation took or gave
    back units): the endpoints are found through the product in one query, and the product
    is read only if some listen."""
    from catalog.models import Product

    shop = Product.objects.filter(pk=product_id).values("merchant_id")
    if not _listening({"stock.changed"}, merchant=shop, collective=None, members=True).exists():
        return []
    product = Product.objects.select_related("merchant").get(pk=product_id)
    return emit_product(event_type="stock.changed", product=product)


def emit_event(*, event_type: str, event: Event) -> list[WebhookDelivery]:
    """Emit an event of a collective (``event.published/updated/cancelled``)."""
    return emit(
        event_type=event_type,
        data=lambda: event_payload(event),
        collective=event.collective_id,
    )


def emit_reservation(*, event_type: str, reservation: Reservation) -> list[WebhookDelivery]:
    """Emit ``reservation.created``/``reservation.updated`` to the shop's endpoints only."""
    return emit(
        event_type=event_type,
        data=lambda: reservation_payload(reservation),
        merchant=reservation.merchant_id,
        members=False,
    )


def emit_group_buy(*, group_buy: GroupBuy) -> list[WebhookDelivery]:
    """Emit ``groupbuy.closed`` (succeeded, failed or cancelled)."""
    return emit(
        event_type="groupbuy.closed",
        data=lambda: group_buy_payload(group_buy),
        merchant=group_buy.merchant_id,
    )


# --- Endpoints ----------------------------------------------------------------------------------


def _allow_private() -> bool:
    return bool(getattr(settings, "HALLE_WEBHOOKS_ALLOW_PRIVATE", settings.DEBUG))


def address_is_public(address: str) -> bool:
    """Whether Halle may connect to this IP address: a public unicast address (not private,
    loopback, link-local, shared, reserved or multicast; IPv4-mapped IPv6 is judged as the
    IPv4 address it maps)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _url_error(message: str, code: str) -> ValidationError:
    return ValidationError({"url": ValidationError(message, code=code)})


def validate_endpoint_url(url: str) -> str:
    """The address, checked: HTTPS, a host, no credentials in it, and resolving only to
    public addresses. Returns it stripped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _url_error(_("Enter a valid address."), "invalid") from None
    if parts.scheme != "https":
        raise _url_error(_("The address must start with https://."), "not_https")
    host = parts.hostname
    if not host:
        raise _url_error(_("Enter a valid address."), "invalid")
    if parts.username or parts.password:
        raise _url_error(_("Leave the user name and password out of the address."), "credentials")
    if len(url) > URL_MAX_LENGTH:
        raise _url_error(_("This address is too long."), "too_long")
    if _allow_private():
        return url
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _url_error(
            _("This address cannot be found: check the name of the site."), "unresolved"
        ) from None
    if not all(address_is_public(str(info[4][0])) for info in infos):
        raise _url_error(
            _("This address points to a private network: Halle only calls public sites."),
            "private_address",
        )
    return url


def _clean_events(events: Iterable[str], *, for_merchant: bool) -> list[str]:
    chosen = set(events)
    allowed = set(WEBHOOK_EVENTS) if for_merchant else set(WEBHOOK_EVENTS) - MERCHANT_ONLY_EVENTS
    if not chosen:
        raise ValidationError(
            {"events": ValidationError(_("Choose at least one event."), code="no_events")}
        )
    if chosen - allowed:
        raise ValidationError(
            {"events": ValidationError(_("Choose among the events offered."), code="unknown")}
        )
    return [event for event in WEBHOOK_EVENTS if event in chosen]  # in the documented order


def _require_manage(
    actor: User, *, merchant: Merchant | None = None, collective: Collective | None = None
) -> None:
    """Organisers manage their collective's endpoints; owners manage their shop's (the
    signing secret is theirs to keep)."""
    if merchant is not None:
        require(can_manage_merchant(actor, merchant))
    elif collective is not None:
        require(can_organise(actor, collective))
    else:
        require(False)


def _require_manage_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    _require_manage(actor, merchant=endpoint.merchant, collective=endpoint.collective)


def new_secret() -> str:
    """A signing secret: 32 random bytes, URL-safe, recognisable by its prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def endpoint_create(
    *,
    actor: User,
    url: str,
    events: Iterable[str],
    description: str = "",
    merchant: Merchant | None = None,
    collective: Collective | None = None,
) -> WebhookEndpoint:
    """Register an HTTPS address for a shop (its owners) or a collective (its organisers),
    with a new signing secret."""
    if (merchant is None) == (collective is None):
        raise ValueError("an endpoint belongs to exactly one shop or collective")
    _require_manage(actor, merchant=merchant, collective=collective)
    owner_lock = (
        Merchant.objects.filter(pk=merchant.pk)
        if merchant is not None
        else Collective.objects.filter(pk=collective.pk)  # type: ignore[union-attr]
    )
    # Serialises two creations at once, so the limit holds.
    owner_lock.select_for_update().first()
    existing = WebhookEndpoint.objects.filter(merchant=merchant, collective=collective).count()
    if existing >= MAX_ENDPOINTS:
        raise ValidationError(
            _("At most %(max)s addresses: delete one you no longer use.") % {"max": MAX_ENDPOINTS},
            code="too_many",
        )
    endpoint = WebhookEndpoint(
        merchant=merchant,
        collective=collective,
        description=description.strip(),
        secret=new_secret(),
        created_by=actor,
    )
    _set_fields(endpoint, url=url, events=events)
    endpoint.save()
    logger.info("Webhook endpoint %s created by user %s", endpoint.pk, actor.pk)
    return endpoint


def _set_fields(endpoint: WebhookEndpoint, *, url: str, events: Iterable[str]) -> None:
    errors: dict[str, list[ValidationError]] = {}
    try:
        endpoint.url = validate_endpoint_url(url)
    except ValidationError as error:
        errors.update(error.error_dict)
    try:
        endpoint.events = _clean_events(events, for_merchant=endpoint.merchant_id is not None)
    except ValidationError as error:
        errors.update(error.error_dict)
    try:
        endpoint.full_clean(exclude=["url", "events", "secret"])
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def endpoint_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    url: str,
    events: Iterable[str],
    description: str = "",
) -> WebhookEndpoint:
    """Change an endpoint's address, events and description. Deliveries already written
    keep going to the endpoint (to its new address)."""
    _require_manage_endpoint(actor, endpoint)
    endpoint.description = description.strip()
    _set_fields(endpoint, url=url, events=events)
    endpoint.save(update_fields=["url", "events", "description"])
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Give the endpoint a new signing secret; every request from now on — retries
    included — is signed with it."""
    _require_manage_endpoint(actor, endpoint)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    logger.info("Webhook endpoint %s: secret rotated by user %s", endpoint.pk, actor.pk)
    return endpoint


@transaction.atomic
def endpoint_disable(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop sending to the endpoint: no new deliveries, and those waiting fail at their
    next attempt (they can be resent once it is enabled again)."""
    _require_manage_endpoint(actor, endpoint)
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active"])
    return endpoint


@transaction.atomic
def endpoint_enable(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Send to the endpoint again (events from now on)."""
    _require_manage_endpoint(actor, endpoint)
    endpoint.is_active = True
    endpoint.save(update_fields=["is_active"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its delivery log."""
    _require_manage_endpoint(actor, endpoint)
    logger.info("Webhook endpoint %s deleted by user %s", endpoint.pk, actor.pk)
    endpoint.delete()


# --- Delivering ---------------------------------------------------------------------------------


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    """``t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`` (docs/webhooks.md)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def payload_body(payload: Data) -> bytes:
    """The exact bytes sent (and signed): compact JSON in UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def retry_delay(attempt: int) -> dt.timedelta:
    """The wait after the ``attempt``-th failed attempt: 1, 2, 4… minutes, at most an hour,
    ±10 % so that the retries of many deliveries spread out."""
    base = min(FIRST_RETRY_SECONDS * 2 ** max(attempt - 1, 0), MAX_RETRY_SECONDS)
    spread = base // 10
    return dt.timedelta(seconds=base - spread + secrets.randbelow(2 * spread + 1))


class AddressRefused(OSError):
    """The endpoint's host resolved to an address Halle does not call."""


def _connect_public(
    address: tuple[str, int], timeout: float | None = None, source_address: Any = None
) -> socket.socket:
    """``socket.create_connection``, refusing addresses that are not public — checked on
    the very address connected to."""
    host, port = address
    error: OSError = OSError(f"no address for {host}")
    for family, kind, proto, _name, sockaddr in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    ):
        if not _allow_private() and not address_is_public(str(sockaddr[0])):
            error = AddressRefused(f"{host} resolves to a non-public address")
            continue
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
        except OSError as failure:
            sock.close()
            error = failure
            continue
        return sock
    raise error


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection (certificate verified) to public addresses only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_public


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST ``body``; (status, excerpt of the answer) or (None, the error). Redirections are
    not followed: a 3xx is an answer like any other."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # A fresh context per request: it reads the trusted certificates as they are now.
    connection = _PublicHTTPSConnection(
        parts.hostname or "",
        parts.port or 443,  # explicit: http.client would read an IPv6 literal's end as a port
        timeout=TIMEOUT_SECONDS,
        context=ssl.create_default_context(),
    )
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_EXCERPT).decode("utf-8", errors="replace")
        return response.status, " ".join(excerpt.split())
    except AddressRefused:
        return None, "The address resolves to a private network: not called."
    except (OSError, http.client.HTTPException) as error:
        return None, (f"{type(error).__name__}: {error}")[:300]
    finally:
        connection.close()


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """Make one attempt at a due delivery (the Celery task calls this; call it outside a
    transaction). Returns the delivery after the attempt, or None when there was nothing
    to do: delivered or failed already, not due yet, or being sent by another worker.

    The claim — one conditional UPDATE counting the attempt and moving ``next_attempt_at``
    a lease ahead — is the only synchronisation: no row lock is held during the HTTP call,
    and the result is recorded only if the claim is still ours (same attempt number)."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status=S.PENDING,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return _record(delivery, now=now, failed=True, error="The endpoint is disabled.")
    body = payload_body(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Halle-Event": delivery.event_type,
        "Halle-Delivery": str(delivery.pk),
        "Halle-Signature": signature_header(
            secret=endpoint.secret, timestamp=int(timezone.now().timestamp()), body=body
        ),
    }
    status_code, answer = _post(endpoint.url, body, headers)
    if status_code is not None and 200 <= status_code < 300:
        return _record(delivery, now=now, status_code=status_code, delivered=True)
    if status_code is not None:
        answer = f"HTTP {status_code}" + (f": {answer}" if answer else "")
    return _record(delivery, now=now, status_code=status_code, error=answer)


def _record(
    delivery: WebhookDelivery,
    *,
    now: dt.datetime,
    status_code: int | None = None,
    error: str = "",
    delivered: bool = False,
    failed: bool = False,
) -> WebhookDelivery:
    """Write the outcome of the claimed attempt: delivered, another attempt later, or
    failed once the day is over."""
    changes: dict[str, Any] = {"last_status_code": status_code, "last_error": error[:300]}
    if delivered:
        changes.update(status=S.SUCCEEDED, delivered_at=timezone.now(), next_attempt_at=None)
    else:
        deadline = delivery.created_at + RETRY_FOR
        if failed or now >= deadline:
            changes.update(status=S.FAILED, next_attempt_at=None)
        else:
            # The last retry falls on the deadline itself, and fails the delivery if refused.
            changes.update(next_attempt_at=min(now + retry_delay(delivery.attempts), deadline))
    WebhookDelivery.objects.filter(
        pk=delivery.pk, status=S.PENDING, attempts=delivery.attempts
    ).update(**changes)
    for name, value in changes.items():
        setattr(delivery, name, value)
    return delivery


@transaction.atomic
def delivery_resend(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivered or failed delivery again, now: the same event (same ``id`` in the
    payload, so the receiver can recognise a duplicate), signed anew. The attempts already
    made are kept; if this one fails it is retried until the end of the event's day of
    retries — for an older event, it is failed again at once and can be resent later."""
    current = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint__merchant", "endpoint__collective")
        .get(pk=delivery.pk)
    )
    _require_manage_endpoint(actor, current.endpoint)
    if current.status == S.PENDING:
        raise ValidationError(
            _("This delivery is already waiting to be sent."), code="already_pending"
        )
    if not current.endpoint.is_active:
        raise ValidationError(
            _("This address is disabled: enable it before sending again."), code="disabled"
        )
    current.status = S.PENDING
    current.next_attempt_at = timezone.now()
    current.save(update_fields=["status", "next_attempt_at"])
    logger.info(
        "Webhook delivery %s resent by user %s (after %s attempts)",
        current.pk,
        actor.pk,
        current.attempts,
    )
    transaction.on_commit(partial(_queue, [current.pk]), robust=True)
    return current


def deliveries_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """The ids of pending deliveries to send now: retries that are due, and deliveries
    whose task was lost (never tried after a few minutes, or whose sender died holding the
    claim). Queuing one twice is harmless: only one task claims it."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lte=now - LOST_AFTER),
            status=S.PENDING,
        )
        .order_by(F("next_attempt_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def deliveries_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the log of deliveries finished more than 30 days ago (a bounded batch per
    call). Returns how many were deleted."""
    now = now or timezone.now()
    old = WebhookDelivery.objects.filter(
        status__in=[S.SUCCEEDED, S.FAILED], created_at__lt=now - LOG_RETENTION
    ).values_list("pk", flat=True)[:SWEEP_BATCH]
    deleted, _counts = WebhookDelivery.objects.filter(pk__in=list(old)).delete()
    return deleted

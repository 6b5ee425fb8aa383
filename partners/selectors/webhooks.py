"""Reads of webhook endpoints and their delivery log, scoped to the shop or the collective
that owns them: an endpoint of anybody else is a 404."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from collectives.models import Collective
from merchants.models import Merchant
from partners.models import WebhookDelivery, WebhookEndpoint

# The « failed lately » column of the list of endpoints.
RECENT = dt.timedelta(days=7)


def _owned(
    *, merchant: Merchant | None, collective: Collective | None
) -> QuerySet[WebhookEndpoint]:
    if (merchant is None) == (collective is None):
        raise ValueError("give the shop or the collective")
    if merchant is not None:
        return WebhookEndpoint.objects.filter(merchant=merchant)
    return WebhookEndpoint.objects.filter(collective=collective)


def webhook_endpoints(
    *, merchant: Merchant | None = None, collective: Collective | None = None
) -> QuerySet[WebhookEndpoint]:
    """The owner's endpoints, newest first, each with ``last_delivery_at``,
    ``pending_count`` and ``recent_failed_count`` (last 7 days) — one query."""
    since = timezone.now() - RECENT
    return (
        _owned(merchant=merchant, collective=collective)
        .annotate(
            last_delivery_at=Max("deliveries__created_at"),
            pending_count=Count(
                "deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING)
            ),
            recent_failed_count=Count(
                "deliveries",
                filter=Q(
                    deliveries__status=WebhookDelivery.Status.FAILED,
                    deliveries__created_at__gte=since,
                ),
            ),
        )
        .order_by("-created_at", "-pk")
    )


def webhook_endpoint(
    *, endpoint_id: int, merchant: Merchant | None = None, collective: Collective | None = None
) -> WebhookEndpoint:
    """One of the owner's endpoints (404 otherwise)."""
    endpoint = (
        _owned(merchant=merchant, collective=collective)
        .select_related("merchant", "collective")
        .filter(pk=endpoint_id)
        .first()
    )
    if endpoint is None:
        raise Http404
    return endpoint


def webhook_deliveries(
    *, endpoint: WebhookEndpoint, status: str | None = None
) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first (``status`` filters it); to paginate."""
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-pk")


def webhook_delivery(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """One delivery of the endpoint, with its payload (404 otherwise)."""
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise Http404
    return delivery

"""Halle's public contract with partner sites and shops' tills: API keys, merchant tokens,
idempotent writes, webhooks and their deliveries.

Secrets are never stored: a key or token is shown once when it is created, and only its
SHA-256 and a short prefix (to recognise it in a list) are kept. Webhook signing secrets are
the exception — Halle must sign with them — and are shown to the endpoint's owners only.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collectives.models import Collective
from merchants.models import Merchant

# Every event a webhook can subscribe to; reservation events are for merchants only.
WEBHOOK_EVENTS = (
    "product.created",
    "product.updated",
    "product.archived",
    "stock.changed",
    "event.published",
    "event.updated",
    "event.cancelled",
    "reservation.created",
    "reservation.updated",
    "groupbuy.closed",
)
MERCHANT_ONLY_EVENTS = frozenset({"reservation.created", "reservation.updated"})


class PartnerKey(models.Model):
    """A partner site's read key (``Authorization: Api-Key …``), created by platform staff
    (any collective's published data) or by a collective's organisers (that collective's)."""

    name = models.CharField(
        _("name"), max_length=120, help_text=_("Who uses it, e.g. the town hall's site.")
    )
    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="partner_keys",
        verbose_name=_("collective"),
        help_text=_("Empty: a platform key, for every collective."),
    )
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    allowed_origins = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        verbose_name=_("allowed origins"),
        help_text=_("Sites whose pages may call the API from a browser, e.g. https://mairie.fr"),
    )
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner key")
        verbose_name_plural = _("partner keys")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_per_minute__gte=1, rate_per_minute__lte=100_000),
                name="partners_key_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class MerchantToken(models.Model):
    """A shop's write token (``Authorization: Bearer …``), e.g. for its till to sync stock;
    scoped to that shop, created and revoked by its staff."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("shop")
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("E.g. « Caisse du magasin »."))
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("shop API token")
        verbose_name_plural = _("shop API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.merchant} — {self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an ``Idempotency-Key``, replayed for 24 h to the
    same caller sending the same key. A record ``in_progress`` makes a concurrent duplicate
    answer 409; a key reused with a different request answers 422."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    # Whose key it is: "token:<id>" or "key:<id>" — a key is only ever compared with its own.
    caller = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    request_fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="partners_idempotency_once"),
            models.CheckConstraint(
                condition=Q(state__in=["in_progress", "done"]),
                name="partners_idempotency_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"


class WebhookEndpoint(models.Model):
    """An HTTPS address that receives events, registered by a collective's organisers (its
    events, its members' products) or by a shop's staff (that shop's products, stock,
    reservations). Exactly one owner."""

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("collective"),
    )
    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("shop"),
    )
    url = models.URLField(_("address (HTTPS)"), max_length=500)
    events = ArrayField(models.CharField(max_length=40), verbose_name=_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(collective__isnull=False, merchant__isnull=True)
                | Q(collective__isnull=True, merchant__isnull=False),
                name="partners_endpoint_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="https://"), name="partners_endpoint_https"
            ),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: written in the same transaction as the change (the
    outbox), sent by Celery with an HMAC-SHA256 signature, retried with exponential backoff
    for a day, then marked failed."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "Waiting")
        SUCCEEDED = "succeeded", pgettext_lazy("delivery status", "Delivered")
        FAILED = "failed", pgettext_lazy("delivery status", "Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event_id = models.UUIDField(_("event id"), db_index=True)
    event_type = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "succeeded", "failed"]),
                name="partners_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="partners_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint} ({self.get_status_display()})"

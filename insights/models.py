"""Figures given back to the shops and the collectives, counted without tracking anyone.

Page views, searches and clicks on « itinéraire » / « appeler » are counted in Redis during
the request (one round-trip, no cookie, no IP kept) and flushed by a periodic task into
:class:`DailyCount` and :class:`SearchCount`. A nightly task then computes one row per shop
and per collective and day (:class:`ShopDay`, :class:`CollectiveDay`) with set-based SQL, from
those counts and from the orders, events and follows tables. Re-running a day rewrites its
rows to the same values.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collectives.models import Collective
from merchants.models import Merchant

# What is counted per page or click.
COUNTED_KINDS = (
    "shop",  # a shop's page viewed
    "product",  # a product's page viewed
    "story",  # a story's page viewed
    "event",  # an event's page viewed
    "collective",  # a collective's page viewed
    "directions",  # « itinéraire » clicked on a shop
    "call",  # « appeler » clicked on a shop
)


class DailyCount(models.Model):
    """How many times something was seen or clicked on one day (Paris calendar day).
    ``merchant`` / ``collective`` say whose figure it is (a product's shop…), so aggregates
    group without joining every content table."""

    day = models.DateField(_("day"))
    kind = models.CharField(_("what"), max_length=12)
    object_id = models.PositiveBigIntegerField(_("object"))
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.PositiveBigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "object_id"], name="insights_dailycount_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=list(COUNTED_KINDS)), name="insights_dailycount_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "day"], name="insights_count_shop_day"),
            models.Index(fields=["collective", "day"], name="insights_count_coll_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} #{self.object_id}: {self.count}"


class SearchCount(models.Model):
    """The words people searched in a collective's catalog on one day (never who), and
    whether anything was found: « recherches sans résultat » are demand shops can meet."""

    day = models.DateField(_("day"))
    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="+", verbose_name=_("collective")
    )
    query = models.CharField(_("words searched"), max_length=100)
    found = models.BooleanField(_("found something"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("search count")
        verbose_name_plural = _("search counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "collective", "query", "found"], name="insights_search_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} « {self.query} »: {self.count}"


class _DayFigures(models.Model):
    """The figures a shop and a collective share, for one day."""

    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("page views"), default=0)
    reservations_created = models.PositiveIntegerField(_("reservations made"), default=0)
    reservations_collected = models.PositiveIntegerField(_("reservations collected"), default=0)
    reservations_expired = models.PositiveIntegerField(_("reservations expired"), default=0)
    items_reserved = models.PositiveIntegerField(_("items reserved"), default=0)
    amount_reserved = models.DecimalField(
        _("amount reserved"), max_digits=12, decimal_places=2, default=0
    )
    pledges = models.PositiveIntegerField(_("pledges"), default=0)
    group_buys_succeeded = models.PositiveIntegerField(_("group buys succeeded"), default=0)
    group_buys_failed = models.PositiveIntegerField(_("group buys not reached"), default=0)
    followers_gained = models.PositiveIntegerField(_("new followers"), default=0)
    # Reservations and pledges by where they came from: {"event": 3, "widget": 1, …}.
    by_source = models.JSONField(_("by origin"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        abstract = True


class ShopDay(_DayFigures):
    """One shop's figures for one day (seen by that shop's team only)."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="+", verbose_name=_("shop")
    )
    directions = models.PositiveIntegerField(_("« directions » clicks"), default=0)
    calls = models.PositiveIntegerField(_("« call » clicks"), default=0)

    class Meta:
        verbose_name = _("shop day")
        verbose_name_plural = _("shop days")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "day"], name="insights_shopday_once"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day}"


class CollectiveDay(_DayFigures):
    """A collective's figures for one day: totals over its active members and its own
    events — never one shop's figures."""

    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="+", verbose_name=_("collective")
    )
    searches = models.PositiveIntegerField(_("searches"), default=0)
    searches_without_results = models.PositiveIntegerField(_("searches without results"), default=0)
    event_registrations = models.PositiveIntegerField(_("event registrations"), default=0)
    event_attendance = models.PositiveIntegerField(
        _("registered for dates that took place"), default=0
    )
    newsletter_recipients = models.PositiveIntegerField(_("newsletter e-mails sent"), default=0)

    class Meta:
        verbose_name = _("collective day")
        verbose_name_plural = _("collective days")
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "day"], name="insights_collectiveday_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collective_id} {self.day}"


class FlushedBatch(models.Model):
    """A batch of counters moved out of Redis and added to :class:`DailyCount` /
    :class:`SearchCount`, recorded in the same transaction as the addition: a flush that
    stopped between its commit and deleting the batch from Redis finds it here and does not
    add it twice (``insights.services.flush``)."""

    key = models.CharField(_("Redis key"), max_length=200, unique=True)
    flushed_at = models.DateTimeField(_("flushed"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("flushed batch")
        verbose_name_plural = _("flushed batches")

    def __str__(self) -> str:
        return self.key

"""Selling the local way: click & collect reservations paid in the shop, and group buys where
customers pool their orders to unlock tiered discounts.

Stock is held when a reservation is made (a conditional UPDATE on the product, never a
read-modify-write) and given back when it is declined, cancelled or expires. A group buy
counts the quantity pledged on its own row under the same rule, so its total is exact under
any number of simultaneous pledges.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Product
from collectives.models import Collective, EventOccurrence
from merchants.models import Merchant


class Source(models.TextChoices):
    """Where a reservation or a pledge came from (what brought the customer to the shop)."""

    DIRECT = "direct", _("The shop or product page")
    CATALOG = "catalog", _("The shared catalog")
    SELECTION = "selection", _("A selection")
    EVENT = "event", _("An event")
    LIVE = "live", _("A live sale session")
    GROUP_BUY = "group_buy", _("A group buy")
    NEWSLETTER = "newsletter", _("The newsletter")
    WIDGET = "widget", _("A partner site")


SOURCES = [value for value, _label in Source.choices]


class Reservation(models.Model):
    """A customer's reservation of products of one shop, to pick up and pay there.

    ``pending`` → ``confirmed`` → ``ready`` → ``collected``; or ``declined`` (by the shop),
    ``cancelled`` (by the customer, or the shop), ``expired`` (not collected by the
    deadline). Lines freeze the unit price at reservation time. The customer's name and
    e-mail are copied so the shop keeps a readable line after an account is deleted (they are
    then replaced by an anonymous label).
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("reservation status", "Waiting for the shop")
        CONFIRMED = "confirmed", pgettext_lazy("reservation status", "Confirmed")
        READY = "ready", pgettext_lazy("reservation status", "Ready for pickup")
        COLLECTED = "collected", pgettext_lazy("reservation status", "Collected")
        DECLINED = "declined", pgettext_lazy("reservation status", "Declined")
        CANCELLED = "cancelled", pgettext_lazy("reservation status", "Cancelled")
        EXPIRED = "expired", pgettext_lazy("reservation status", "Expired")

    OPEN_STATUSES = ("pending", "confirmed", "ready")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("shop")
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reservations",
        verbose_name=_("customer"),
    )
    customer_name = models.CharField(_("customer's name"), max_length=150)
    customer_email = models.EmailField(_("customer's e-mail"), blank=True)
    customer_phone = models.CharField(_("customer's phone"), max_length=30, blank=True)
    note = models.TextField(_("message to the shop"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    # Short, unambiguous, said aloud at the counter (« K7M2QD »); unique within the shop.
    code = models.CharField(_("pickup code"), max_length=8)
    pickup_deadline = models.DateTimeField(_("pick up before"))
    pickup_occurrence = models.ForeignKey(
        EventOccurrence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reservations",
        verbose_name=_("pick up at the event"),
    )
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2, default=0)
    decline_reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(_("came from"), max_length=12, choices=Source, default=Source.DIRECT)
    group_buy = models.ForeignKey(
        "GroupBuy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reservations",
        verbose_name=_("group buy"),
    )
    created_at = models.DateTimeField(_("reserved"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    seen_at = models.DateTimeField(_("seen by the shop"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    collected_at = models.DateTimeField(_("collected"), null=True, blank=True)
    closed_at = models.DateTimeField(_("declined, cancelled or expired"), null=True, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "code"], name="orders_reservation_code"),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "pending",
                        "confirmed",
                        "ready",
                        "collected",
                        "declined",
                        "cancelled",
                        "expired",
                    ]
                ),
                name="orders_reservation_status_valid",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_reservation_total"),
            models.CheckConstraint(
                condition=Q(source__in=SOURCES), name="orders_reservation_source_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="collected") | Q(collected_at__isnull=False),
                name="orders_reservation_collected_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["declined", "cancelled", "expired"])
                | Q(closed_at__isnull=False),
                name="orders_reservation_closed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "status", "-created_at"], name="orders_res_inbox"),
            models.Index(fields=["status", "pickup_deadline"], name="orders_res_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.merchant} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ReservationLine(models.Model):
    """A product and quantity of a reservation, at the price it had when reserved.
    ``holds_stock`` says whether units were taken from the product's stock (products whose
    stock the shop does not count hold nothing), so they are given back exactly."""

    reservation = models.ForeignKey(
        Reservation, on_delete=models.CASCADE, related_name="lines", verbose_name=_("reservation")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="reservation_lines",
        verbose_name=_("product"),
    )
    title = models.CharField(_("product"), max_length=200)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    holds_stock = models.BooleanField(_("stock held"), default=False)

    class Meta:
        verbose_name = _("reservation line")
        verbose_name_plural = _("reservation lines")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reservation", "product"], name="orders_line_product_once"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_line_quantity"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orders_line_price"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class GroupBuy(models.Model):
    """Customers pool their orders of one product to unlock a discount.

    Opened by the shop, or by an organiser of a collective the shop belongs to, with price
    tiers by total quantity (:class:`GroupBuyTier`), a deadline, an optional maximum and a
    pickup place (the shop, or its stand at an event). ``pledged_quantity`` counts the active
    pledges on this row; the database refuses it above ``max_quantity``. At the deadline a
    task closes it: if the first tier is reached every pledge becomes a confirmed
    reservation at the final tier's price, otherwise every pledge is released.
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("group buy status", "Open")
        SUCCEEDED = "succeeded", pgettext_lazy("group buy status", "Succeeded")
        FAILED = "failed", pgettext_lazy("group buy status", "Not reached")
        CANCELLED = "cancelled", pgettext_lazy("group buy status", "Cancelled")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="group_buys", verbose_name=_("shop")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="group_buys", verbose_name=_("product")
    )
    collective = models.ForeignKey(
        Collective,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_buys",
        verbose_name=_("opened for the collective"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    description = models.TextField(_("description"), blank=True)
    unit_price = models.DecimalField(_("price before discount"), max_digits=10, decimal_places=2)
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    max_quantity = models.PositiveIntegerField(_("maximum quantity"), null=True, blank=True)
    pledged_quantity = models.PositiveIntegerField(_("quantity pledged"), default=0)
    pickup_occurrence = models.ForeignKey(
        EventOccurrence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_buys",
        verbose_name=_("pick up at the event"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.OPEN, db_index=True
    )
    final_discount = models.DecimalField(
        _("discount reached (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("group buy")
        verbose_name_plural = _("group buys")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "succeeded", "failed", "cancelled"]),
                name="orders_groupbuy_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(max_quantity__isnull=True) | Q(pledged_quantity__lte=F("max_quantity")),
                name="orders_groupbuy_within_max",
            ),
            models.CheckConstraint(
                condition=Q(max_quantity__isnull=True) | Q(max_quantity__gte=1),
                name="orders_groupbuy_max_positive",
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orders_groupbuy_price"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False),
                name="orders_groupbuy_closed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(final_discount__isnull=True)
                | Q(final_discount__gt=0, final_discount__lt=100),
                name="orders_groupbuy_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} ({self.get_status_display()})"


class GroupBuyTier(models.Model):
    """From ``min_quantity`` units pledged in total, everyone pays ``discount`` % less."""

    group_buy = models.ForeignKey(
        GroupBuy, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("group buy")
    )
    min_quantity = models.PositiveIntegerField(_("from (units in total)"))
    discount = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("price tier")
        verbose_name_plural = _("price tiers")
        ordering = ["min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["group_buy", "min_quantity"], name="orders_tier_quantity_once"
            ),
            models.CheckConstraint(condition=Q(min_quantity__gte=1), name="orders_tier_min"),
            models.CheckConstraint(
                condition=Q(discount__gt=0, discount__lt=100), name="orders_tier_discount_range"
            ),
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_quantity} → −{self.discount} %"


class Pledge(models.Model):
    """A customer's commitment to buy ``quantity`` units if the group buy succeeds.
    ``active`` while it is open (the customer may change or withdraw it); ``confirmed`` once
    turned into a reservation; ``released`` if the group buy failed or was cancelled."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("pledge status", "Pledged")
        WITHDRAWN = "withdrawn", pgettext_lazy("pledge status", "Withdrawn")
        CONFIRMED = "confirmed", pgettext_lazy("pledge status", "Turned into a reservation")
        RELEASED = "released", pgettext_lazy("pledge status", "Released")

    group_buy = models.ForeignKey(
        GroupBuy, on_delete=models.CASCADE, related_name="pledges", verbose_name=_("group buy")
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name=_("customer"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    source = models.CharField(
        _("came from"), max_length=12, choices=Source, default=Source.GROUP_BUY
    )
    reservation = models.OneToOneField(
        Reservation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledge",
        verbose_name=_("reservation"),
    )
    created_at = models.DateTimeField(_("pledged"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group_buy", "customer"],
                condition=Q(status="active"),
                name="orders_pledge_one_active_per_customer",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_pledge_quantity"),
            models.CheckConstraint(
                condition=Q(status__in=["active", "withdrawn", "confirmed", "released"]),
                name="orders_pledge_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=SOURCES), name="orders_pledge_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.group_buy} ({self.get_status_display()})"

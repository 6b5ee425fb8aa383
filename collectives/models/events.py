"""Events of a collective: market days, late openings, workshops, open days, live sale
sessions.

An :class:`Event` describes the thing (title, place, capacity, recurrence rule); each of its
dates is an :class:`EventOccurrence` row. A one-off event has one occurrence; a recurring
event (« tous les samedis ») has one per date of its RFC 5545 rule, materialised a year
ahead and extended by a daily task. Exceptions are occurrences too: a cancelled date keeps its
row (status ``cancelled``), a moved date keeps the date the rule gave (``original_start``,
the iCalendar RECURRENCE-ID) and gets its new times. Registrations, capacity and reminders
therefore work the same for one-off and recurring events: they belong to an occurrence.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Product
from collectives.models.collectives import Collective
from collectives.querysets import EventOccurrenceQuerySet, EventQuerySet
from merchants.geo import coordinates_constraint, latitude_field, longitude_field
from merchants.models import Merchant
from merchants.photos import Photo, photo_constraints


class Event(models.Model):
    """Something the collective organises, once or on a recurring schedule."""

    class Kind(models.TextChoices):
        MARKET = "market", _("Market day")
        LATE_OPENING = "late_opening", _("Late opening")
        WORKSHOP = "workshop", _("Workshop")
        OPEN_DAY = "open_day", _("Open day")
        LIVE = "live", _("Live sale session")
        OTHER = "other", pgettext_lazy("event kind", "Other")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("event status", "Draft")
        PUBLISHED = "published", pgettext_lazy("event status", "Published")
        CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")

    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="events", verbose_name=_("collective")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.MARKET)
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    # The first date; later dates follow from ``recurrence``. Stored in UTC, entered and shown
    # in Europe/Paris; the rule is expanded in Paris time so 8 h stays 8 h across DST.
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    recurrence = models.CharField(
        _("recurrence rule"),
        max_length=300,
        blank=True,
        help_text=_("An RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=SA. Empty for a one-off event."),
    )
    is_online = models.BooleanField(_("online"), default=False)
    place_name = models.CharField(_("place"), max_length=150, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    latitude = latitude_field(_("latitude"))
    longitude = longitude_field(_("longitude"))
    online_url = models.URLField(_("online link"), blank=True)
    stream_url = models.URLField(
        _("stream link"),
        blank=True,
        help_text=_("PeerTube, YouTube, Twitch or Instagram address of the live."),
    )
    capacity = models.PositiveIntegerField(
        _("seats per date"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_open = models.BooleanField(_("registration"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    featured_products = models.ManyToManyField(
        Product, blank=True, related_name="featured_in_events", verbose_name=_("featured products")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["collective", "slug"], name="collectives_event_slug"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["market", "late_opening", "workshop", "open_day", "live", "other"]
                ),
                name="collectives_event_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "cancelled"]),
                name="collectives_event_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="collectives_event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="collectives_event_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="collectives_event_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="collectives_event_cancelled_has_date",
            ),
            coordinates_constraint("latitude", "longitude", name="collectives_event_pin_pair"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "events:detail", kwargs={"slug": self.collective.slug, "event_slug": self.slug}
        )

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence)

    @property
    def is_live(self) -> bool:
        return self.kind == self.Kind.LIVE


class EventOccurrence(models.Model):
    """One date of an event, with its own seats.

    ``seats_taken`` counts confirmed registrations; the database refuses a row where it
    exceeds ``capacity`` (copied from the event so the rule is one CHECK on one row), and
    the registration service takes the row lock before counting, so no two people get the
    last seat.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("occurrence status", "Cancelled")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="occurrences", verbose_name=_("event")
    )
    # The start the rule gives for this date (iCalendar's RECURRENCE-ID): it identifies the
    # date even after the organiser moves it.
    original_start = models.DateTimeField(_("planned start"))
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SCHEDULED)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = EventOccurrenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("event date")
        verbose_name_plural = _("event dates")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "original_start"], name="collectives_occurrence_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "cancelled"]),
                name="collectives_occurrence_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="collectives_occurrence_ends_after_start",
            ),
            # The seat rule itself: never more confirmed people than seats.
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="collectives_occurrence_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__gte=0), name="collectives_occurrence_seats_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} — {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED or self.event.status == Event.Status.CANCELLED

    @property
    def is_moved(self) -> bool:
        return self.starts_at != self.original_start

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.seats_taken >= self.capacity


class Registration(models.Model):
    """A person's place at one date of an event: confirmed, on the waiting list, or
    cancelled. The waiting list is served in order of ``created_at``."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", pgettext_lazy("registration status", "Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")

    occurrence = models.ForeignKey(
        EventOccurrence,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("event date"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_registrations",
        verbose_name=_("person"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Set when the e-mail is claimed, before it is sent: each is sent at most once.
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    cancellation_notified_at = models.DateTimeField(
        _("cancellation notice sent"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            # One live registration per person and date; cancelled ones stay as history.
            models.UniqueConstraint(
                fields=["occurrence", "user"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="collectives_registration_one_live_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "waitlisted", "cancelled"]),
                name="collectives_registration_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="collectives_registration_confirmed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="collectives_registration_cancelled_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["occurrence", "status", "created_at"], name="coll_reg_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.occurrence} ({self.get_status_display()})"


class EventParticipation(models.Model):
    """A member shop taking part in an event (a stand at the market, open late…): the
    organisers invite, the shop accepts or declines."""

    class Status(models.TextChoices):
        INVITED = "invited", pgettext_lazy("participation status", "Invited")
        ACCEPTED = "accepted", pgettext_lazy("participation status", "Taking part")
        DECLINED = "declined", pgettext_lazy("participation status", "Declined")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="participations", verbose_name=_("event")
    )
    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        related_name="event_participations",
        verbose_name=_("shop"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.INVITED)
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("participating shop")
        verbose_name_plural = _("participating shops")
        ordering = ["merchant__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "merchant"], name="collectives_participation_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["invited", "accepted", "declined"]),
                name="collectives_participation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="invited") | Q(answered_at__isnull=False),
                name="collectives_participation_answer_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} @ {self.event} ({self.get_status_display()})"


class LineupItem(models.Model):
    """A product presented during a live sale session, in order. During the live the
    organiser highlights the one being shown (at most one per event: a partial unique
    index)."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="lineup", verbose_name=_("live session")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Shown with the product, e.g. an offer.")
    )
    is_current = models.BooleanField(_("being shown"), default=False)
    shown_at = models.DateTimeField(_("shown at"), null=True, blank=True)

    class Meta:
        verbose_name = _("line-up product")
        verbose_name_plural = _("line-up")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "product"], name="collectives_lineup_product_once"
            ),
            models.UniqueConstraint(
                fields=["event", "position"],
                name="collectives_lineup_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(is_current=True),
                name="collectives_lineup_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.product}"


class EventPhoto(Photo):
    """The event's cover photo (the first by position), processed like every photo."""

    UPLOAD_FOLDER = "events"

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="photos", verbose_name=_("event")
    )

    class Meta:
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")
        ordering = ["position", "pk"]
        constraints = photo_constraints("event", prefix="collectives_eventphoto")

"""Shops (merchants), the people who run them, and when they are open."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from merchants.geo import coordinates_constraint, latitude_field, longitude_field
from merchants.invitations import EmailInvitation, invitation_constraints
from merchants.photos import Photo, photo_constraints
from merchants.querysets import MerchantQuerySet, StoryQuerySet
from merchants.validators import validate_siret

postcode_validator = RegexValidator(r"^[0-9]{5}$", _("A French postcode has 5 digits."))


class Trade(models.TextChoices):
    """What a shop does, as a customer would say it. Distinct from product categories: a
    bakery's trade is « Boulangerie » whatever the categories of the loaves it lists."""

    BAKERY = "bakery", _("Bakery")
    BUTCHER = "butcher", _("Butcher")
    CHEESE = "cheese", _("Cheese shop")
    GREENGROCER = "greengrocer", _("Greengrocer")
    GROCERY = "grocery", _("Grocery")
    WINE = "wine", _("Wine shop")
    FISHMONGER = "fishmonger", _("Fishmonger")
    PRODUCER = "producer", _("Producer")
    FASHION = "fashion", _("Fashion")
    HOME = "home", _("Home and decoration")
    BEAUTY = "beauty", _("Beauty and well-being")
    BOOKS = "books", _("Bookshop")
    FLORIST = "florist", _("Florist")
    CRAFT = "craft", _("Craft workshop")
    SERVICES = "services", _("Services")
    OTHER = "other", _("Other")


class Merchant(models.Model):
    """A shop, artisan or producer: the tenant that owns products, stories and hours.

    A new shop is a draft until its owner publishes it; the platform can suspend it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("shop status", "Draft")
        ACTIVE = "active", pgettext_lazy("shop status", "Active")
        SUSPENDED = "suspended", pgettext_lazy("shop status", "Suspended")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    trade = models.CharField(_("trade"), max_length=20, choices=Trade, default=Trade.OTHER)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("14 digits, optional."),
    )
    short_description = models.CharField(_("short description"), max_length=280, blank=True)
    story = models.TextField(_("story"), blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=5, blank=True, validators=[postcode_validator]
    )
    city = models.CharField(_("town"), max_length=100, blank=True)
    latitude = latitude_field(_("latitude"))
    longitude = longitude_field(_("longitude"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    social_links = ArrayField(
        models.URLField(max_length=300),
        size=6,
        default=list,
        blank=True,
        verbose_name=_("social links"),
        help_text=_("Instagram, Facebook, Mastodon… one address per line."),
    )
    logo = models.ImageField(_("logo"), upload_to="merchants/logos/", blank=True)
    cover_image = models.ImageField(_("cover image"), upload_to="merchants/covers/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MerchantQuerySet.as_manager()

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"),
                name="merchants_merchant_siret_14_digits",
            ),
            models.UniqueConstraint(
                fields=["siret"], condition=~Q(siret=""), name="merchants_merchant_siret_unique"
            ),
            models.CheckConstraint(
                condition=Q(postcode="") | Q(postcode__regex=r"^[0-9]{5}$"),
                name="merchants_merchant_postcode_5_digits",
            ),
            coordinates_constraint(
                "latitude", "longitude", name="merchants_merchant_coordinates_pair_in_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "suspended"]),
                name="merchants_merchant_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        # The public shop page lists products, so it lives in catalog (catalog builds on merchants).
        return reverse("catalog:shop", kwargs={"slug": self.slug})

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class MerchantMember(models.Model):
    """A person who works for a shop: its owner(s) or staff. One row per (user, shop)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="members", verbose_name=_("shop")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="merchant_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.STAFF)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("shop member")
        verbose_name_plural = _("shop members")
        constraints = [
            models.UniqueConstraint(fields=["user", "merchant"], name="merchants_member_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "staff"]), name="merchants_member_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.merchant} ({self.get_role_display()})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SecondsOfDay(models.Func):
    """Seconds since midnight of a ``time`` column (an immutable expression, fit for an index)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = models.DecimalField()


class OpeningHours(models.Model):
    """One opening range of a weekday (9:00-12:30); a day may have several that never overlap.

    Times are wall-clock times in the shop's town (Europe/Paris). A range ends the same day:
    ``opens < closes`` is a database rule.
    """

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("shop")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="merchants_hours_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")),
                name="merchants_hours_opens_before_closes",
            ),
            # Two ranges of the same shop and day may touch (12:00-14:00, 14:00-18:00) but not
            # overlap: a GiST exclusion over the ranges' seconds since midnight.
            ExclusionConstraint(
                name="merchants_hours_no_overlap",
                expressions=[
                    ("merchant", RangeOperators.EQUAL),
                    ("weekday", RangeOperators.EQUAL),
                    (
                        models.Func(
                            SecondsOfDay("opens"), SecondsOfDay("closes"), function="numrange"
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.opens >= self.closes:
            raise ValidationError(
                {"closes": _("The closing time must be later than the opening time.")}
            )


class Closure(models.Model):
    """An exceptional closure, e.g. holidays: closed every day from ``starts_on`` to ``ends_on``
    inclusive, whatever the weekly hours say."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="closures", verbose_name=_("shop")
    )
    starts_on = models.DateField(pgettext_lazy("closure", "from"))
    ends_on = models.DateField(_("until (inclusive)"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exceptional closure")
        verbose_name_plural = _("exceptional closures")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")),
                name="merchants_closure_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant}: {self.starts_on} → {self.ends_on}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            raise ValidationError({"ends_on": _("The closure must end on or after its start.")})


__all__ = ["Closure", "Merchant", "MerchantMember", "OpeningHours", "Trade", "Weekday"]


class StaffInvitation(EmailInvitation):
    """An owner's invitation to join the shop's team, sent by e-mail (see
    :class:`merchants.invitations.EmailInvitation`)."""

    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        related_name="staff_invitations",
        verbose_name=_("shop"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MerchantMember.Role, default=MerchantMember.Role.STAFF
    )

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at"]
        constraints = invitation_constraints("merchant", prefix="merchants_staffinvitation")

    def __str__(self) -> str:
        return f"{self.email} → {self.merchant}"


class Story(models.Model):
    """A story of the shop's craft: how things are made, who makes them.

    ``body`` is Markdown, rendered and sanitised on display. ``video_url`` is a PeerTube,
    YouTube or Vimeo page, shown as a link: nothing from the video site loads until the
    visitor clicks. Products point to the stories that tell about them (catalog.Product).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("story status", "Draft")
        PUBLISHED = "published", pgettext_lazy("story status", "Published")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="stories", verbose_name=_("shop")
    )
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160)
    body = models.TextField(
        _("text"), blank=True, help_text=_("Markdown: *italic*, **bold**, lists, links.")
    )
    video_url = models.URLField(_("video link"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "slug"], name="merchants_story_slug_unique_per_merchant"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="merchants_story_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="merchants_story_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class StoryImage(Photo):
    """A photo of a story (see :class:`merchants.photos.Photo`)."""

    UPLOAD_FOLDER = "stories"

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="images", verbose_name=_("story")
    )

    class Meta:
        verbose_name = _("story photo")
        verbose_name_plural = _("story photos")
        ordering = ["story", "position"]
        constraints = photo_constraints("story", prefix="merchants_storyimage")

    def __str__(self) -> str:
        return self.alt_text or f"{self.story} #{self.position}"

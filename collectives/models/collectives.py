"""Collectives: the shops of a town acting together, their members and organisers."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collectives.querysets import CollectiveQuerySet, MembershipQuerySet
from merchants.geo import coordinates_constraint, latitude_field, longitude_field
from merchants.invitations import EmailInvitation, invitation_constraints
from merchants.models import Merchant


class Collective(models.Model):
    """A town's association of merchants (union commerciale, market association, cooperative)."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("collective status", "Draft")
        ACTIVE = "active", pgettext_lazy("collective status", "Active")
        ARCHIVED = "archived", pgettext_lazy("collective status", "Archived")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    town = models.CharField(_("town"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    charter = models.TextField(
        _("charter"),
        blank=True,
        help_text=_("The commitments every member shop accepts when joining."),
    )
    logo = models.ImageField(_("logo"), upload_to="collectives/logos/", blank=True)
    cover_image = models.ImageField(_("cover image"), upload_to="collectives/covers/", blank=True)
    map_latitude = latitude_field(_("map centre latitude"))
    map_longitude = longitude_field(_("map centre longitude"))
    map_zoom = models.PositiveSmallIntegerField(
        _("map zoom"), default=15, validators=[MinValueValidator(1), MaxValueValidator(19)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CollectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("collective")
        verbose_name_plural = _("collectives")
        ordering = ["name"]
        constraints = [
            coordinates_constraint(
                "map_latitude",
                "map_longitude",
                name="collectives_collective_map_centre_pair_in_range",
            ),
            models.CheckConstraint(
                condition=Q(map_zoom__gte=1, map_zoom__lte=19),
                name="collectives_collective_map_zoom_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "archived"]),
                name="collectives_collective_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("collectives:detail", kwargs={"slug": self.slug})


class Membership(models.Model):
    """A shop's place in a collective, from invitation or request to leaving.

    There is one row per (collective, shop): it moves through its states rather than being
    re-created, so the history of a shop in a collective stays in one place.
    """

    class Status(models.TextChoices):
        INVITED = "invited", pgettext_lazy("membership status", "Invited")
        REQUESTED = "requested", pgettext_lazy("membership status", "Join requested")
        ACTIVE = "active", pgettext_lazy("membership status", "Active")
        DECLINED = "declined", pgettext_lazy("membership status", "Declined")
        SUSPENDED = "suspended", pgettext_lazy("membership status", "Suspended")
        LEFT = "left", pgettext_lazy("membership status", "Left")

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("collective"),
    )
    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        related_name="collective_memberships",
        verbose_name=_("shop"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, db_index=True)
    message = models.TextField(
        _("message"), blank=True, help_text=_("Sent with the invitation, request or answer.")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited or approved by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["collective", "merchant__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "merchant"], name="collectives_membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["invited", "requested", "active", "declined", "suspended", "left"]
                ),
                name="collectives_membership_status_valid",
            ),
            # An active member has a joining date; a shop that left has a leaving date.
            models.CheckConstraint(
                condition=~Q(status="active") | Q(joined_at__isnull=False),
                name="collectives_membership_active_has_joined_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(left_at__isnull=False),
                name="collectives_membership_left_has_left_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} ∈ {self.collective} ({self.get_status_display()})"


class Organiser(models.Model):
    """A person who runs a collective. Admins also manage the other organisers."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        ORGANISER = "organiser", _("Organiser")

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="organisers",
        verbose_name=_("collective"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organiser_roles",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.ORGANISER)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "user"], name="collectives_organiser_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["admin", "organiser"]),
                name="collectives_organiser_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.collective} ({self.get_role_display()})"


class CollectiveInvitation(EmailInvitation):
    """An organiser's invitation, sent by e-mail, to a shopkeeper who may not be on Halle yet
    (see :class:`merchants.invitations.EmailInvitation`).

    The invitee follows the link, creates or picks their shop, accepts the charter, and the
    shop becomes an active member (its :class:`Membership` row is created or reactivated).
    """

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("collective"),
    )
    message = models.TextField(_("message"), blank=True)
    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shop that joined"),
    )

    class Meta:
        verbose_name = _("invitation to join")
        verbose_name_plural = _("invitations to join")
        ordering = ["-created_at"]
        constraints = [
            *invitation_constraints("collective", prefix="collectives_invitation"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(merchant__isnull=False),
                name="collectives_invitation_accepted_names_the_shop",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.collective}"

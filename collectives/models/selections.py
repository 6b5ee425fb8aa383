"""Selections: the organisers' curated lists of member products (« Noël local », « Fête des
mères », « Nouveautés »), shown between two dates. Member shops may propose their products;
organisers accept or decline them. Organisers choose and order products, never edit them.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Product
from collectives.models.collectives import Collective
from collectives.querysets import SelectionQuerySet
from merchants.photos import Photo, photo_constraints


class Selection(models.Model):
    """An ordered list of member products with a title, a text and a cover, public once
    published and between ``visible_from`` and ``visible_until`` (either may be empty)."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("selection status", "Draft")
        PUBLISHED = "published", pgettext_lazy("selection status", "Published")

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="selections",
        verbose_name=_("collective"),
    )
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160)
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    visible_from = models.DateTimeField(_("visible from"), null=True, blank=True)
    visible_until = models.DateTimeField(_("visible until"), null=True, blank=True)
    is_featured = models.BooleanField(_("featured on the collective's page"), default=True)
    accepts_proposals = models.BooleanField(_("member shops may propose products"), default=True)
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

    objects = SelectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "slug"], name="collectives_selection_slug"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]),
                name="collectives_selection_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(visible_from__isnull=True)
                | Q(visible_until__isnull=True)
                | Q(visible_until__gt=F("visible_from")),
                name="collectives_selection_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "selections:detail",
            kwargs={"slug": self.collective.slug, "selection_slug": self.slug},
        )


class SelectionItem(models.Model):
    """A product in a selection. Organisers add products as ``accepted``; a member's
    proposal starts ``proposed`` until an organiser accepts or declines it. Only accepted
    items are shown, in ``position`` order."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("selection item status", "Proposed")
        ACCEPTED = "accepted", pgettext_lazy("selection item status", "In the selection")
        DECLINED = "declined", pgettext_lazy("selection item status", "Declined")

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="items", verbose_name=_("selection")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="selection_items",
        verbose_name=_("product"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    # Accepted items have a position; NULLs never collide, so proposals need none.
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)
    note = models.CharField(
        _("message"), max_length=300, blank=True, help_text=_("Why this product fits.")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("selection product")
        verbose_name_plural = _("selection products")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "product"], name="collectives_selectionitem_once"
            ),
            models.UniqueConstraint(
                fields=["selection", "position"],
                name="collectives_selectionitem_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "accepted", "declined"]),
                name="collectives_selectionitem_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(position__isnull=False),
                name="collectives_selectionitem_accepted_has_position",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} ∈ {self.selection} ({self.get_status_display()})"


class SelectionPhoto(Photo):
    """The selection's cover (the first by position)."""

    UPLOAD_FOLDER = "selections"

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="photos", verbose_name=_("selection")
    )

    class Meta:
        verbose_name = _("selection cover")
        verbose_name_plural = _("selection covers")
        ordering = ["position", "pk"]
        constraints = photo_constraints("selection", prefix="collectives_selectionphoto")

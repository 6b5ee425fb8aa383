"""Customers following shops and collectives: what « Mon fil » shows them, and who hears the
collective's newsletter."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collectives.models.collectives import Collective
from merchants.models import Merchant


class Follow(models.Model):
    """A person follows either a shop or a collective (exactly one of the two)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("person"),
    )
    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("shop"),
    )
    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("collective"),
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(merchant__isnull=False, collective__isnull=True)
                | Q(merchant__isnull=True, collective__isnull=False),
                name="collectives_follow_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "merchant"],
                condition=Q(merchant__isnull=False),
                name="collectives_follow_shop_once",
            ),
            models.UniqueConstraint(
                fields=["user", "collective"],
                condition=Q(collective__isnull=False),
                name="collectives_follow_collective_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.merchant or self.collective}"

"""Invitations sent by e-mail: to a shop's team (merchants) or to a collective (collectives).

Both follow the same rules, so they share this abstract model: the link carries a random
token of which only the SHA-256 is stored (a database leak hands out no working link); an
invitation expires, is used once, can be withdrawn, and re-inviting the same address renews
the open one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class EmailInvitation(models.Model):
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        abstract = True


def invitation_constraints(scope: str, *, prefix: str) -> list[models.BaseConstraint]:
    """What always holds for an invitation into ``scope`` (the shop, the collective)."""
    return [
        models.CheckConstraint(
            condition=Q(expires_at__gt=models.F("created_at")),
            name=f"{prefix}_expires_after_sent",
        ),
        models.CheckConstraint(
            condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
            name=f"{prefix}_not_accepted_and_revoked",
        ),
        # One open invitation per address and scope: re-inviting renews it.
        models.UniqueConstraint(
            scope,
            Lower("email"),
            condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
            name=f"{prefix}_one_open_per_email",
        ),
    ]

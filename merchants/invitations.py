"""Invitations sent by e-mail: to a shop's team (merchants) or to a collective (collectives).

Both follow the same rules, so they share this abstract model: the link carries a random
token of which only the SHA-256 is stored (a database leak hands out no working link); an
invitation expires, is used once, can be withdrawn, and re-inviting the same address renews
the open one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from accounts.models import User
    from accounts.permissions import Actor


class EmailInvitation(models.Model):
    email = models.EmailField(gettext_lazy("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=gettext_lazy("invited by"),
    )
    created_at = models.DateTimeField(gettext_lazy("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(gettext_lazy("expires"))
    accepted_at = models.DateTimeField(gettext_lazy("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("accepted by"),
    )
    revoked_at = models.DateTimeField(gettext_lazy("withdrawn"), null=True, blank=True)

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


# --- The rules both kinds follow ------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    """What the database keeps of an invitation's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_is_open(invitation: EmailInvitation, *, now: dt.datetime | None = None) -> bool:
    """Neither accepted, withdrawn nor expired."""
    now = now or timezone.now()
    return (
        invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > now
    )


def invitation_check(*, invitation: EmailInvitation | None, actor: Actor) -> None:
    """Raise ``ValidationError`` (with a ``code`` the page uses) unless ``actor`` may accept
    ``invitation`` now. Codes: ``unknown`` (no such link), ``used``, ``withdrawn``,
    ``expired``, ``wrong_email`` (logged in with another address than the one invited)."""
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."), code="unknown")
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."), code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation has been withdrawn."), code="withdrawn")
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired."), code="expired")
    if not actor.is_authenticated or actor.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to another e-mail address."), code="wrong_email"
        )


InvitationT = TypeVar("InvitationT", bound=EmailInvitation)


def invitation_renew(
    *,
    model: type[InvitationT],
    scope: dict[str, Any],
    email: str,
    actor: User,
    validity: dt.timedelta,
    **fields: Any,
) -> tuple[InvitationT, str]:
    """The open invitation of ``email`` into ``scope`` (e.g. ``{"merchant": shop}``) with a
    new link — or a new invitation. Returns it with the link's token, the only time the token
    exists outside the e-mail. Call inside a transaction: the open row is locked."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = (
        model._default_manager.select_for_update()
        .filter(**scope, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = model(**scope, email=email, created_at=now)
    invitation.email = email
    for name, value in fields.items():
        setattr(invitation, name, value)
    invitation.token_hash = invitation_token_hash(token)
    invitation.invited_by = actor
    invitation.expires_at = now + validity
    invitation.full_clean(exclude=["created_at"], validate_constraints=False)
    invitation.save()
    return invitation, token


def invitation_send(
    *, invitation: EmailInvitation, link: str, templates: str, context: dict[str, Any]
) -> None:
    """E-mail the invitation's ``link``, in the site's language (the invited person may have
    no account, hence no language yet). ``templates`` names ``<templates>_subject.txt`` and
    ``<templates>.txt``."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "invitation": invitation, "inviter": invitation.invited_by}
        context["link"] = settings.SITE_URL.rstrip("/") + link
        subject = render_to_string(f"{templates}_subject.txt", context)
        body = render_to_string(f"{templates}.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [invitation.email])

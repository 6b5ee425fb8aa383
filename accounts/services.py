"""Every write to a person's own account: their settings, and deleting the account.

Deleting works through the registry of :mod:`accounts.personal_data`, so this upstream app
erases what the downstream apps hold without importing their models.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import personal_data
from accounts.models import User
from accounts.permissions import require

SETTINGS_FIELDS = ("display_name", "preferred_language", "notification_email")


@transaction.atomic
def account_update_settings(
    *,
    actor: User,
    user: User,
    display_name: str,
    preferred_language: str,
    notification_email: str,
) -> User:
    """Change the name shown to shops and organisers, the language of pages and e-mails, and
    the address notices go to (empty: the log-in address). Only the person themselves."""
    require(actor.is_authenticated and actor.pk == user.pk)
    user = User.objects.select_for_update().get(pk=user.pk)
    user.display_name = display_name.strip()
    user.preferred_language = preferred_language
    user.notification_email = notification_email.strip().lower()
    # The other fields are not the person's to change here; their errors are not theirs.
    exclude = [f.name for f in User._meta.get_fields() if f.name not in SETTINGS_FIELDS]
    user.full_clean(exclude=exclude, validate_constraints=False)
    user.save(update_fields=[*SETTINGS_FIELDS])
    return user


@transaction.atomic
def account_delete(*, actor: User, user: User) -> None:
    """Delete the person's account for good.

    Every registered app first says whether it can let go (a sole owner of an active shop
    must hand it over first): any refusal raises ``ValidationError`` (one message per
    reason, code ``refused``) and nothing changes. Then every app erases its share — open
    reservations cancelled and their stock given back, registrations cancelled so seats go to
    the waiting list, follows removed… — and the user row is deleted last, which logs the
    person out of every session and frees the e-mail address for a new sign-up. Shops keep
    their reservations with an anonymous customer. One transaction: all or nothing.
    """
    require(actor.is_authenticated and actor.pk == user.pk)
    # The row lock serialises two deletions of the same account (two tabs, a double click).
    user = User.objects.select_for_update().get(pk=user.pk)
    refusals = personal_data.deletion_refusals(user)
    if refusals:
        raise ValidationError([ValidationError(r, code="refused") for r in refusals])
    for section in personal_data.sections():
        section.erase(user)
    User.objects.filter(pk=user.pk).delete()

"""Writing people's choices: the preferences page, and unsubscribing from a link."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.kinds import DIGEST, IMMEDIATE, KINDS, OFF
from notifications.models import Preference
from notifications.selectors.preferences import chosen_modes
from notifications.unsubscribe import NEWSLETTER_PREFIX, TOPIC_ALL, TOPIC_DIGEST

_MODES = (IMMEDIATE, DIGEST, OFF)


def _set(user: User, kind: str, mode: str) -> None:
    Preference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})


@transaction.atomic
def preferences_save(
    *, actor: User, modes: Mapping[str, str], all_off: bool | None = None
) -> dict[str, str]:
    """Record how ``actor`` wants each kind (``immediate``, ``digest`` or ``off``), and
    optionally « no e-mail but the essential ones » (``all_off``). Transactional kinds
    cannot be changed. Returns the person's choices afterwards."""
    errors: dict[str, list[ValidationError]] = {}
    for name, mode in modes.items():
        kind = KINDS.get(name)
        if kind is None:
            errors.setdefault(name, []).append(
                ValidationError(_("Unknown kind of notice."), code="unknown_kind")
            )
        elif mode not in _MODES:
            errors.setdefault(name, []).append(
                ValidationError(_("Choose one of the options."), code="invalid_mode")
            )
        elif kind.transactional and mode != IMMEDIATE:
            errors.setdefault(name, []).append(
                ValidationError(
                    _("This notice is essential to what you asked for: it is always sent."),
                    code="transactional",
                )
            )
    if errors:
        raise ValidationError(errors)
    for name, mode in modes.items():
        if not KINDS[name].transactional:
            _set(actor, name, mode)
    if all_off is True:
        _set(actor, TOPIC_ALL, OFF)
    elif all_off is False:
        Preference.objects.filter(user=actor, kind=TOPIC_ALL).delete()
    return chosen_modes(actor)


@transaction.atomic
def unsubscribe(*, user_id: int, topic: str) -> User | None:
    """Stop the e-mails of ``topic`` for the person of a signed unsubscribe link (no log-in:
    the signature is the proof). A kind turns that kind off; ``digest`` turns off every
    kind the person gets in the digest; a newsletter topic or ``all`` is recorded as such
    (see :func:`notifications.selectors.preferences.opted_out_of_newsletter`). Transactional
    kinds cannot be turned off: unsubscribing from one changes nothing. Returns the person,
    or ``None`` if the account is gone. Doing it twice changes nothing more."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    if topic == TOPIC_DIGEST:
        chosen = chosen_modes(user)
        for kind in KINDS.values():
            if not kind.transactional and kind.mode_for(chosen.get(kind.name)) == DIGEST:
                _set(user, kind.name, OFF)
    elif (
        topic == TOPIC_ALL
        or topic.startswith(NEWSLETTER_PREFIX)
        or (topic in KINDS and not KINDS[topic].transactional)
    ):
        _set(user, topic, OFF)
    return user


@transaction.atomic
def resubscribe(*, actor: User, topic: str) -> None:
    """Undo an unsubscription from a newsletter or from « all » (kinds are changed on the
    preferences page)."""
    if topic == TOPIC_ALL or topic.startswith(NEWSLETTER_PREFIX):
        Preference.objects.filter(user=actor, kind=topic).delete()

"""Signed one-click unsubscribe links.

A token names a person and a *topic*: a notification kind (``event.reminder``), a
collective's newsletter (``newsletter:<collective_id>``), the daily digest (``digest``) or
``all`` (every e-mail that is not transactional). It is signed with the
project's secret key and a salt of its own, so it cannot be forged or reused as another
kind of signed value; it does not expire, because an unsubscribe link in an old e-mail
must keep working (RFC 8058 one-click).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

if TYPE_CHECKING:
    from accounts.models import User

SALT = "halle.notifications.unsubscribe"
TOPIC_ALL = "all"
TOPIC_DIGEST = "digest"
NEWSLETTER_PREFIX = "newsletter:"

# A kind is dotted lowercase words; a newsletter topic carries a collective id.
_TOPIC_RE = re.compile(r"^(all|digest|newsletter:[0-9]+|[a-z_]+(\.[a-z_]+)+)$")


def newsletter_topic(collective_id: int) -> str:
    """The unsubscribe topic of one collective's newsletter."""
    return f"{NEWSLETTER_PREFIX}{collective_id}"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def unsubscribe_token(user: User, topic: str) -> str:
    """A signed, URL-safe token that unsubscribes ``user`` from ``topic``."""
    if not _TOPIC_RE.match(topic):
        raise ValueError(f"Not an unsubscribe topic: {topic!r}")
    return _signer().sign_object({"u": user.pk, "t": topic}, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """``(user_id, topic)`` from a token made by :func:`unsubscribe_token`, or ``None``
    when it was tampered with, signed with another salt or malformed."""
    try:
        data = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    user_id, topic = data.get("u"), data.get("t")
    if not isinstance(user_id, int) or not isinstance(topic, str) or not _TOPIC_RE.match(topic):
        return None
    return user_id, topic


def unsubscribe_url(user: User, topic: str) -> str:
    """The absolute one-click unsubscribe URL (``settings.SITE_URL``), in the person's
    language so the confirmation page speaks it."""
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse(
            "notifications:unsubscribe", kwargs={"token": unsubscribe_token(user, topic)}
        )
    return settings.SITE_URL.rstrip("/") + path

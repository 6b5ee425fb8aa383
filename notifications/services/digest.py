"""The daily digest: one e-mail per person gathering their digest-mode notifications.

Each person's notifications are claimed set-based — one UPDATE stamps ``digested_at`` on
every row not yet in a digest — so a notification goes into at most one digest even if two
digest tasks run for the same person at once (PostgreSQL re-checks ``digested_at IS NULL``
on rows the other UPDATE changed). A mail server that fails gives the rows back (the same
stamp identifies them) and re-raises for the task's retry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from accounts.models import User
from notifications.emails import compose, localised_path, site_url
from notifications.kinds import KINDS
from notifications.models import Notification
from notifications.unsubscribe import TOPIC_DIGEST

S = Notification.EmailStatus
# News older than this is not worth a morning e-mail any more (after a long outage).
DIGEST_HORIZON = dt.timedelta(days=7)


def _waiting(now: dt.datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(
        email_status=S.DIGEST,
        digested_at__isnull=True,
        created_at__lte=now,
        created_at__gt=now - DIGEST_HORIZON,
    )


def digest_recipient_ids(*, now: dt.datetime | None = None) -> Iterator[int]:
    """The people with something waiting for their digest (ids, in order)."""
    return (
        _waiting(now or timezone.now())
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
        .iterator()
    )


def digest_send(*, user_id: int, now: dt.datetime | None = None) -> bool:
    """Send ``user_id`` one e-mail gathering what waits for their digest, and mark each of
    those notifications as digested. Returns whether an e-mail left."""
    now = now or timezone.now()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    stamp = timezone.now()
    claimed = _waiting(now).filter(recipient_id=user_id).update(digested_at=stamp)
    if not claimed:
        return False
    mine = Notification.objects.filter(recipient_id=user_id, digested_at=stamp)
    items = list(mine.order_by("kind", "created_at", "pk"))
    language = user.preferred_language or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            groups = _grouped(items, language)
            message = compose(
                user=user,
                templates="notifications/emails/digest",
                context={"groups": groups, "count": len(items)},
                unsubscribe_topic=TOPIC_DIGEST,
            )
        message.send()
    except BaseException:
        mine.update(digested_at=None)  # not sent: the retry (or tomorrow) sends them
        raise
    return True


def _grouped(items: list[Notification], language: str) -> list[dict[str, object]]:
    """The notifications by kind, in the registry's order, each with its absolute link."""
    by_kind: dict[str, list[dict[str, str]]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(
            {
                "summary": item.summary,
                "link": site_url(localised_path(item.link, language)) if item.link else "",
            }
        )
    return [
        {"label": KINDS[name].label if name in KINDS else name, "items": by_kind[name]}
        for name in sorted(by_kind, key=lambda n: list(KINDS).index(n) if n in KINDS else 999)
    ]

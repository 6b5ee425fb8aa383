"""``notify()``: the one way a domain service tells someone something.

It writes a :class:`~notifications.models.Notification` row in the caller's transaction —
the outbox: the row commits with the change it reports and vanishes with its rollback —
and queues the e-mail's delivery once that transaction commits. What the e-mail does
depends on the person's preference for the kind: sent straight away (``pending``), kept for
the daily digest (``digest``) or not e-mailed (``skipped``; transactional kinds ignore
« off »). The row is the in-app inbox entry in every case.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from notifications.kinds import DIGEST, OFF, Kind, Mode, get_kind
from notifications.models import Notification
from notifications.queueing import queue_on_commit
from notifications.selectors.preferences import effective_mode, effective_modes

logger = logging.getLogger(__name__)

S = Notification.EmailStatus
_STATUS_FOR_MODE = {"immediate": S.PENDING, DIGEST: S.DIGEST, OFF: S.SKIPPED}
_SUMMARY_LENGTH = Notification._meta.get_field("summary").max_length or 300


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    context: Mapping[str, Any] | None = None,
    link: str = "",
    summary: str = "",
    email: bool = True,
    queue: bool = True,
) -> Notification:
    """Tell ``recipient`` about ``kind`` (a name of :data:`notifications.kinds.KINDS`).

    ``context`` holds ids and plain values (JSON) for the templates; ``link`` is a path on
    Halle the inbox entry leads to; ``summary`` its one line (by default the e-mail's
    subject, written now in the recipient's language). ``email=False`` keeps it in the
    inbox only (the caller e-mails another way, e.g. to a shop's own address);
    ``queue=False`` leaves the delivery to the caller, who calls
    :func:`notifications.services.delivery.notification_deliver` after its commit (the
    sweep catches anything it misses)."""
    spec = get_kind(kind)
    data = dict(context or {})
    mode: Mode = effective_mode(recipient, spec) if email else OFF
    status = _STATUS_FOR_MODE[mode]
    if status != S.SKIPPED and not (recipient.is_active and _address(recipient)):
        status = S.SKIPPED
    notification = Notification.objects.create(
        recipient=recipient,
        kind=spec.name,
        context=data,
        link=link[:300],
        summary=(summary or _summary(spec, data, recipient.preferred_language))[:_SUMMARY_LENGTH],
        email_status=status,
    )
    if status == S.PENDING and queue:
        from notifications.tasks import deliver_notification

        queue_on_commit(deliver_notification, notification.pk)
    return notification


@transaction.atomic
def notify_many(
    *,
    recipient_ids: Sequence[int],
    kind: str,
    context: Mapping[str, Any] | None = None,
    link: str = "",
) -> int:
    """:func:`notify` for many people at once with the same context (a fan-out's batch):
    three queries whatever their number, plus one task per immediate e-mail after commit.
    Returns the number of notifications written."""
    spec = get_kind(kind)
    data = dict(context or {})
    people = list(
        User.objects.filter(pk__in=recipient_ids).values_list(
            "pk", "preferred_language", "is_active", "email", "notification_email"
        )
    )
    modes = effective_modes([row[0] for row in people], spec)
    summaries: dict[str, str] = {}
    rows = []
    for pk, language, is_active, address, notification_address in people:
        status = _STATUS_FOR_MODE[modes[pk]]
        if not (is_active and (notification_address or address)):
            status = S.SKIPPED
        if language not in summaries:
            summaries[language] = _summary(spec, data, language)[:_SUMMARY_LENGTH]
        rows.append(
            Notification(
                recipient_id=pk,
                kind=spec.name,
                context=data,
                link=link[:300],
                summary=summaries[language],
                email_status=status,
            )
        )
    created = Notification.objects.bulk_create(rows)
    from notifications.tasks import deliver_notification

    for notification in created:
        if notification.email_status == S.PENDING:
            queue_on_commit(deliver_notification, notification.pk)
    return len(created)


def _address(user: User) -> str:
    return user.notification_email or user.email


def _summary(kind: Kind, context: dict[str, Any], language: str) -> str:
    """The inbox line: the e-mail's subject in the person's language. A template that
    cannot be rendered must not undo the caller's change, so it falls back on the kind's
    label (and is logged)."""
    from notifications.emails import template_context

    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            loaded = template_context(kind, context)
            if loaded is not None:
                text = render_to_string(f"{kind.templates}_subject.txt", loaded)
                return " ".join(text.split())
        except Exception:
            logger.exception("Could not write the summary of a %s notification", kind.name)
        return str(kind.label)


def pending_notification(
    *, recipient_id: int, kind: str, context: Mapping[str, Any]
) -> Notification | None:
    """The latest notification of ``kind`` to ``recipient_id`` whose stored context
    contains ``context`` and whose e-mail has not left yet: what a domain task's retry
    sends, instead of notifying twice."""
    return (
        Notification.objects.select_related("recipient")
        .filter(
            recipient_id=recipient_id,
            kind=kind,
            email_status=S.PENDING,
            context__contains=dict(context),
        )
        .order_by("-pk")
        .first()
    )

"""Sending a notification's e-mail at most once, and the sweep that catches what was left
behind.

Delivery claims the row (``pending`` → ``sending``) with a conditional UPDATE before the
message leaves: of two tasks running for one notification, only the one whose UPDATE
changed the row sends. A transient mail-server error (``OSError`` — smtplib's errors are
OSErrors) gives the claim back (``sending`` → ``pending``) and re-raises for the task's
retry, until :data:`MAX_EMAIL_ATTEMPTS` attempts have failed (``failed``). A template that
cannot be rendered is not transient: the row is marked ``failed`` at once and logged.

The sweep re-queues every row still ``pending`` a few minutes after it was written — its
task was lost with the broker, or never queued because the broker was down.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from notifications.emails import notification_message
from notifications.models import Notification
from notifications.queueing import queue_now

logger = logging.getLogger(__name__)

S = Notification.EmailStatus
MAX_EMAIL_ATTEMPTS = 5
# A row pending for longer than this has lost its task (a delivery takes seconds).
SWEEP_AFTER = dt.timedelta(minutes=5)
SWEEP_BATCH = 1000
# A row ``sending`` for this long belongs to a worker that died mid-send: the e-mail may
# have left, so it is not sent again (at most once) but marked failed, for the record.
STUCK_AFTER = dt.timedelta(hours=1)


def notification_deliver(*, notification_id: int) -> bool:
    """Send the e-mail of one notification if it is still to be sent; at most once.
    Returns whether an e-mail left. Re-raises a transient mail-server error (after giving
    the claim back) unless that was the last attempt."""
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id, email_status=S.PENDING)
        .first()
    )
    if notification is None:
        return False
    rows = Notification.objects.filter(pk=notification_id)
    try:
        # Written before it is claimed: a broken template leaves nothing half done.
        message = notification_message(notification)
    except Exception:
        logger.exception("Notification %s could not be written", notification_id)
        rows.filter(email_status=S.PENDING).update(email_status=S.FAILED)
        return False
    if message is None:  # no longer applies (the loader said so)
        rows.filter(email_status=S.PENDING).update(email_status=S.SKIPPED)
        return False
    claimed = rows.filter(email_status=S.PENDING).update(
        email_status=S.SENDING, email_attempts=F("email_attempts") + 1
    )
    if not claimed:
        return False
    try:
        message.send()
    except OSError:
        last = notification.email_attempts + 1 >= MAX_EMAIL_ATTEMPTS
        rows.filter(email_status=S.SENDING).update(email_status=S.FAILED if last else S.PENDING)
        if last:
            logger.exception(
                "Notification %s: giving up after %s attempts", notification_id, MAX_EMAIL_ATTEMPTS
            )
            return False
        raise
    # Unconditional: even a row the sweep thought stuck did leave.
    rows.update(email_status=S.SENT, emailed_at=timezone.now())
    return True


def notifications_sweep(*, now: dt.datetime | None = None) -> int:
    """Re-queue the delivery of every notification still pending :data:`SWEEP_AFTER`
    after it was written (oldest first, :data:`SWEEP_BATCH` at a time), and close the
    rows stuck in ``sending``. Returns the number queued. Queuing one twice is harmless:
    the claim lets one task send."""
    from notifications.tasks import deliver_notification

    now = now or timezone.now()
    stuck = Notification.objects.filter(
        email_status=S.SENDING, created_at__lt=now - STUCK_AFTER
    ).update(email_status=S.FAILED)
    if stuck:
        logger.warning("%s notifications were stuck while sending: marked failed", stuck)
    ids = list(
        Notification.objects.filter(email_status=S.PENDING, created_at__lt=now - SWEEP_AFTER)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    queued = 0
    for notification_id in ids:
        if not queue_now(deliver_notification, notification_id):
            break  # the broker is still down: the next sweep tries again
        queued += 1
    return queued


def notification_send_once(
    *,
    marker: str,
    marker_timeout: int,
    recipient: User,
    kind: str,
    context: dict[str, Any],
    link: str = "",
) -> bool:
    """For a domain task that tells someone something once: notify (claimed by ``marker``,
    added atomically in the cache, the same step as the notification) and send the e-mail
    at once. A retry of the task — the mail server failed — finds the notification still
    to send and sends it, never notifying twice. Returns whether an e-mail left."""
    from notifications.services.notify import notify, pending_notification

    if cache.add(marker, True, timeout=marker_timeout):
        try:
            with transaction.atomic():
                notification = notify(
                    recipient=recipient, kind=kind, context=context, link=link, queue=False
                )
        except BaseException:
            cache.delete(marker)  # nothing was written: the claim must not stay taken
            raise
    else:
        found = pending_notification(recipient_id=recipient.pk, kind=kind, context=context)
        if found is None:
            return False
        notification = found
    return notification_deliver(notification_id=notification.pk)

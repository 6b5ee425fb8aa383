"""Background work of notifications (queue ``notifications``, config/celery.py): thin
wrappers around :mod:`notifications.services`.

``acks_late`` is set on each because each is idempotent — a delivery claims its row, a
digest claims its notifications, the sweep only queues — so a task redelivered after a
worker crash does no harm. Results are ignored: nobody waits for them, and with the Redis
result backend an ignored result spares the request a round trip to Redis when queuing.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from notifications.services.delivery import MAX_EMAIL_ATTEMPTS

# A mail server down for a few minutes: 30 s, 1, 2, 4 min (each with full jitter, so a
# burst of failures does not come back at the same instant), then the sweep takes over
# until the row's attempts run out.
_RETRY: dict[str, Any] = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (OSError,),  # smtplib's errors are OSErrors
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": MAX_EMAIL_ATTEMPTS - 1,
}
DIGEST_BATCH = 100


@shared_task(**_RETRY)
def deliver_notification(notification_id: int) -> bool:
    """E-mail one notification, at most once (see notifications.services.delivery)."""
    from notifications.services.delivery import notification_deliver

    return notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_notifications() -> int:
    """Periodic: re-queue the notifications whose delivery task was lost."""
    from notifications.services.delivery import notifications_sweep

    return notifications_sweep()


@shared_task(acks_late=True, ignore_result=True)
def send_daily_digests() -> int:
    """Periodic (7:30 Europe/Paris): queue the digest of everyone with something waiting,
    :data:`DIGEST_BATCH` people per task. Queuing twice is harmless: each person's
    notifications are claimed once."""
    from notifications.queueing import queue_now
    from notifications.services.digest import digest_recipient_ids

    batch: list[int] = []
    queued = 0
    for user_id in digest_recipient_ids():
        batch.append(user_id)
        if len(batch) == DIGEST_BATCH:
            queue_now(send_digests, batch)
            queued, batch = queued + len(batch), []
    if batch:
        queue_now(send_digests, batch)
        queued += len(batch)
    return queued


@shared_task(**_RETRY)
def send_digests(user_ids: list[int]) -> int:
    """Send the digest of each of these people. A retry after a mail-server failure skips
    those already served (their notifications are claimed)."""
    from notifications.services.digest import digest_send

    return sum(digest_send(user_id=user_id) for user_id in user_ids)


@shared_task(acks_late=True, ignore_result=True)
def notify_followers(
    kind: str, source: dict[str, Any], context: dict[str, Any], link: str, after: int = 0
) -> int:
    """Tell one batch of the followers of a shop or collective about something new it
    published (a product, story or event), then queue the next batch (see
    notifications.services.follows)."""
    from notifications.services.follows import followers_notify

    return followers_notify(kind=kind, source=source, context=context, link=link, after=after)


# The newsletters' tasks live with their concept; imported here so that the worker registers them.
from notifications.tasks_newsletters import *  # noqa: E402, F403

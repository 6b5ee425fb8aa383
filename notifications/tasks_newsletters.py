"""Background work of the collectives' newsletters: thin, idempotent wrappers around
:mod:`notifications.services.newsletters`. They run on the ``notifications`` queue (routed by
module name in ``config/celery.py``), so a letter to thousands never delays a pickup notice
on the ``default`` queue.

``notifications/tasks.py`` re-exports these (``from notifications.tasks_newsletters import
*``) so that Celery's autodiscovery registers them."""

from __future__ import annotations

from celery import Task, shared_task

__all__ = ["send_due_newsletters", "send_newsletter_batch", "start_newsletter"]


@shared_task(acks_late=True)
def start_newsletter(newsletter_id: int) -> int:
    """Start a scheduled letter whose time has come: snapshot its recipients and queue its
    first batch. Does nothing when it was started already (the claim is a conditional
    UPDATE). Returns the number of recipients, 0 when nothing was started."""
    from notifications.services.newsletters import newsletter_start

    newsletter = newsletter_start(newsletter_id=newsletter_id)
    return newsletter.recipient_count if newsletter else 0


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),  # the mail server was unreachable: the rows wait for the retry
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_newsletter_batch(self: Task, newsletter_id: int, after_id: int, size: int) -> int:
    """Send one batch of a letter and queue the next. A retry does not queue the next batch
    again (the first attempt did). Running twice sends nothing twice: each row is claimed
    once. Returns how many e-mails left."""
    from notifications.services.newsletters import newsletter_send_batch

    outcome = newsletter_send_batch(
        newsletter_id=newsletter_id,
        after_id=after_id,
        size=size,
        queue_next=not self.request.retries,
    )
    return outcome.sent


@shared_task(acks_late=True)
def send_due_newsletters() -> int:
    """Periodic (every minute): start the scheduled letters whose time has come, and pick
    up the letters whose chain of batches was lost. Returns how many letters were started."""
    from notifications.services.newsletters import (
        newsletter_start,
        newsletters_due,
        newsletters_resume_stalled,
    )

    # One short transaction per letter: a letter to 100,000 followers does not hold back
    # the others.
    started = sum(
        newsletter_start(newsletter_id=newsletter_id) is not None
        for newsletter_id in newsletters_due()
    )
    newsletters_resume_stalled()
    return started

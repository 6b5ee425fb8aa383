"""Background work of partners: sending webhook deliveries (queue ``webhooks``).

Retries are not Celery's: a delivery's schedule lives in its row (``next_attempt_at``, for a
day), and the sweep queues whatever is due — a countdown of hours in the broker would not
survive a Redis restart, nor the broker's visibility timeout.
"""

from celery import shared_task


@shared_task(acks_late=True)
def send_webhook_delivery(delivery_id: int) -> str | None:
    """Make one attempt at a delivery if it is due. Idempotent: the attempt is claimed with
    a conditional UPDATE, so a task run twice (or beside the sweep's) sends once; returns
    the delivery's status after the attempt, or None if there was nothing to do."""
    from partners.services.webhooks import delivery_send

    delivery = delivery_send(delivery_id=delivery_id)
    return None if delivery is None else delivery.status


@shared_task(acks_late=True)
def sweep_webhook_deliveries() -> int:
    """Periodic (every minute): queue the retries that are due and the deliveries whose task
    was lost; trim the log of deliveries finished more than 30 days ago. Returns how many
    were queued."""
    from partners.services.webhooks import deliveries_purge, deliveries_sweep

    due = deliveries_sweep()
    for delivery_id in due:
        send_webhook_delivery.delay(delivery_id)
    deliveries_purge()
    return len(due)


# The worker autodiscovers ``partners.tasks`` only: register the other task modules here.
from partners.tasks_idempotency import *  # noqa: E402, F403

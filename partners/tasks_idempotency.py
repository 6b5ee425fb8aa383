"""Background work of partners: forgetting the answers of idempotent writes after 24 hours.

Imported by ``partners.tasks`` so that the worker (which autodiscovers ``tasks`` modules)
registers it; routed to the ``webhooks`` queue with the rest of ``partners.*``.
"""

from celery import shared_task

__all__ = ["purge_expired_idempotency_records"]


@shared_task(acks_late=True)
def purge_expired_idempotency_records() -> int:
    """Periodic (hourly): delete the idempotency records whose 24 hours are over. Idempotent;
    returns how many were deleted."""
    from partners.idempotency import idempotency_records_purge

    return idempotency_records_purge()

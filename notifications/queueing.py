"""Queueing Celery tasks without ever failing (or hanging) the caller.

A notification is safe in its outbox row before any task is queued: if the broker is down
when the transaction commits, the task is simply not queued, the failure is logged, and the
periodic sweep queues it later. So the request that wrote the row answers normally; the
bounded broker timeouts of the settings (``CELERY_BROKER_TRANSPORT_OPTIONS``, the publish
retry policy) keep that failure quick.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a broker that cannot be reached raises through kombu and redis-py.
BROKER_ERRORS: tuple[type[BaseException], ...] = (OperationalError, RedisError, OSError)


def queue_now(task: Task, *args: Any, countdown: float | None = None) -> bool:
    """Queue ``task(*args)``; log and return ``False`` if the broker is unreachable."""
    try:
        if countdown is None:
            task.apply_async(args=args)
        else:
            task.apply_async(args=args, countdown=countdown)
    except BROKER_ERRORS:
        logger.warning(
            "Broker unreachable: %s%r not queued (the sweep will catch up).",
            task.name,
            args,
            exc_info=True,
        )
        return False
    return True


def queue_on_commit(task: Task, *args: Any) -> None:
    """Queue ``task(*args)`` once the current transaction commits (nothing on rollback);
    a broker failure then is logged, never raised into the request."""
    transaction.on_commit(lambda: queue_now(task, *args))

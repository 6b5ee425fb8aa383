"""Background work of insights: moving the counters from Redis into PostgreSQL."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def flush_counts() -> int:
    """Add the page views, searches and clicks counted in Redis to the database (every five
    minutes, by Celery beat). Exact and safe to run twice or concurrently
    (``insights.services.flush``); if Redis is unreachable it fails and the next run, five
    minutes later, picks up everything — nothing is retried here."""
    from insights.services.flush import counts_flush

    return counts_flush().counted


from insights.tasks_aggregation import *  # noqa: E402, F403

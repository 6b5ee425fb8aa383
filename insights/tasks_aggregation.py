"""Nightly aggregation of the insights: thin wrappers around
:mod:`insights.services.aggregation` (re-exported by ``insights.tasks``)."""

import datetime as dt

from celery import shared_task

__all__ = ["aggregate_days", "aggregate_yesterday"]


@shared_task(acks_late=True)
def aggregate_yesterday() -> tuple[int, int]:
    """Nightly (02:30 Paris, after the last counter flush of the day): recompute yesterday,
    now complete, and today so far, so the dashboards are at most a day behind. Rewrites the
    two days' rows, so a run twice or a retry gives the same rows."""
    from django.utils import timezone

    from insights.services.aggregation import aggregate_range

    today = timezone.localdate()  # Paris (TIME_ZONE)
    return aggregate_range(start=today - dt.timedelta(days=1), end=today)


@shared_task(acks_late=True)
def aggregate_days(start: str, end: str) -> tuple[int, int]:
    """Recompute the rows of a range of days (ISO dates, both included), on demand."""
    from insights.services.aggregation import aggregate_range

    return aggregate_range(start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end))

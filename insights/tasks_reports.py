"""The monthly report's task (Celery beat, the 1st at 8:00 in Paris): a thin wrapper."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def send_monthly_reports() -> int:
    """E-mail last month's figures to every collective's organisers (idempotent per month:
    see :mod:`insights.services.reports`)."""
    from insights.services.reports import monthly_reports_send

    return monthly_reports_send()

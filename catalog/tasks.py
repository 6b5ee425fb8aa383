"""Background work of the catalog: thin, idempotent wrappers around services."""

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from catalog.models import ImportJob
from catalog.services.imports import import_job_apply

# A confirmed import still waiting after this long lost its task (broker restart, or the
# request that was applying a small file died between confirming and applying).
STALE_AFTER = dt.timedelta(minutes=5)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def apply_import_job(job_id: int, language: str | None = None) -> str | None:
    """Write the rows of a confirmed CSV import (see catalog.services.imports).

    Idempotent: a job that is not ``queued`` (already running, done, cancelled) is left
    alone, so a task delivered twice writes nothing the second time. ``language`` is the
    shopkeeper's, for the messages of the report.
    """
    job = import_job_apply(job_id=job_id, language=language)
    if job is not None:
        _notify_import_finished(job)
    return None if job is None else job.status


def _notify_import_finished(job: ImportJob) -> None:
    """Tell whoever started a background import that it is over (``import.finished``),
    once: a marker in the cache, as a task delivered twice finds the job finished too."""
    from django.core.cache import cache
    from django.urls import reverse

    from notifications.services.notify import notify

    finished = job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED)
    if not finished or job.created_by is None:
        return
    if not cache.add(f"catalog:import-finished:{job.pk}", True, timeout=60 * 60 * 24 * 30):
        return
    notify(
        recipient=job.created_by,
        kind="import.finished",
        context={
            "job_id": job.pk,
            "merchant_name": job.merchant.name,
            "created": job.created_count,
            "updated": job.updated_count,
            "errors": job.error_count,
            "failed": job.status == ImportJob.Status.FAILED,
        },
        link=reverse("imports:job", kwargs={"merchant_slug": job.merchant.slug, "pk": job.pk}),
    )


@shared_task(acks_late=True)
def requeue_waiting_import_jobs() -> int:
    """Periodic sweep: queue again the confirmed imports whose task was lost. A job whose
    task is merely slow gets a second one, which finds it taken and does nothing."""
    cutoff = timezone.now() - STALE_AFTER
    ids = list(
        ImportJob.objects.filter(status=ImportJob.Status.QUEUED, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
    for job_id in ids:
        apply_import_job.delay(job_id)
    return len(ids)

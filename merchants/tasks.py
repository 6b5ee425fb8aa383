"""Background work on shops' content: thin, idempotent wrappers around services."""

import datetime as dt

from celery import shared_task
from django.apps import apps
from django.utils import timezone

from merchants import services
from merchants.photos import Photo

# A photo still pending after this long lost its task (worker crash, broker restart).
STALE_AFTER = dt.timedelta(minutes=5)


def photo_models() -> list[type[Photo]]:
    """Every concrete kind of photo (product photos, story photos…)."""
    return [model for model in apps.get_models() if issubclass(model, Photo)]


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def process_photo(model_label: str, photo_id: int) -> str | None:
    """Clean and resize a photo (see merchants.services.photo_process)."""
    model = apps.get_model(model_label)
    if not issubclass(model, Photo):
        raise ValueError(f"{model_label} is not a photo model")
    photo = services.photo_process(photo_model=model, photo_id=photo_id)
    return None if photo is None else photo.status


@shared_task(acks_late=True)
def requeue_unprocessed_photos() -> int:
    """Periodic sweep: re-queue photos whose processing task was lost, and photos uploaded
    where no task is queued (the Django admin)."""
    cutoff = timezone.now() - STALE_AFTER
    queued = 0
    for model in photo_models():
        ids = list(
            model._default_manager.filter(status=Photo.Status.PENDING, created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:500]
        )
        for photo_id in ids:
            process_photo.delay(model._meta.label, photo_id)
        queued += len(ids)
    return queued

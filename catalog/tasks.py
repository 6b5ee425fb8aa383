"""Background work of the catalog: thin, idempotent wrappers around services."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from catalog import services
from catalog.models import ProductImage

# A photo still pending after this long lost its task (worker crash, broker restart).
STALE_AFTER = dt.timedelta(minutes=5)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def process_product_image(image_id: int) -> str | None:
    """Clean and resize a product photo (see catalog.services.product_image_process)."""
    image = services.product_image_process(image_id=image_id)
    return None if image is None else image.status


@shared_task(acks_late=True)
def requeue_unprocessed_images() -> int:
    """Periodic sweep: re-queue photos whose processing task was lost."""
    cutoff = timezone.now() - STALE_AFTER
    ids = list(
        ProductImage.objects.filter(
            status=ProductImage.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    for image_id in ids:
        process_product_image.delay(image_id)
    return len(ids)

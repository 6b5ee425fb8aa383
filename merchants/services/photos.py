"""Every write to uploaded photos: queueing and running their processing."""

import logging
from pathlib import PurePath
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from merchants import images
from merchants.photos import Photo

logger = logging.getLogger(__name__)


def photo_queue_processing(photo: Photo) -> None:
    """Queue the cleaning of ``photo`` once the current transaction commits."""
    from merchants.tasks import process_photo

    label, photo_id = photo._meta.label, photo.pk
    transaction.on_commit(lambda: process_photo.delay(label, photo_id))


PhotoT = TypeVar("PhotoT", bound=Photo)


def photo_process(*, photo_model: type[PhotoT], photo_id: int) -> PhotoT | None:
    """Clean and resize one uploaded photo. Idempotent: a photo already processed, or gone,
    is left alone, so a task delivered twice does nothing the second time.

    The image work runs outside any transaction (it takes seconds); the row is then updated
    under a lock, checking it is still pending.
    """
    photo = photo_model._default_manager.filter(pk=photo_id).first()
    if photo is None or photo.status != Photo.Status.PENDING:
        return photo
    storage = photo.image.storage
    source_name = str(photo.image.name)
    widths = settings.HALLE_IMAGE_RENDITION_WIDTHS
    try:
        with storage.open(source_name, "rb") as source:
            processed = images.process_image(source, widths=widths)
    except ValidationError as error:
        photo_model._default_manager.filter(pk=photo_id, status=Photo.Status.PENDING).update(
            status=Photo.Status.FAILED,
            processing_error=" ".join(error.messages)[:300],
            processed_at=timezone.now(),
        )
        logger.warning("%s %s refused: %s", photo_model.__name__, photo_id, error.messages)
        photo.refresh_from_db()
        return photo

    stem = PurePath(source_name).stem
    folder = photo_model.UPLOAD_FOLDER
    original_name = storage.save(f"{folder}/{stem}.jpg", ContentFile(processed.original))
    renditions: dict[str, dict[str, Any]] = {}
    for width, rendition in processed.renditions.items():
        renditions[str(width)] = {
            "width": rendition.width,
            "height": rendition.height,
            "webp": storage.save(f"{folder}/{stem}-{width}.webp", ContentFile(rendition.webp)),
            "jpeg": storage.save(f"{folder}/{stem}-{width}.jpg", ContentFile(rendition.jpeg)),
        }
    written = [original_name] + [e[f] for e in renditions.values() for f in ("webp", "jpeg")]
    with transaction.atomic():
        locked = photo_model._default_manager.select_for_update().filter(pk=photo_id).first()
        if locked is None or locked.status != Photo.Status.PENDING:
            # Someone else finished first (or the photo was deleted): drop what we wrote.
            for name in written:
                storage.delete(name)
            return locked
        locked.image.name = original_name
        locked.width, locked.height = processed.width, processed.height
        locked.renditions = renditions
        locked.status = Photo.Status.READY
        locked.processing_error = ""
        locked.processed_at = timezone.now()
        locked.save()
    # The raw upload may carry GPS coordinates and other metadata: it must not outlive us.
    if source_name != original_name:
        storage.delete(source_name)
    return locked

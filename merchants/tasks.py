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


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def process_shop_image(merchant_id: int, field: str, pending_name: str) -> bool:
    """Re-encode a shop's new logo or cover (see merchants.services.merchant_image_process)."""
    from merchants.services.shops import merchant_image_process

    return (
        merchant_image_process(merchant_id=merchant_id, field=field, pending_name=pending_name)
        is not None
    )


@shared_task(acks_late=True)
def requeue_waiting_shop_images() -> int:
    """Periodic sweep: finish logos and covers whose cleaning task was lost."""
    from merchants.services.shops import waiting_shop_images

    waiting = waiting_shop_images(older_than=timezone.now() - STALE_AFTER)
    for merchant_id, field, pending_name in waiting:
        process_shop_image.delay(merchant_id, field, pending_name)
    return len(waiting)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),  # smtplib's errors are OSErrors: the mail server was unreachable
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_staff_invitation(invitation_id: int, token: str) -> bool:
    """E-mail a staff invitation's link. Does nothing once the invitation is no longer open or
    was renewed with another link (the token is checked against the stored hash), so a retry
    after a renewal never sends a dead link."""
    from django.urls import reverse

    from merchants.invitations import invitation_is_open, invitation_send, invitation_token_hash
    from merchants.models import StaffInvitation

    invitation = (
        StaffInvitation.objects.select_related("merchant", "invited_by")
        .filter(pk=invitation_id, token_hash=invitation_token_hash(token))
        .first()
    )
    if invitation is None or not invitation_is_open(invitation):
        return False
    invitation_send(
        invitation=invitation,
        link=reverse("shop:invitation", kwargs={"token": token}),
        templates="merchants/emails/staff_invitation",
        context={"merchant": invitation.merchant},
    )
    return True

"""Background work on reservations: expiry, e-mails. Thin, idempotent wrappers around
:mod:`orders.services.reservations`."""

from typing import Any

from celery import shared_task

__all__ = ["expire_overdue_reservations", "send_reservation_notice"]

_MAIL_RETRY: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (OSError,),  # smtplib's errors are OSErrors: the mail server was unreachable
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**_MAIL_RETRY)
def send_reservation_notice(reservation_id: int, kind: str) -> bool:
    """E-mail the shop's team (a new reservation, a customer's cancellation) or the customer
    (confirmed, ready, declined, cancelled by the shop, expired): at most once each."""
    from orders.services.reservations import reservation_notice_send

    return reservation_notice_send(reservation_id=reservation_id, kind=kind)  # type: ignore[arg-type]


@shared_task(acks_late=True)
def expire_overdue_reservations() -> int:
    """Periodic (every five minutes): reservations not collected by their deadline expire
    and give their units back. Safe to run twice or at once."""
    from orders.services.reservations import reservation_expire_overdue

    return reservation_expire_overdue()

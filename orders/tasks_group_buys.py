"""Background work on group buys: closing at the deadline, e-mails. Thin, idempotent
wrappers around :mod:`orders.services.group_buys`.

The services queue one fan-out task after commit (``notify_group_buy_outcome``,
``notify_group_buy_tier``), which queues one small task per e-mail: a mail server that
refuses one address retries that message alone, and each message is claimed once."""

from typing import Any

from celery import shared_task

__all__ = [
    "close_due_group_buys",
    "notify_group_buy_outcome",
    "notify_group_buy_tier",
    "send_group_buy_shop_outcome",
    "send_pledge_outcome",
    "send_pledge_tier_reached",
]

_MAIL_RETRY: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (OSError,),  # smtplib's errors are OSErrors: the mail server was unreachable
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(acks_late=True)
def close_due_group_buys() -> int:
    """Periodic (every minute): close the group buys whose deadline has passed. Safe to run
    twice or at once (a closed group buy is left alone)."""
    from orders.services.group_buys import group_buys_close_due

    return group_buys_close_due()


@shared_task(acks_late=True)
def notify_group_buy_outcome(group_buy_id: int) -> int:
    """Queue the outcome e-mail of every pledger of a closed or cancelled group buy, and the
    shop's. Queuing twice is harmless: each message is claimed once when it is sent."""
    from orders.models import GroupBuy, Pledge

    if not GroupBuy.objects.filter(pk=group_buy_id).exclude(status=GroupBuy.Status.OPEN).exists():
        return 0
    pledge_ids = list(
        Pledge.objects.filter(
            group_buy_id=group_buy_id,
            status__in=[Pledge.Status.CONFIRMED, Pledge.Status.RELEASED],
            customer__isnull=False,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pledge_id in pledge_ids:
        send_pledge_outcome.delay(pledge_id)
    send_group_buy_shop_outcome.delay(group_buy_id)
    return len(pledge_ids)


@shared_task(acks_late=True)
def notify_group_buy_tier(group_buy_id: int, tier_id: int) -> int:
    """Queue the « tier reached » e-mail of every active pledger."""
    from orders.models import Pledge

    pledge_ids = list(
        Pledge.objects.filter(
            group_buy_id=group_buy_id, status=Pledge.Status.ACTIVE, customer__isnull=False
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pledge_id in pledge_ids:
        send_pledge_tier_reached.delay(pledge_id, tier_id)
    return len(pledge_ids)


@shared_task(**_MAIL_RETRY)
def send_pledge_outcome(pledge_id: int) -> bool:
    """E-mail a pledger their reservation, or that their pledge is released."""
    from orders.services.group_buys import pledge_outcome_notice_send

    return pledge_outcome_notice_send(pledge_id=pledge_id)


@shared_task(**_MAIL_RETRY)
def send_group_buy_shop_outcome(group_buy_id: int) -> bool:
    """E-mail the shop how its group buy ended (and what to order)."""
    from orders.services.group_buys import group_buy_shop_notice_send

    return group_buy_shop_notice_send(group_buy_id=group_buy_id)


@shared_task(**_MAIL_RETRY)
def send_pledge_tier_reached(pledge_id: int, tier_id: int) -> bool:
    """E-mail a pledger that the total reached a new price tier."""
    from orders.services.group_buys import pledge_tier_notice_send

    return pledge_tier_notice_send(pledge_id=pledge_id, tier_id=tier_id)

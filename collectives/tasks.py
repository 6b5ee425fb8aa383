"""Background work of collectives: thin, idempotent wrappers (e-mails)."""

from typing import Any

from celery import shared_task


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),  # smtplib's errors are OSErrors: the mail server was unreachable
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_collective_invitation(invitation_id: int, token: str) -> bool:
    """E-mail the link of an invitation to join a collective. Does nothing once the invitation
    is no longer open or was renewed with another link (the token is checked against the
    stored hash), so a retry after a renewal never sends a dead link."""
    from django.urls import reverse

    from collectives.models import CollectiveInvitation
    from merchants.invitations import invitation_is_open, invitation_send, invitation_token_hash

    invitation = (
        CollectiveInvitation.objects.select_related("collective", "invited_by")
        .filter(pk=invitation_id, token_hash=invitation_token_hash(token))
        .first()
    )
    if invitation is None or not invitation_is_open(invitation):
        return False
    invitation_send(
        invitation=invitation,
        link=reverse("join:accept", kwargs={"token": token}),
        templates="collectives/emails/invitation",
        context={"collective": invitation.collective},
    )
    return True


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_membership_answer(membership_id: int, status: str) -> bool:
    """Tell each of a shop's owners the organisers' answer to its request to join
    (``active`` or ``declined``): an inbox entry and an e-mail in their language
    (notifications, kind ``membership.answered``). Sends nothing if the membership has
    moved on since, and at most once per answer and owner: a marker in the cache (atomic
    ``add``) outlives any retry or duplicate delivery; a retry after a mail-server failure
    sends what was left to send."""
    from django.urls import reverse

    from collectives.models import Membership
    from merchants.models import MerchantMember
    from notifications.services.delivery import notification_send_once

    membership = (
        Membership.objects.select_related("collective", "merchant")
        .filter(pk=membership_id, status=status)
        .first()
    )
    if membership is None or status not in {"active", "declined"}:
        return False
    owners = [
        member.user
        for member in MerchantMember.objects.filter(merchant=membership.merchant, role="owner")
        .select_related("user")
        .order_by("pk")
    ]
    answer = f"{membership.pk}:{membership.updated_at.timestamp()}"
    link = reverse("shop_collectives:list", kwargs={"merchant_slug": membership.merchant.slug})
    sent = [
        notification_send_once(
            marker=f"collectives:answer-mailed:{answer}:{owner.pk}",
            marker_timeout=60 * 60 * 24 * 30,
            recipient=owner,
            kind="membership.answered",
            context={"membership_id": membership.pk, "status": status},
            link=link,
        )
        for owner in owners
    ]
    return any(sent)


# --- Events: reminders, cancellation notices, waiting-list seats, dates ahead --------------

_MAIL_RETRY: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**_MAIL_RETRY)
def send_event_reminder(registration_id: int) -> bool:
    """E-mail one reminder the day before (see collectives.services.notices)."""
    from collectives.services.notices import registration_notice_send

    return registration_notice_send(registration_id=registration_id, kind="reminder")


@shared_task(**_MAIL_RETRY)
def send_cancellation_notice(registration_id: int) -> bool:
    """E-mail a registrant that their date or event is cancelled."""
    from collectives.services.notices import registration_notice_send

    return registration_notice_send(registration_id=registration_id, kind="cancelled")


@shared_task(**_MAIL_RETRY)
def send_seat_freed(registration_id: int) -> bool:
    """E-mail someone from the waiting list that a seat is now theirs."""
    from collectives.services.notices import registration_notice_send

    return registration_notice_send(registration_id=registration_id, kind="seat_freed")


@shared_task(acks_late=True)
def queue_event_reminders() -> int:
    """Periodic (hourly): queue a reminder for every confirmed registration whose date is
    tomorrow in Paris and has none yet. Queuing twice is harmless: each reminder is claimed
    once by the task that sends it."""
    from collectives.selectors.notices import registrations_to_remind

    ids = list(registrations_to_remind())
    for registration_id in ids:
        send_event_reminder.delay(registration_id)
    return len(ids)


@shared_task(acks_late=True)
def extend_event_occurrences() -> int:
    """Periodic (daily): create the dates of recurring events that entered the horizon."""
    from collectives.services.events import event_occurrences_extend

    return event_occurrences_extend()

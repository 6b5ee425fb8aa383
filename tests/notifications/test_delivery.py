"""Delivering a notification's e-mail: at most once (a claim before sending), retried on a
transient mail-server error and given up after the last attempt, the sweep catching any
whose task was lost, the e-mail in the person's language with the one-click unsubscribe
headers (notifications.services.delivery, notifications.emails, notifications.tasks)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from notifications import tasks
from notifications.models import Notification
from notifications.services.delivery import (
    MAX_EMAIL_ATTEMPTS,
    notification_deliver,
    notifications_sweep,
)
from notifications.unsubscribe import read_unsubscribe_token
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

S = Notification.EmailStatus


class FlakyBackend(EmailBackend):
    """A mail server that is unreachable for the first ``failures`` messages."""

    failures = 0

    def send_messages(self, email_messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("the mail server is down")  # an OSError
        return super().send_messages(email_messages)


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def written(notification: Notification, when: dt.datetime) -> Notification:
    Notification.objects.filter(pk=notification.pk).update(created_at=when)
    return notification


def test_running_the_delivery_task_twice_sends_one_e_mail():
    """A broker may deliver a task twice (acks_late): the second run finds the row
    claimed and sends nothing."""
    notification = NotificationFactory()
    assert tasks.deliver_notification(notification.pk) is True
    assert tasks.deliver_notification(notification.pk) is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == S.SENT
    assert notification.emailed_at is not None
    assert notification.email_attempts == 1


def test_a_row_claimed_by_another_worker_is_not_sent_again():
    notification = NotificationFactory(email_status=S.SENDING)
    assert notification_deliver(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_the_delivery_task_is_late_acked_and_retried_with_backoff_and_jitter():
    """Item 6 of the issue: acks_late only because it is idempotent; transient SMTP errors
    retried with exponential backoff and jitter; on the notifications queue."""
    task = tasks.deliver_notification
    assert task.acks_late is True
    assert OSError in task.autoretry_for
    assert task.retry_backoff
    assert task.retry_jitter
    assert task.max_retries == MAX_EMAIL_ATTEMPTS - 1
    from config.celery import app

    assert app.amqp.router.route({}, task.name)["queue"].name == "notifications"


def test_a_mail_server_failure_gives_the_claim_back_for_the_retry(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.FlakyBackend"
    FlakyBackend.failures = 1
    notification = NotificationFactory()
    # The first attempt fails; the task retries (eagerly here) and the retry sends.
    assert tasks.deliver_notification.apply(args=(notification.pk,)).get() is True
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (S.SENT, 2)


def test_after_the_last_attempt_the_notification_is_failed(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.FlakyBackend"
    FlakyBackend.failures = MAX_EMAIL_ATTEMPTS + 3
    notification = NotificationFactory()
    for _ in range(MAX_EMAIL_ATTEMPTS - 1):
        with pytest.raises(OSError, match="mail server is down"):
            notification_deliver(notification_id=notification.pk)
    assert notification_deliver(notification_id=notification.pk) is False  # gives up
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (
        S.FAILED,
        MAX_EMAIL_ATTEMPTS,
    )
    FlakyBackend.failures = 0
    assert notifications_sweep(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert mail.outbox == []


def test_a_template_that_cannot_be_rendered_fails_at_once():
    notification = NotificationFactory(kind="event.reminder", context={"notice": "reminder"})
    assert notification_deliver(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.email_status == S.FAILED
    assert mail.outbox == []


def test_the_sweep_delivers_a_notification_whose_task_was_lost(deliver_at_once):
    """The broker lost the task (or was down when the row committed): a few minutes
    later the sweep queues it again, and it is delivered — once."""
    lost = written(NotificationFactory(), ago(10))
    fresh = written(NotificationFactory(), ago(1))  # its task may still be on its way
    digest = written(NotificationFactory(email_status=S.DIGEST), ago(10))
    assert notifications_sweep() == 1
    assert deliver_at_once == [lost.pk]
    assert [m.to for m in mail.outbox] == [[lost.recipient.email]]
    assert notifications_sweep() == 0  # sent: nothing left to sweep
    fresh.refresh_from_db()
    digest.refresh_from_db()
    assert (fresh.email_status, digest.email_status) == (S.PENDING, S.DIGEST)


def test_the_sweep_closes_a_row_stuck_while_sending_without_resending_it(queued):
    """A worker that died between its claim and the end: the e-mail may have left, so it
    is not sent again (at most once), only marked failed."""
    stuck = written(NotificationFactory(email_status=S.SENDING), ago(120))
    assert notifications_sweep() == 0
    stuck.refresh_from_db()
    assert stuck.email_status == S.FAILED
    assert queued == []


def test_the_sweep_runs_on_the_beat():
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule[tasks.sweep_notifications.name] <= 300


# --- The e-mail itself -----------------------------------------------------------------------


def test_the_e_mail_has_text_html_and_one_click_unsubscribe_headers():
    person = UserFactory(notification_email="avis@example.org")
    notification = NotificationFactory(recipient=person)
    notification_deliver(notification_id=notification.pk)
    [message] = mail.outbox
    assert message.to == ["avis@example.org"]
    assert message.subject == "Nouveau chez Fromagerie Dupuy : Tomme de brebis" or (
        "Tomme de brebis" in message.subject
    )
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{settings.SITE_URL}/notifications/desabonnement/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe.strip("<>").rstrip("/").rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == (person.pk, "follow.new_product")
    assert unsubscribe.strip("<>") in message.body  # the link is in the text too
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert unsubscribe.strip("<>") in html
    assert settings.SITE_URL + "/boutiques/fromagerie-dupuy/" in message.body


def test_a_transactional_e_mail_has_no_unsubscribe_link():
    """One cannot unsubscribe from a pickup code: no header, no link — only the
    preferences page."""
    notification = NotificationFactory(
        kind="import.finished",
        context={"merchant_name": "Fromagerie Dupuy", "created": 3, "updated": 1},
    )
    notification_deliver(notification_id=notification.pk)
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers  # import.finished can be off
    mail.outbox.clear()
    from notifications.kinds import KINDS

    assert KINDS["membership.answered"].transactional
    invitation = NotificationFactory(
        kind="invitation.staff",
        context={"merchant": {"name": "Fromagerie Dupuy"}, "link": "https://x"},
    )
    notification_deliver(notification_id=invitation.pk)
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    assert "/notifications/preferences/" in mail.outbox[0].body


@pytest.mark.parametrize(("language", "prefix"), [("fr", ""), ("en", "/en")])
def test_the_e_mail_speaks_the_recipients_language(language, prefix):
    person = UserFactory(preferred_language=language)
    notification = NotificationFactory(recipient=person)
    notification_deliver(notification_id=notification.pk)
    [message] = mail.outbox
    if language == "en":
        assert message.subject == "New at Fromagerie Dupuy: Tomme de brebis"
        assert "Choose what Halle e-mails you" in message.body
    assert f"{settings.SITE_URL}{prefix}/boutiques/fromagerie-dupuy/" in message.body
    assert f"{settings.SITE_URL}{prefix}/notifications/desabonnement/" in message.body
    [(html, _)] = message.alternatives
    assert f'<html lang="{language}">' in html

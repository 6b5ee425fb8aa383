"""E-mails to the people registered for an event: the reminder the day before (hourly beat
task), cancellation notices and « a seat is yours » — each a notification given once, its
e-mail sent once, in the person's language, and sent after all when the mail server failed
the first time (collectives.services.notices, collectives.selectors.notices,
collectives.tasks, notifications)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from collectives import tasks
from collectives.models import Registration
from collectives.selectors.notices import registrations_to_remind
from collectives.services.events import event_cancel, occurrence_cancel
from collectives.services.registrations import registration_cancel, registration_create
from notifications.models import Notification
from tests.factories import EventFactory, OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db

R = Registration.Status


class FlakyBackend(EmailBackend):
    """A mail server that is unreachable for the first ``failures`` messages."""

    failures = 0

    def send_messages(self, email_messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("the mail server is down")  # an OSError
        return super().send_messages(email_messages)


@pytest.fixture
def now(monkeypatch):
    """« Now » stopped at noon in Paris: « tomorrow » is unambiguous."""
    moment = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(12, 0))
    )
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def run_tasks(monkeypatch):
    """Queued e-mails are sent at once, as the worker would send them."""
    for name in ("send_event_reminder", "send_cancellation_notice", "send_seat_freed"):
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "delay", lambda *args, task=task: task(*args))


@pytest.fixture
def organiser():
    return OrganiserFactory(role="organiser")


def at(now: dt.datetime, days: int, time: dt.time) -> dt.datetime:
    """A moment ``days`` after ``now``'s day, at ``time`` in Paris."""
    return timezone.make_aware(
        dt.datetime.combine(timezone.localdate(now) + dt.timedelta(days=days), time)
    )


def event_on(start: dt.datetime, **fields):
    return EventFactory(
        starts_at=start, ends_at=start + dt.timedelta(hours=2), title="Atelier vannerie", **fields
    )


def register(event, user=None) -> Registration:
    return registration_create(actor=user or UserFactory(), occurrence=event.occurrences.get())


def sent_to(user) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [user.email]]


def subject(language: str, msgid: str, title: str) -> str:
    """The subject as the person's language says it (whatever the translations are)."""
    with translation.override(language):
        return gettext(msgid) % {"title": title}


# --- The reminder the day before -----------------------------------------------------------------


def test_a_reminder_is_sent_once_the_day_before(now, run_tasks):
    event = event_on(at(now, 1, dt.time(10, 0)), capacity=5)
    registration = register(event)
    assert tasks.queue_event_reminders() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [registration.user.email]
    assert "Atelier vannerie" in message.subject
    assert settings.SITE_URL + event.get_absolute_url() in message.body
    assert "Halle aux grains, Villeneuve" in message.body  # the factory's place, no postcode
    registration.refresh_from_db()
    assert registration.reminded_at == now
    # The hourly task runs again, and the reminder task twice: nothing more leaves.
    assert tasks.queue_event_reminders() == 0
    assert tasks.send_event_reminder(registration.pk) is False
    assert len(mail.outbox) == 1


def test_a_reminder_queued_twice_is_sent_once(now, monkeypatch):
    """Two hourly runs before the worker got to the first: both queue it, one sends it."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.send_event_reminder, "delay", queued.append)
    registration = register(event_on(at(now, 1, dt.time(10, 0))))
    tasks.queue_event_reminders()
    tasks.queue_event_reminders()
    assert queued == [registration.pk, registration.pk]
    assert [tasks.send_event_reminder(pk) for pk in queued] == [True, False]
    assert len(mail.outbox) == 1


def test_tomorrow_is_the_paris_calendar_day(now):
    """From midnight to midnight in Paris, not in UTC."""
    early = register(event_on(at(now, 1, dt.time(0, 30))))
    late = register(event_on(at(now, 1, dt.time(23, 30))))
    register(event_on(at(now, 0, dt.time(18, 0))))  # later today
    register(event_on(at(now, 2, dt.time(0, 30))))  # the day after tomorrow
    assert set(registrations_to_remind()) == {early.pk, late.pk}


def test_no_reminder_for_the_waiting_list_or_what_was_cancelled(now, run_tasks, organiser):
    def tomorrow(**fields):
        return event_on(
            at(now, 1, dt.time(10, 0)), collective=organiser.collective, capacity=1, **fields
        )

    full = tomorrow()
    confirmed = register(full)
    register(full)  # waiting
    gave_up = register(tomorrow())
    registration_cancel(actor=gave_up.user, registration=gave_up)
    date_off = tomorrow()
    register(date_off)
    occurrence_cancel(actor=organiser.user, occurrence=date_off.occurrences.get())
    event_off = tomorrow()
    register(event_off)
    event_cancel(actor=organiser.user, event=event_off)
    mail.outbox.clear()
    assert list(registrations_to_remind()) == [confirmed.pk]
    assert tasks.queue_event_reminders() == 1
    assert [m.to for m in mail.outbox] == [[confirmed.user.email]]


def test_a_reminder_cancelled_in_the_meantime_is_not_sent(now):
    registration = register(event_on(at(now, 1, dt.time(10, 0))))
    registration_cancel(actor=registration.user, registration=registration)
    assert tasks.send_event_reminder(registration.pk) is False
    assert tasks.send_event_reminder(123456789) is False  # gone altogether
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("language", "day", "prefix"), [("fr", "samedi", ""), ("en", "Saturday", "/en")]
)
def test_the_reminder_speaks_the_persons_language(now, run_tasks, language, day, prefix):
    saturday = at(now, 1, dt.time(10, 0))
    while timezone.localtime(saturday).weekday() != 5:
        saturday += dt.timedelta(days=1)
    event = event_on(saturday)
    person = UserFactory(preferred_language=language)
    register(event, person)
    tasks.send_event_reminder(Registration.objects.get(user=person).pk)
    [message] = sent_to(person)
    assert message.subject == subject(language, "Tomorrow: %(title)s", "Atelier vannerie")
    assert day in message.body  # the date is written in the person's language
    slug = {"slug": event.collective.slug, "event_slug": event.slug}
    with translation.override(language):
        page = reverse("events:detail", kwargs=slug)
    assert page.startswith(prefix + "/collectifs/")
    assert settings.SITE_URL + page in message.body


def test_a_mail_server_failure_releases_the_claim_so_the_retry_sends(now, settings):
    settings.EMAIL_BACKEND = "tests.collectives.test_event_notices.FlakyBackend"
    FlakyBackend.failures = 1
    registration = register(event_on(at(now, 1, dt.time(10, 0))))
    # The task's first attempt fails; it retries (run eagerly here) and the retry sends.
    result = tasks.send_event_reminder.apply(args=(registration.pk,))
    assert result.get() is True
    assert FlakyBackend.failures == 0
    assert len(mail.outbox) == 1
    registration.refresh_from_db()
    assert registration.reminded_at is not None


def test_a_failed_send_leaves_the_notification_to_send_and_never_notifies_twice(now, settings):
    """The reminder is given once (its notification is written with the claim); a mail
    server that fails leaves that notification « to send », for the retry — the hourly
    run does not give the reminder a second time."""
    settings.EMAIL_BACKEND = "tests.collectives.test_event_notices.FlakyBackend"
    FlakyBackend.failures = 1
    registration = register(event_on(at(now, 1, dt.time(10, 0))))
    with pytest.raises(OSError, match="mail server is down"):
        tasks.send_event_reminder(registration.pk)
    registration.refresh_from_db()
    assert registration.reminded_at is not None
    assert registration.pk not in set(registrations_to_remind())
    [notification] = Notification.objects.filter(recipient=registration.user)
    assert notification.kind == "event.reminder"
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert tasks.send_event_reminder(registration.pk) is True  # the task's retry
    assert tasks.send_event_reminder(registration.pk) is False
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=registration.user).count() == 1


def test_the_tasks_run_on_the_beat():
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule[tasks.queue_event_reminders.name] == 3600.0
    assert schedule[tasks.extend_event_occurrences.name] == 24 * 3600.0


# --- Cancellation notices ---------------------------------------------------------------------


def test_each_registrant_is_told_once_that_the_event_is_cancelled(
    now, run_tasks, organiser, django_capture_on_commit_callbacks
):
    event = event_on(at(now, 3, dt.time(10, 0)), collective=organiser.collective, capacity=1)
    confirmed, waiting = register(event), register(event)
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(actor=organiser.user, event=event, reason="La salle est inondée.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [confirmed.user.email, waiting.user.email]
    )
    for message in mail.outbox:
        assert message.subject == subject("fr", "Cancelled: %(title)s", "Atelier vannerie")
        assert "La salle est inondée." in message.body
        events = reverse("events:list", kwargs={"slug": organiser.collective.slug})
        assert settings.SITE_URL + events in message.body
    # A duplicate delivery of the task sends nothing more.
    assert tasks.send_cancellation_notice(confirmed.pk) is False
    assert tasks.send_cancellation_notice(waiting.pk) is False
    assert len(mail.outbox) == 2
    assert Registration.objects.filter(cancellation_notified_at__isnull=True).count() == 0


def test_a_cancelled_date_is_announced_in_english_to_an_english_speaker(
    now, run_tasks, organiser, django_capture_on_commit_callbacks
):
    event = event_on(at(now, 3, dt.time(10, 0)), collective=organiser.collective)
    person = UserFactory(preferred_language="en")
    register(event, person)
    with django_capture_on_commit_callbacks(execute=True):
        occurrence_cancel(actor=organiser.user, occurrence=event.occurrences.get())
    [message] = sent_to(person)
    assert message.subject == subject("en", "Cancelled: %(title)s", "Atelier vannerie")
    assert message.subject == "Cancelled: Atelier vannerie"
    assert "is cancelled by the organisers" in message.body


def test_a_cancellation_notice_applies_only_to_a_cancelled_registration(now, run_tasks):
    registration = register(event_on(at(now, 3, dt.time(10, 0))))
    assert tasks.send_cancellation_notice(registration.pk) is False
    assert mail.outbox == []


# --- « A seat is yours » -----------------------------------------------------------------------


def test_the_first_person_waiting_is_told_once_that_a_seat_is_theirs(
    now, run_tasks, django_capture_on_commit_callbacks
):
    event = event_on(at(now, 3, dt.time(10, 0)), capacity=1)
    holder = register(event)
    waiting_person = UserFactory(preferred_language="en")
    waiting = register(event, waiting_person)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(actor=holder.user, registration=holder)
    assert [m.to for m in mail.outbox] == [[waiting_person.email]]
    message = mail.outbox[0]
    assert message.subject == "A seat is yours: Atelier vannerie"
    slug = {"slug": event.collective.slug, "event_slug": event.slug}
    with translation.override("en"):
        assert settings.SITE_URL + reverse("events:ics", kwargs=slug) in message.body
    # Delivered twice by the broker: sent once.
    assert tasks.send_seat_freed(waiting.pk) is False
    assert len(mail.outbox) == 1


def test_a_seat_given_up_before_the_mail_left_is_not_announced(now, monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(tasks.send_seat_freed, "delay", queued.append)
    event = event_on(at(now, 3, dt.time(10, 0)), capacity=1)
    holder = register(event)
    waiting = register(event)
    registration_cancel(actor=holder.user, registration=holder)
    registration_cancel(actor=waiting.user, registration=Registration.objects.get(pk=waiting.pk))
    assert tasks.send_seat_freed(waiting.pk) is False
    assert mail.outbox == []


def test_reminders_wait_for_the_morning(now):
    """The hourly run after midnight sends nothing: people are reminded from 9 h."""
    registration = register(event_on(at(now, 1, dt.time(10, 0))))
    night = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time(0, 30)))
    morning = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time(9, 0)))
    assert list(registrations_to_remind(now=night)) == []
    assert list(registrations_to_remind(now=morning)) == [registration.pk]


def test_each_notice_is_also_in_the_persons_inbox(now, run_tasks):
    """The notices go through the notification path: one inbox entry each, leading to the
    event, its e-mail marked sent."""
    event = event_on(at(now, 1, dt.time(10, 0)))
    registration = register(event)
    tasks.queue_event_reminders()
    [notification] = Notification.objects.filter(recipient=registration.user)
    assert notification.kind == "event.reminder"
    assert notification.link == event.get_absolute_url()
    assert "Atelier vannerie" in notification.summary
    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.context == {"registration_id": registration.pk, "notice": "reminder"}


# --- A date moves --------------------------------------------------------------------------------


def test_moving_a_date_tells_everyone_registered_and_the_reminder_is_due_again(
    now, organiser, django_capture_on_commit_callbacks
):
    """Confirmed people and those waiting hear of the new time (once each); moved to
    another day, the reminder is for the day before the new date."""
    from collectives.services.events import occurrence_move
    from notifications.services.delivery import notification_deliver

    event = event_on(at(now, 1, dt.time(10, 0)), capacity=1, collective=organiser.collective)
    confirmed, waiting = register(event), register(event)
    assert waiting.status == Registration.Status.WAITLISTED
    Registration.objects.filter(pk=confirmed.pk).update(reminded_at=now)
    new_start = at(now, 3, dt.time(14, 0))
    with django_capture_on_commit_callbacks():
        occurrence_move(
            actor=organiser.user,
            occurrence=event.occurrences.get(),
            starts_at=new_start,
            ends_at=new_start + dt.timedelta(hours=2),
        )
    notices = Notification.objects.filter(kind="event.moved").order_by("pk")
    assert [n.recipient_id for n in notices] == [confirmed.user_id, waiting.user_id]
    for notice in notices:
        assert notification_deliver(notification_id=notice.pk) is True
        assert notification_deliver(notification_id=notice.pk) is False
    assert len(mail.outbox) == 2
    assert "Atelier vannerie" in mail.outbox[0].subject
    confirmed.refresh_from_db()
    assert confirmed.reminded_at is None

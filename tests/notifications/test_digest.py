"""The daily digest: at 7:30 in Paris, one e-mail per person gathering their digest-mode
notifications (follow-updates by default), each notification in at most one digest
(notifications.services.digest, notifications.tasks)."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.utils import timezone

from notifications import tasks
from notifications.models import Notification
from notifications.services.digest import digest_send
from notifications.services.notify import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = Notification.EmailStatus


def follow_update(person, kind="follow.new_product", title="Tomme de brebis"):
    context = {"merchant_name": "Fromagerie Dupuy", "collective_name": "Les Halles", "title": title}
    return notify(recipient=person, kind=kind, context=context, link="/boutiques/fromagerie-dupuy/")


@pytest.fixture
def run_batches(monkeypatch):
    """The digest batches run at once, as the worker would run them."""
    monkeypatch.setattr(
        tasks.send_digests, "apply_async", lambda args=(), **options: tasks.send_digests(*args)
    )


def test_the_days_follow_updates_go_in_one_e_mail_per_person_and_never_twice(run_batches):
    anne, bruno = UserFactory(), UserFactory(preferred_language="en")
    follow_update(anne, title="Tomme de brebis")
    follow_update(anne, title="Pain au levain")
    follow_update(anne, kind="follow.new_story", title="La traite du matin")
    follow_update(bruno, kind="follow.new_event", title="Marché de nuit")
    notify(recipient=anne, kind="groupbuy.tier_reached", context={})  # straight away

    assert tasks.send_daily_digests() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([anne.email, bruno.email])
    to_anne = next(m for m in mail.outbox if m.to == [anne.email])
    for title in ("Tomme de brebis", "Pain au levain", "La traite du matin"):
        assert title in to_anne.body
    assert "List-Unsubscribe" in to_anne.extra_headers
    to_bruno = next(m for m in mail.outbox if m.to == [bruno.email])
    assert to_bruno.subject == "Your day on Halle: 1 piece of news"
    assert f"{settings.SITE_URL}/en/boutiques/fromagerie-dupuy/" in to_bruno.body
    assert not Notification.objects.filter(email_status=S.DIGEST, digested_at__isnull=True).exists()

    # The next run (or a duplicate task) finds nothing left.
    assert tasks.send_daily_digests() == 0
    assert digest_send(user_id=anne.pk) is False
    assert len(mail.outbox) == 2
    # Tomorrow's news goes in tomorrow's digest only.
    follow_update(anne, title="Comté 24 mois")
    assert digest_send(user_id=anne.pk) is True
    assert "Comté 24 mois" in mail.outbox[-1].body
    assert "Tomme de brebis" not in mail.outbox[-1].body


def test_a_mail_server_failure_gives_the_notifications_back_for_the_retry(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.FlakyBackend"
    from tests.notifications.test_delivery import FlakyBackend

    FlakyBackend.failures = 1
    person = UserFactory()
    follow_update(person)
    with pytest.raises(OSError, match="mail server is down"):
        digest_send(user_id=person.pk)
    assert Notification.objects.get(recipient=person).digested_at is None
    assert digest_send(user_id=person.pk) is True
    assert len(mail.outbox) == 1


def test_stale_news_is_left_out(run_batches):
    person = UserFactory()
    old = follow_update(person)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert tasks.send_daily_digests() == 0


def test_the_digest_runs_at_half_past_seven_in_paris():
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == tasks.send_daily_digests.name
    )
    assert entry["schedule"] == crontab(hour=7, minute=30)
    assert settings.CELERY_TIMEZONE == "Europe/Paris"

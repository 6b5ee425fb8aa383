"""A collective's newsletter to 2,000 followers, end to end, with a real Celery worker
process and the real broker: the organiser sends it from the service, the worker starts it
(the recipients snapshotted), fans it out in batches on the ``notifications`` queue with four
threads claiming batches side by side, and every follower receives it exactly once.

The worker is started as tests/integration/test_celery_worker.py starts its own (the test
database, this run's broker prefix), on the ``notifications`` queue. Its e-mails go to Django's
file backend in this test's folder (tests/integration/newsletter_worker_settings.py): the
locmem backend of the test settings would keep them in the worker's memory, out of the test's
reach. The test then checks both sides — the messages the backend received, parsed back from
the files (one per address, 2,000 in all), and the delivery rows (2,000 « sent », each
attempted once)."""

import email
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings

from accounts.models import User
from collectives.models import Follow
from config.celery import app as celery_app
from notifications.models import Newsletter, NewsletterDelivery
from notifications.services.newsletters import newsletter_draft, newsletter_send_now
from tests.factories import CollectiveFactory, OrganiserFactory
from tests.integration.test_celery_worker import database_url, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
FOLLOWERS = 2000
# What Django's file backend writes after each message.
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


@pytest.fixture
def newsletter_worker(settings, tmp_path):
    """A real worker on the test database and the ``notifications`` queue, four threads,
    its e-mails written to files under ``tmp_path / "mail"``."""
    celery_app.control.purge()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.newsletter_worker_settings",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "HALLE_TEST_BROKER_PREFIX": settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"],
        "HALLE_TEST_EMAIL_DIR": str(mail_dir),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "notifications",
            # Threads, not forked processes: the file backend names its files by the second
            # and the backend object's id, which forked children could share.
            "--pool",
            "threads",
            "--concurrency",
            "4",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"halle-test-newsletters-{os.getpid()}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process, mail_dir
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def followers(collective, count: int) -> list[str]:
    """``count`` people following the collective, each with a verified address: three
    set-based INSERTs, not 2,000 round trips each."""
    users = User.objects.bulk_create(
        User(email=f"follower{n}@example.org", display_name=f"Follower {n}") for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    Follow.objects.bulk_create(Follow(user=user, collective=collective) for user in users)
    return [user.email for user in users]


def mailed_addresses(mail_dir: Path) -> Counter:
    """The recipient of every message the worker's mail backend received."""
    recipients: Counter = Counter()
    for path in mail_dir.iterdir():
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                recipients[email.message_from_bytes(raw)["To"]] += 1
    return recipients


def test_a_newsletter_to_2000_followers_is_delivered_once_each(newsletter_worker, tmp_path):
    """Rule: a letter fans out in Celery batches — no request sends it — and reaches every
    follower exactly once."""
    worker, mail_dir = newsletter_worker
    collective = CollectiveFactory()
    organiser = OrganiserFactory(collective=collective).user
    expected = followers(collective, FOLLOWERS)

    newsletter = newsletter_draft(actor=organiser, collective=collective)
    newsletter_send_now(actor=organiser, newsletter=newsletter)  # queued on commit

    def sent() -> bool:
        newsletter.refresh_from_db()
        return newsletter.status == Newsletter.Status.SENT

    wait_until(
        sent,
        timeout=180,
        what="the worker to send the newsletter",
        worker=worker,
        log=tmp_path / "worker.log",
    )

    assert newsletter.recipient_count == FOLLOWERS
    rows = NewsletterDelivery.objects.filter(newsletter=newsletter)
    assert rows.count() == FOLLOWERS
    assert set(rows.values_list("status", "attempts").distinct()) == {("sent", 1)}
    assert mailed_addresses(mail_dir) == Counter(dict.fromkeys(expected, 1))

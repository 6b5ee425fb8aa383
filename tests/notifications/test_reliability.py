"""Item 6 of the issue: Redis down must not fail (or hang) a request. The notification
row commits; queuing its delivery fails fast, is logged and swallowed; the sweep delivers
it once the broker is back (notifications.queueing, CELERY_* settings)."""

import time

import pytest
from django.conf import settings
from django.core import mail

from config.celery import app
from notifications import tasks
from notifications.models import Notification
from notifications.queueing import queue_now
from notifications.services.delivery import notifications_sweep
from tests.factories import MerchantFactory, UserFactory

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _reset_connections() -> None:
    """Forget the app's pools so the next publish uses ``broker_url`` (kombu keeps a pool
    per broker URL: the previous one is found again when the URL is restored)."""
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """The broker is unreachable for the duration of the test."""
    previous = app.conf.broker_url
    app.conf.broker_url = CLOSED_PORT
    _reset_connections()
    yield
    app.conf.broker_url = previous
    _reset_connections()


def test_the_settings_bound_every_wait_on_the_broker():
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    # The test settings replace the transport options (a key prefix per run); production's
    # are the base settings' — read them from there.
    from config.settings import base

    assert base.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] <= 5
    assert base.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] <= 10
    assert base.CELERY_BROKER_CONNECTION_TIMEOUT <= 5
    assert base.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 3
    assert options is not None


def test_queuing_with_the_broker_down_is_logged_and_swallowed(broker_down, caplog):
    started = time.monotonic()
    assert queue_now(tasks.deliver_notification, 123) is False
    assert time.monotonic() - started < 5
    assert "Broker unreachable" in caplog.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.notifications.urls")
def test_a_request_that_notifies_answers_when_the_broker_is_down(client, broker_down):
    person, shop = UserFactory(), MerchantFactory()
    client.force_login(person)
    started = time.monotonic()
    answer = client.post(f"/follow/{shop.pk}/")
    assert answer.status_code == 200
    assert time.monotonic() - started < 5
    notification = Notification.objects.get(recipient=person)
    assert notification.email_status == Notification.EmailStatus.PENDING

    # The broker is back; a few minutes later the sweep queues it and it is delivered.
    app.conf.broker_url = settings.CELERY_BROKER_URL
    _reset_connections()
    import datetime as dt

    from django.utils import timezone

    queued: list[int] = []
    original = tasks.deliver_notification.apply_async

    def run(args=(), countdown=None, **options):
        queued.extend(args)
        tasks.deliver_notification(*args)

    tasks.deliver_notification.apply_async = run  # type: ignore[method-assign]
    try:
        assert notifications_sweep(now=timezone.now() + dt.timedelta(minutes=10)) == 1
    finally:
        tasks.deliver_notification.apply_async = original  # type: ignore[method-assign]
    assert queued == [notification.pk]
    assert [m.to for m in mail.outbox] == [[person.email]]

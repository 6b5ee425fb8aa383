"""Fixtures of the notification tests."""

import pytest

from notifications import tasks


@pytest.fixture
def queued(monkeypatch):
    """The delivery tasks queued (notification ids), instead of reaching the broker."""
    calls: list[int] = []

    def record(args=(), countdown=None, **options):
        calls.extend(args)

    monkeypatch.setattr(tasks.deliver_notification, "apply_async", record)
    return calls


@pytest.fixture
def deliver_at_once(monkeypatch):
    """Queued deliveries run at once, as the worker would run them."""
    ran: list[int] = []

    def run(args=(), countdown=None, **options):
        ran.extend(args)
        tasks.deliver_notification(*args)

    monkeypatch.setattr(tasks.deliver_notification, "apply_async", run)
    return ran

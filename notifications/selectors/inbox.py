"""The in-app inbox: a person's notifications, newest first, and how many are unread."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Notification


def inbox(user: User) -> QuerySet[Notification]:
    """``user``'s notifications, newest first (the inbox index serves it). Nothing to join:
    each row carries its own summary and link."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    """How many of ``user``'s notifications are unread (one query)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def own_notification(user: User, notification_id: int) -> Notification | None:
    """One of ``user``'s notifications (``None`` for anybody else's: a 404)."""
    return Notification.objects.filter(recipient=user, pk=notification_id).first()

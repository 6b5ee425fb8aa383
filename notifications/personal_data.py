"""What the notifications app keeps about a person, for « Mon compte »'s export and account
deletion (see accounts.personal_data): the inbox, the e-mail preferences, and which
newsletters were sent to them."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.personal_data import iso
from notifications.models import NewsletterDelivery, Notification, Preference


def export_notifications(user: User) -> dict[str, Any]:
    """The inbox (what it said, when, read or not), the preferences, and the newsletters
    received — the person's own rows only."""
    inbox = Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
    preferences = Preference.objects.filter(user=user).order_by("kind")
    letters = (
        NewsletterDelivery.objects.filter(user=user)
        .select_related("newsletter__collective")
        .order_by("-pk")
    )
    return {
        "inbox": [
            {
                "kind": n.kind,
                "summary": n.summary,
                "link": n.link,
                "created_at": iso(n.created_at),
                "read_at": iso(n.read_at),
                "emailed_at": iso(n.emailed_at),
            }
            for n in inbox.iterator()
        ],
        "preferences": {p.kind: p.mode for p in preferences},
        "newsletters": [
            {
                "collective": d.newsletter.collective.name,
                "subject": d.newsletter.subject,
                "status": d.status,
                "sent_at": iso(d.sent_at),
            }
            for d in letters.iterator()
        ],
    }


def erase_notifications(user: User) -> None:
    """The rows go with the account (the newsletter keeps its count of recipients)."""
    Notification.objects.filter(recipient=user).delete()
    Preference.objects.filter(user=user).delete()
    NewsletterDelivery.objects.filter(user=user).delete()

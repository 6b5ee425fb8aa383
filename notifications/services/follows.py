"""Follow-updates: telling the people who follow a shop or a collective that it published
something new (a product, a story, an event) — in their daily digest by default.

The publishing service calls :func:`follow_update_queue` inside its transaction; once it
commits, a task writes the notifications set-based, :data:`BATCH` followers at a time (one
batch per task, each queuing the next), so no request waits for thousands of rows. Each
batch is claimed with a cache marker named after the thing published and the batch's
first follower: a task delivered twice, or a thing unpublished and published again, never
notifies anyone twice.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from notifications.queueing import queue_now, queue_on_commit
from notifications.services.notify import notify_many

BATCH = 500
MARKER_SECONDS = 60 * 60 * 24 * 30
FOLLOW_KINDS = ("follow.new_product", "follow.new_story", "follow.new_event")


def follow_update_queue(
    *,
    kind: str,
    object_id: int,
    merchant_id: int | None = None,
    collective_id: int | None = None,
    context: dict[str, Any],
    link: str,
) -> None:
    """Queue, for after the current transaction commits, the notification of the
    followers of a shop (and of its collectives) or of a collective about ``kind``
    (``follow.new_product``…, about the thing ``object_id``). ``context`` holds the plain
    values the templates need (``title``, ``merchant_name``/``collective_name``…)."""
    from notifications.tasks import notify_followers

    assert kind in FOLLOW_KINDS
    source = {"object_id": object_id, "merchant_id": merchant_id, "collective_id": collective_id}
    queue_on_commit(notify_followers, kind, source, context, link)


def _followers(source: dict[str, Any]) -> Q:
    """Who follows the source: a shop's followers and those of the collectives it is an
    active member of, or a collective's followers."""
    from collectives.models import Membership

    merchant_id, collective_id = source.get("merchant_id"), source.get("collective_id")
    condition = Q(pk__in=[])
    if merchant_id:
        collectives = Membership.objects.filter(
            merchant_id=merchant_id, status=Membership.Status.ACTIVE
        ).values("collective_id")
        condition |= Q(merchant_id=merchant_id) | Q(collective_id__in=collectives)
    if collective_id:
        condition |= Q(collective_id=collective_id)
    return condition


def followers_notify(
    *, kind: str, source: dict[str, Any], context: dict[str, Any], link: str, after: int = 0
) -> int:
    """Notify one batch of followers (user ids above ``after``), then queue the next batch.
    Returns how many were notified by this batch."""
    from collectives.models import Follow
    from notifications.tasks import notify_followers

    user_ids = list(
        Follow.objects.filter(_followers(source), user_id__gt=after, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()[:BATCH]
    )
    if not user_ids:
        return 0
    marker = f"notifications:follow:{kind}:{source['object_id']}:{after}"
    if not cache.add(marker, True, timeout=MARKER_SECONDS):
        return 0  # this batch was done (a duplicate task, or published again)
    try:
        with transaction.atomic():
            written = notify_many(
                recipient_ids=user_ids, kind=kind, context={**context, **source}, link=link
            )
    except BaseException:
        cache.delete(marker)  # nothing was written: the retry must be able to
        raise
    if len(user_ids) == BATCH:
        queue_now(notify_followers, kind, source, context, link, user_ids[-1])
    return written


# --- What the publishing services call (inside their transaction) ----------------------------


def product_published(product: Any) -> None:
    """A shop published a product: its followers (and its collectives') hear of it."""
    follow_update_queue(
        kind="follow.new_product",
        object_id=product.pk,
        merchant_id=product.merchant_id,
        context={"title": product.title, "merchant_name": product.merchant.name},
        link=product.get_absolute_url(),
    )


def story_published(story: Any) -> None:
    """A shop published a story of its craft."""
    from django.urls import reverse

    follow_update_queue(
        kind="follow.new_story",
        object_id=story.pk,
        merchant_id=story.merchant_id,
        context={"title": story.title, "merchant_name": story.merchant.name},
        link=reverse(
            "catalog:story", kwargs={"merchant_slug": story.merchant.slug, "slug": story.slug}
        ),
    )


def event_published(event: Any) -> None:
    """A collective published an event."""
    follow_update_queue(
        kind="follow.new_event",
        object_id=event.pk,
        collective_id=event.collective_id,
        context={
            "title": event.title,
            "collective_name": event.collective.name,
            "starts_at": event.starts_at.isoformat(),
        },
        link=event.get_absolute_url(),
    )

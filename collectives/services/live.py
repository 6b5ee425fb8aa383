"""Every write of a live sale session's line-up, and the stream link's platform.

A live session is an :class:`~collectives.models.Event` of kind ``live``. Its line-up is a list
of :class:`~collectives.models.LineupItem` rows in ``position`` order; during the live the
organiser highlights the product being shown (at most one: a partial unique index).

Every change of a line-up first locks its event row: positions are computed from the rows
already there and the highlight moves from one row to another, so two organisers clicking at
the same moment are served one after the other and always leave a consistent line-up
(distinct positions, exactly one product shown).
"""

import re
from typing import Literal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from catalog.models import Product
from collectives.models import Event, LineupItem
from collectives.permissions import can_organise

# --- The stream link -----------------------------------------------------------------------

# What the pages write on the button (« Watch on YouTube »): brand names, not translated.
STREAM_PLATFORM_NAMES = {
    "peertube": "PeerTube",
    "youtube": "YouTube",
    "twitch": "Twitch",
    "instagram": "Instagram",
}
_YOUTUBE_HOSTS = frozenset({"youtube.com", "m.youtube.com", "youtu.be"})
_TWITCH_HOSTS = frozenset({"twitch.tv", "m.twitch.tv"})
_INSTAGRAM_HOSTS = frozenset({"instagram.com"})
# PeerTube is federated, so any instance may host the live: it is recognised by its paths,
# /w/<id> since PeerTube 3.3 and /videos/watch/<id> before (and still).
_PEERTUBE_PATH = re.compile(r"/(?:w|videos/watch)/[A-Za-z0-9-]+/?")
_HOSTNAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def stream_platform(url: str) -> str | None:
    """The platform of a live's address — ``"peertube"``, ``"youtube"``, ``"twitch"`` or
    ``"instagram"`` — or None if it is none of them.

    YouTube is youtube.com (and m., www.) or youtu.be, Twitch twitch.tv, Instagram
    instagram.com; PeerTube any public https host with a ``/w/…`` or ``/videos/watch/…`` path.
    """
    url = (url or "").strip()
    if not url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host or parts.username or parts.password:
        return None
    bare = host.removeprefix("www.")
    if bare in _YOUTUBE_HOSTS:
        return "youtube"
    if bare in _TWITCH_HOSTS:
        return "twitch"
    if bare in _INSTAGRAM_HOSTS:
        return "instagram"
    if scheme == "https" and _HOSTNAME.fullmatch(host) and _PEERTUBE_PATH.fullmatch(parts.path):
        return "peertube"
    return None


def validate_stream_url(url: str) -> None:
    """Refuse a stream link that is not on PeerTube, YouTube, Twitch or Instagram (an empty
    link is allowed: the organiser may add it later). For the event's ``full_clean``."""
    if url and stream_platform(url) is None:
        message = _(
            "Paste the address of the live on PeerTube, YouTube, Twitch or Instagram, "
            "for example https://www.youtube.com/live/… or https://www.twitch.tv/…"
        )
        raise ValidationError({"stream_url": ValidationError(message, code="unsupported_stream")})


# --- The line-up ---------------------------------------------------------------------------


def _lock_live_event(actor: User, event: Event) -> Event:
    """Check the actor runs the event's collective and the event is a live session, then
    lock the event row: every line-up change of one event waits for the previous one."""
    require(can_organise(actor, event.collective))
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.kind != Event.Kind.LIVE:
        raise ValidationError(
            _("Only a live sale session has a line-up of products."), code="not_live"
        )
    return locked


def _locked_item(event: Event, item: LineupItem) -> LineupItem:
    """Re-read ``item`` once its event is locked; it must belong to that event."""
    try:
        return LineupItem.objects.get(pk=item.pk, event=event)
    except LineupItem.DoesNotExist:
        raise ValidationError(
            _("This product is no longer in the line-up."), code="not_in_lineup"
        ) from None


@transaction.atomic
def lineup_add(*, actor: User, event: Event, product: Product, note: str = "") -> LineupItem:
    """Add a product at the end of the live's line-up, with an optional note (an offer…).

    The product must be published by an active member shop of the event's collective, and
    each product appears once.
    """
    event = _lock_live_event(actor, event)
    offered = Product.objects.published().for_collective(event.collective)
    if not offered.filter(pk=product.pk).exists():
        message = _("Choose a published product of a member shop.")
        raise ValidationError({"product": ValidationError(message, code="product_not_offered")})
    if event.lineup.filter(product=product).exists():
        message = _("%(product)s is already in the line-up.") % {"product": product}
        raise ValidationError({"product": ValidationError(message, code="already_in_lineup")})
    last = event.lineup.aggregate(last=Max("position"))["last"]
    item = LineupItem(
        event=event,
        product=product,
        note=note.strip(),
        position=0 if last is None else last + 1,
    )
    # The uniqueness rules were checked above under the lock; the database keeps them anyway.
    item.full_clean(validate_unique=False, validate_constraints=False)
    item.save()
    return item


@transaction.atomic
def lineup_remove(*, actor: User, item: LineupItem) -> None:
    """Take a product out of the line-up (the others keep their order)."""
    event = _lock_live_event(actor, item.event)
    _locked_item(event, item).delete()


@transaction.atomic
def lineup_move(*, actor: User, item: LineupItem, direction: Literal["up", "down"]) -> LineupItem:
    """Move a product one place up or down the line-up by swapping its position with its
    neighbour's (the position rule is checked at commit, so the swap needs no free slot).
    The first product does not go up, nor the last down: nothing changes then."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a product up or down."), code="invalid_direction")
    event = _lock_live_event(actor, item.event)
    item = _locked_item(event, item)
    neighbours = event.lineup.exclude(pk=item.pk)
    if direction == "up":
        neighbour = neighbours.filter(position__lte=item.position).order_by("-position", "-pk")
    else:
        neighbour = neighbours.filter(position__gte=item.position).order_by("position", "pk")
    other = neighbour.first()
    if other is None:
        return item
    item.position, other.position = other.position, item.position
    item.save(update_fields=["position"])
    other.save(update_fields=["position"])
    return item


@transaction.atomic
def lineup_highlight(*, actor: User, item: LineupItem) -> LineupItem:
    """Show this product now: it becomes the live's current product and no other is.

    Highlighting the product already shown changes nothing (its ``shown_at`` stays the
    moment it was first shown). The event row lock serialises two organisers clicking at
    once: the last click wins and exactly one product is current.
    """
    event = _lock_live_event(actor, item.event)
    item = _locked_item(event, item)
    event.lineup.filter(is_current=True).exclude(pk=item.pk).update(is_current=False)
    if not item.is_current:
        item.is_current = True
        item.shown_at = timezone.now()
        item.save(update_fields=["is_current", "shown_at"])
    return item


@transaction.atomic
def lineup_clear_highlight(*, actor: User, event: Event) -> Event:
    """Show no product (between two products, or once the live is over)."""
    event = _lock_live_event(actor, event)
    event.lineup.filter(is_current=True).update(is_current=False)
    return event

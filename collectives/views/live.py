"""The viewers' page of a live sale session (/collectifs/<slug>/direct/<event>/).

The page shows the stream link (opened on click: nothing is embedded, so a visit makes no
request to the platform), and the line-up with the product being shown and the stock left.
That part is the ``state`` partial, which htmx fetches again every few seconds
(``HALLE_LIVE_POLL_SECONDS``, 5 by default) until the live is over, so the highlight and the
stock follow the live without a reload.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from collectives.models import Event, LineupItem
from collectives.selectors.live import (
    LiveTiming,
    lineup_for_viewer,
    live_event_for_viewer,
    live_timing,
)
from collectives.services.live import STREAM_PLATFORM_NAMES, stream_platform

# Before the live starts the page polls slowly; from this long before it, at full pace.
SOON_SECONDS = 15 * 60
SLOW_POLL_SECONDS = 60


@dataclass(frozen=True)
class StreamLink:
    """The live's address and the platform's name for its button (empty if unknown)."""

    url: str
    platform: str

    @classmethod
    def for_event(cls, event: Event) -> StreamLink | None:
        if not event.stream_url:
            return None
        platform = stream_platform(event.stream_url)
        return cls(url=event.stream_url, platform=STREAM_PLATFORM_NAMES.get(platform or "", ""))


def poll_seconds(timing: LiveTiming) -> int | None:
    """How often the viewers' page asks for the line-up again: at the configured pace from a
    quarter of an hour before the start, once a minute before that, never once it is over."""
    if timing.is_over:
        return None
    pace = max(int(getattr(settings, "HALLE_LIVE_POLL_SECONDS", 5)), 1)
    if timing.is_on_air or (timing.starts_at - timezone.now()).total_seconds() <= SOON_SECONDS:
        return pace
    return max(pace, SLOW_POLL_SECONDS)


def _state_context(event: Event) -> dict[str, object]:
    items = lineup_for_viewer(event=event)
    timing = live_timing(event)
    current: LineupItem | None = next((item for item in items if item.is_current), None)
    return {
        "event": event,
        "collective": event.collective,
        "items": items,
        "current": current,
        "timing": timing,
        "poll_seconds": poll_seconds(timing),
        "state_url": reverse(
            "live:state", kwargs={"slug": event.collective.slug, "event_slug": event.slug}
        ),
    }


def live_detail(request: HttpRequest, slug: str, event_slug: str) -> HttpResponse:
    """The live's page: when, the stream link, the line-up and the product being shown."""
    event = live_event_for_viewer(actor=request.user, slug=slug, event_slug=event_slug)
    context = _state_context(event)
    context["stream"] = StreamLink.for_event(event)
    response = render(request, "collectives/live/detail.html", context)
    patch_cache_control(response, no_cache=True)
    return response


def live_state(request: HttpRequest, slug: str, event_slug: str) -> HttpResponse:
    """The line-up part of the page, polled by htmx. Three queries whatever the number of
    products; never cached, since the stock and the highlight change during the live."""
    event = live_event_for_viewer(actor=request.user, slug=slug, event_slug=event_slug)
    response = render(request, "collectives/live/_state.html", _state_context(event))
    patch_cache_control(response, no_cache=True)
    return response

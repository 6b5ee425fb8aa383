"""The embeddable widget (/widget/<collective>/, /en/widget/<collective>/): small pages that
partner sites (town hall, tourism office, local media) put in an ``<iframe>`` to show a
collective's upcoming events, products and shops. See docs/widget.md.

These are the only Halle pages another site may frame: they answer without
``X-Frame-Options`` and with ``Content-Security-Policy: frame-ancestors *`` (any site may
embed published data; the policy also keeps the page from loading anything but Halle's own
files). They are the same for every visitor — no session, no CSRF token, no cookie: they
are rendered without the request, so nothing can read the session — and each rendering is
cached for a minute per canonical URL and language, since every visitor of the partner's
page asks for it. Links open Halle in a new tab with ``?source=widget``, which a
reservation made from there records (``orders.models.Source.WIDGET``).
"""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from partners.forms.widget import WidgetOptions
from partners.selectors.widget import (
    collective_widget,
    widget_collective,
    widget_event,
    widget_event_dates,
)

TEMPLATES = "partners/widget/"
# How long one rendering is served to everybody: a change shows on partner sites within it.
CACHE_SECONDS = 60
# Bump when the templates change in a way that must not mix with cached renderings.
_CACHE_VERSION = "1"


def _origin(url: str) -> str:
    """``scheme://host`` of an absolute URL, or "" for a path (served by Halle itself)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@functools.cache
def content_security_policy() -> str:
    """The widget's policy: any site may frame it; it loads only Halle's own files — its
    pages, static files, and photos from Halle's media storage (which may be another host,
    e.g. object storage, asked once for the address of a file)."""
    static = _origin(settings.STATIC_URL or "")
    media = _origin(default_storage.url("widget"))
    own = " ".join(filter(None, ["'self'", static]))
    images = " ".join(filter(None, ["'self'", media, static]))
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {own}",
            # 'unsafe-inline' for the accent colour, a validated hex value in a style attribute.
            f"style-src {own} 'unsafe-inline'",
            f"img-src {images}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors *",
        ]
    )


def _cache_key(view: str, *parts: str) -> str:
    raw = "\n".join([_CACHE_VERSION, view, translation.get_language() or "", *parts])
    return "partners:widget:" + hashlib.sha256(raw.encode()).hexdigest()


def _frameable(html: str, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(html, status=status)
    response["Content-Security-Policy"] = content_security_policy()
    response["X-Robots-Tag"] = "noindex"  # the collective's own pages are the ones to index
    if status == 200:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _not_found(options: WidgetOptions) -> HttpResponse:
    """A 404 that still shows in the partner's frame, saying there is nothing to show
    (rather than the browser's refusal to frame Halle's usual 404 page)."""
    html = render_to_string(TEMPLATES + "not_found.html", {"options": options})
    return _frameable(html, status=404)


@xframe_options_exempt
@require_safe
def collective(request: HttpRequest, slug: str) -> HttpResponse:
    """A collective's widget: ``?show=events,products,shops&limit=6&theme=light``, plus
    ``accent=rrggbb`` and ``selection=<slug>`` (docs/widget.md)."""
    options = WidgetOptions.from_query(request.GET)
    key = _cache_key("collective", slug, options.query())
    html = cache.get(key)
    if html is None:
        try:
            tenant = widget_collective(slug=slug)
        except Http404:
            return _not_found(options)
        content = collective_widget(
            collective=tenant,
            sections=options.show,
            limit=options.limit,
            selection_slug=options.selection,
        )
        html = render_to_string(
            TEMPLATES + "collective.html", {"widget": content, "options": options}
        )
        cache.set(key, html, CACHE_SECONDS)
    return _frameable(html)


@xframe_options_exempt
@require_safe
def event(request: HttpRequest, slug: str, event_slug: str) -> HttpResponse:
    """One event's widget: its cover, place and next dates (``limit``, ``theme``,
    ``accent``)."""
    options = WidgetOptions.from_query(request.GET)
    key = _cache_key("event", slug, event_slug, options.query(sections=False))
    html = cache.get(key)
    if html is None:
        try:
            tenant = widget_collective(slug=slug)
            shown = widget_event(collective=tenant, event_slug=event_slug)
        except Http404:
            return _not_found(options)
        html = render_to_string(
            TEMPLATES + "event.html",
            {
                "event": shown,
                "collective": tenant,
                "dates": widget_event_dates(event=shown, limit=options.limit),
                "options": options,
            },
        )
        cache.set(key, html, CACHE_SECONDS)
    return _frameable(html)

"""What a story's text and video link become on a page.

A shopkeeper writes a story in Markdown; :func:`render_story_text` turns it into HTML that is
safe to show to anybody: raw HTML typed in the text is shown as text, never passed through, and
the result goes through an allow-list sanitiser (nh3) that keeps only paragraphs, emphasis,
lists, quotes, sub-headings and plain http/https/mailto links.

A story may point to one video on PeerTube, YouTube or Vimeo. :func:`parse_video_url` reads
such a link into a :class:`Video` (the provider, a canonical "watch" address and the
privacy-friendly player address). Pages show the video as a link and load the player only
when the visitor asks for it: nothing from the video site loads with the page.
"""

from __future__ import annotations

import html as html_module
import ipaddress
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# --- Markdown ------------------------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "a"}
)
LINK_SCHEMES = ("http://", "https://", "mailto:")
# rel on every link of a shopkeeper's text: search engines do not follow it (no reward for
# spam) and the opened page gets no handle on ours.
LINK_REL = "nofollow noopener"


class _HeadingShift(Treeprocessor):
    """The story's title is the page's ``h1``: ``#`` in the text becomes ``h2``, ``##`` an
    ``h3`` and anything deeper an ``h4``, so the outline of the page stays right."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(int(element.tag[1]) + 1, 4)}"


class _StoryMarkdown(Extension):
    """No raw HTML: ``<b>`` or ``<script>`` typed in a story are shown as typed."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_HeadingShift(md), "halle_heading_shift", 5)


def _keep_safe_links(tag: str, attribute: str, value: str) -> str | None:
    # nh3 already drops unknown schemes (javascript:, data:…); this also drops relative and
    # protocol-relative addresses, so a link in a story always says where it goes.
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(LINK_SCHEMES) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "*": set()},
    attribute_filter=_keep_safe_links,
    url_schemes={"http", "https", "mailto"},
    link_rel=LINK_REL,
    strip_comments=True,
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})


def _markdown_to_html(text: str) -> str:
    # A new Markdown instance per call: instances keep state between conversions.
    converter = markdown.Markdown(
        extensions=["sane_lists", "nl2br", _StoryMarkdown()], output_format="html"
    )
    return converter.convert(text or "")


def render_story_text(text: str) -> SafeString:
    """The HTML of a story's Markdown ``text``, sanitised: safe to put in any page."""
    return mark_safe(_CLEANER.clean(_markdown_to_html(text)))  # noqa: S308 -- sanitised by nh3


def story_excerpt(text: str, *, words: int = 30) -> str:
    """The first ``words`` words of the text as plain text (no Markdown signs), for cards."""
    html = _markdown_to_html(text)
    # Paragraphs and line breaks become spaces before the tags go, so words do not run together.
    html = re.sub(r"<(?:/p|br\s*/?|/li|/h[1-6]|/blockquote)>", " ", html)
    plain = _TEXT_ONLY.clean(html)
    plain = re.sub(r"\s+", " ", html_module.unescape(plain)).strip()
    return Truncator(plain).words(words, truncate="…")


# --- Video links ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Video:
    """A video a story points to.

    ``watch_url`` is the page on the video site (what a plain link opens); ``embed_url`` is the
    player to put in an iframe once the visitor asks for it, on the provider's privacy-friendly
    address (youtube-nocookie.com, Vimeo with ``dnt=1``, the PeerTube instance's own player).
    """

    provider: str  # "youtube", "vimeo" or "peertube"
    video_id: str
    watch_url: str
    embed_url: str
    host: str

    @property
    def provider_name(self) -> str:
        return {"youtube": "YouTube", "vimeo": "Vimeo"}.get(self.provider, "PeerTube")

    @property
    def player_host(self) -> str:
        """The site the player loads from once the visitor clicks « play here »."""
        return urlsplit(self.embed_url).hostname or ""

    @property
    def label(self) -> str:
        if self.provider == "peertube":
            return _("Video on PeerTube (%(host)s)") % {"host": self.host}
        return _("Video on %(provider)s") % {"provider": self.provider_name}


_YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_PATH = re.compile(r"/(?:embed|shorts|live|v)/([A-Za-z0-9_-]{11})/?")
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
_VIMEO_PATH = re.compile(
    r"/(?:video/|channels/[\w-]+/|groups/[\w-]+/videos/)?([0-9]{1,12})(?:/([0-9a-f]{6,20}))?/?"
)
# PeerTube: /w/<id> since version 3.3, /videos/watch/<id> and /videos/embed/<id> before and
# still; <id> is a UUID or its 22-character base58 "short UUID".
_PEERTUBE_PATH = re.compile(
    r"/(w|videos/watch|videos/embed)/"
    r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[1-9A-HJ-NP-Za-km-z]{16,24})/?"
)
_HOSTNAME = re.compile(r"(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".test")


def parse_video_url(url: str) -> Video | None:
    """The :class:`Video` at ``url``, or None unless it is a PeerTube, YouTube or Vimeo video.

    YouTube: ``youtube.com/watch?v=…``, ``youtu.be/…``, ``/shorts/…``, ``/embed/…``.
    Vimeo: ``vimeo.com/<number>`` (and its unlisted ``/<number>/<hash>`` form).
    PeerTube: any public https host with ``/w/<id>`` or ``/videos/watch/<id>``.
    """
    url = (url or "").strip()
    if not url or len(url) > 500 or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host or parts.username or parts.password:
        return None
    if host in _YOUTUBE_HOSTS or host == "youtu.be":
        return _youtube(host, parts.path, parts.query)
    if host in _VIMEO_HOSTS:
        return _vimeo(parts.path, parts.query)
    if scheme == "https":
        return _peertube(host, port, parts.path)
    return None


def validate_video_url(url: str) -> Video:
    """The :class:`Video` at ``url``; a ``ValidationError`` a shopkeeper understands if none."""
    video = parse_video_url(url)
    if video is None:
        raise ValidationError(
            _(
                "This link is not a video we can show. Paste the address of a video page on "
                "PeerTube, YouTube or Vimeo, for example https://www.youtube.com/watch?v=… "
                "or https://vimeo.com/123456."
            ),
            code="unsupported_video",
        )
    return video


def _youtube(host: str, path: str, query: str) -> Video | None:
    video_id = ""
    if host == "youtu.be":
        video_id = path.strip("/")
    elif path.rstrip("/") == "/watch":
        video_id = (parse_qs(query).get("v") or [""])[0]
    elif match := _YOUTUBE_PATH.fullmatch(path):
        video_id = match[1]
    if not _YOUTUBE_ID.fullmatch(video_id):
        return None
    return Video(
        provider="youtube",
        video_id=video_id,
        watch_url=f"https://www.youtube.com/watch?v={video_id}",
        embed_url=f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1",
        host="www.youtube.com",
    )


def _vimeo(path: str, query: str) -> Video | None:
    match = _VIMEO_PATH.fullmatch(path)
    if not match:
        return None
    video_id, secret = match[1], match[2] or ""
    if not secret:
        # Unlisted videos' player address carries the secret as ?h=…
        candidate = (parse_qs(query).get("h") or [""])[0]
        secret = candidate if re.fullmatch(r"[0-9a-f]{6,20}", candidate) else ""
    watch = f"https://vimeo.com/{video_id}" + (f"/{secret}" if secret else "")
    embed = f"https://player.vimeo.com/video/{video_id}?dnt=1&autoplay=1"
    return Video(
        provider="vimeo",
        video_id=video_id,
        watch_url=watch,
        embed_url=embed + (f"&h={secret}" if secret else ""),
        host="vimeo.com",
    )


def _peertube(host: str, port: int | None, path: str) -> Video | None:
    # PeerTube is federated: any instance may host the video. Only public names are taken:
    # no IP address, no local name (the link is for visitors, not for the shop's network).
    if not _is_public_hostname(host):
        return None
    match = _PEERTUBE_PATH.fullmatch(path)
    if not match:
        return None
    netloc = host if port in (None, 443) else f"{host}:{port}"
    watch_path = "/w/" if match[1] == "w" else "/videos/watch/"
    return Video(
        provider="peertube",
        video_id=match[2],
        watch_url=f"https://{netloc}{watch_path}{match[2]}",
        embed_url=f"https://{netloc}/videos/embed/{match[2]}?autoplay=1",
        host=host,
    )


def _is_public_hostname(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return False
    if host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        return False
    return bool(_HOSTNAME.fullmatch(host))

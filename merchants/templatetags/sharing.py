"""What a shared link shows (OpenGraph tags, read by Twitter and Mastodon too), for base.html.

base.html writes the tags every page has; a page fills the ``og_type`` and ``og_image``
blocks, e.g. ``{% block og_image %}{% og_image images.0 %}{% endblock %}``.
"""

from __future__ import annotations

from django import template
from django.db.models.fields.files import FieldFile
from django.template.base import NodeList
from django.template.loader_tags import BlockNode
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from merchants.jsonld import shared_image
from merchants.photos import Photo

register = template.Library()

_SUMMARY_CARD = mark_safe('<meta name="twitter:card" content="summary">')


@register.simple_tag(takes_context=True)
def page_block(context: template.Context, name: str) -> SafeString:
    """The page's block ``name`` rendered once more, on one line.

    Django renders a block once, where base.html places it; the link preview repeats the
    page's title and description. An empty block standing in for ``name`` finds the page's
    own version of it (the same look-up ``{% block %}`` makes), or renders nothing.
    """
    rendered = BlockNode(name, NodeList()).render(context)
    # The block's output is already escaped, but a translated literal is not: a double quote
    # would end the attribute this goes into. Joining the words keeps the escaping intact.
    return mark_safe(" ".join(rendered.split()).replace('"', "&quot;"))  # noqa: S308


@register.simple_tag(takes_context=True)
def absolute_url(context: template.Context, url: str) -> str:
    """``url`` (a path, or already absolute) with this site's scheme and host."""
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


@register.simple_tag(takes_context=True)
def og_image(context: template.Context, picture: Photo | FieldFile | None) -> SafeString:
    """The preview picture's tags, and the Twitter card that fits: a large picture when there
    is one ready, a summary otherwise (a photo still being processed is not shown)."""
    image = shared_image(picture)
    if image is None:
        return _SUMMARY_CARD
    tags = [("og:image", absolute_url(context, image.url))]
    if image.width and image.height:
        tags += [("og:image:width", str(image.width)), ("og:image:height", str(image.height))]
    if image.alt:
        tags.append(("og:image:alt", image.alt))
    return format_html(
        '{}\n  <meta name="twitter:card" content="summary_large_image">',
        format_html_join("\n  ", '<meta property="{}" content="{}">', tags),
    )

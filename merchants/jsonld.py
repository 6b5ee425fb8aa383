"""schema.org JSON-LD, read by search engines, and the shop's own description in it.

:func:`jsonld_script` writes any such data safely into a page; every app's builders use it
(catalog: products and stories; collectives: the collective and its events). The shop itself
(a ``LocalBusiness`` with its hours and closures) is described here because the shop, its
hours and its closures are this app's concepts.

Builders take the objects their page has already fetched: they never query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from merchants.models import Closure, Merchant, OpeningHours, Trade, Weekday
from merchants.photos import Photo

SCHEMA = "https://schema.org/"
CONTEXT = "https://schema.org"

# What json.dumps leaves as is but must not reach the HTML parser inside a <script>: « </ »
# would close the element and « <!-- » changes how the parser reads what follows. « & » too,
# so the text means the same to a reader that decodes character references.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

# The most precise schema.org type for a trade. schema.org has no butcher, cheese shop or
# fishmonger: those stay a plain ``Store`` (a guess such as GroceryStore would be wrong).
_TRADE_TYPES: dict[str, str] = {
    Trade.BAKERY: "Bakery",
    Trade.GROCERY: "GroceryStore",
    Trade.WINE: "LiquorStore",  # schema.org: « a shop that sells alcoholic drinks such as wine »
    Trade.FASHION: "ClothingStore",
    Trade.HOME: "HomeGoodsStore",
    Trade.BEAUTY: "HealthAndBeautyBusiness",
    Trade.BOOKS: "BookStore",
    Trade.FLORIST: "Florist",
    Trade.SERVICES: "LocalBusiness",  # sells a service, not goods over a counter
}
_DEFAULT_SHOP_TYPE = "Store"

_DAY_NAMES = {day.value: day.name.capitalize() for day in Weekday}  # 0 → "Monday"


def jsonld_script(data: Any) -> SafeString:
    """``data`` as JSON to put inside ``<script type="application/ld+json">``.

    json.dumps escapes quotes and control characters; the translation below keeps « </script> »
    in a shop's name or a product's title from closing the element (a JSON reader decodes
    ``\\u003C`` back to « < »). Non-ASCII stays as is: the page is UTF-8.
    """
    text = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 -- nothing in ``text`` can end the script element


@dataclass(frozen=True)
class SharedImage:
    """The picture a search engine or a shared link shows: the URL the storage gives
    (relative to the site or absolute), its size when known, and its description."""

    url: str
    width: int | None = None
    height: int | None = None
    alt: str = ""


def shared_image(picture: Photo | FieldFile | None) -> SharedImage | None:
    """The largest JPEG rendition of a processed photo, or a stored picture (a shop's cover);
    None for nothing, or a photo still being processed (never the raw upload).

    JPEG rather than WebP: not every site that previews a shared link reads WebP.
    """
    if isinstance(picture, Photo):
        if not picture.is_ready:
            return None
        jpegs = [
            (int(entry.get("width", key)), entry)
            for key, entry in picture.renditions.items()
            if "jpeg" in entry
        ]
        if not jpegs:
            return None
        width, entry = max(jpegs, key=lambda pair: pair[0])
        return SharedImage(
            url=picture.image.storage.url(entry["jpeg"]),
            width=width,
            height=entry.get("height"),
            alt=picture.alt_text,
        )
    if picture:  # a FieldFile with a name: the shop's pictures are stored once cleaned
        return SharedImage(url=picture.url)
    return None


def image_urls(request: HttpRequest, pictures: Iterable[Photo | FieldFile | None]) -> list[str]:
    """Absolute URLs of the pictures that can be shown (see :func:`shared_image`)."""
    images = (shared_image(picture) for picture in pictures)
    return [request.build_absolute_uri(image.url) for image in images if image is not None]


def shop_type(merchant: Merchant) -> str:
    """The schema.org type of the shop: a ``LocalBusiness`` subtype from its trade."""
    return _TRADE_TYPES.get(merchant.trade, _DEFAULT_SHOP_TYPE)


def shop_reference(request: HttpRequest, merchant: Merchant) -> dict[str, Any]:
    """The shop named from another object (a product's seller, a story's author)."""
    return {
        "@type": shop_type(merchant),
        "name": merchant.name,
        "url": request.build_absolute_uri(merchant.get_absolute_url()),
    }


def shop_schema(
    request: HttpRequest,
    merchant: Merchant,
    *,
    hours: Iterable[OpeningHours],
    closures: Iterable[Closure],
) -> dict[str, Any]:
    """The shop as a schema.org ``LocalBusiness`` (or a subtype): address, position, contact,
    weekly hours (one specification per range, so a day with a lunch break has two) and its
    exceptional closures (closed all day from the first to the last day: « 00:00 – 00:00 »).

    ``hours`` and ``closures`` are the rows the page shows, already fetched.
    """
    data: dict[str, Any] = {
        "@context": CONTEXT,
        **shop_reference(request, merchant),
    }
    address = {
        "streetAddress": merchant.street,
        "postalCode": merchant.postcode,
        "addressLocality": merchant.city,
    }
    data["address"] = {
        "@type": "PostalAddress",
        **{key: value for key, value in address.items() if value},
        "addressCountry": "FR",
    }
    if merchant.short_description:
        data["description"] = merchant.short_description
    if merchant.has_location:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(merchant.latitude),
            "longitude": float(merchant.longitude),
        }
    if merchant.phone:
        data["telephone"] = merchant.phone
    if merchant.email:
        data["email"] = merchant.email
    images = image_urls(request, [merchant.cover_image, merchant.logo])
    if images:
        data["image"] = images
    if merchant.logo:
        data["logo"] = request.build_absolute_uri(merchant.logo.url)
    same_as = [url for url in (merchant.website, *merchant.social_links) if url]
    if same_as:
        data["sameAs"] = same_as
    data["openingHoursSpecification"] = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": SCHEMA + _DAY_NAMES[row.weekday],
            "opens": row.opens.strftime("%H:%M"),
            "closes": row.closes.strftime("%H:%M"),
        }
        for row in hours
    ]
    special = [
        {
            "@type": "OpeningHoursSpecification",
            "validFrom": closure.starts_on.isoformat(),
            "validThrough": closure.ends_on.isoformat(),
            "opens": "00:00",
            "closes": "00:00",
        }
        for closure in closures
    ]
    if special:
        data["specialOpeningHoursSpecification"] = special
    return data

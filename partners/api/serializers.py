"""What the API writes for each resource (reads; the writes' input serializers live with the
write views). Field names are English snake_case and stable.

- Money: strings with two decimals (``"12.50"``) and ``"currency": "EUR"``; prices include VAT.
- Times: ISO 8601 with the offset, in Europe/Paris (``"2025-06-07T08:00:00+02:00"``);
  dates ``YYYY-MM-DD``; opening hours ``HH:MM``.
- Pictures: absolute URLs; each photo lists its renditions (JPEG and WebP at each width).
  Photos still being processed are left out (never the raw upload).
- Every resource has ``url`` (its public page on Halle) and ``api_url`` (itself in the API);
  lists nested in a resource link to their API list (``products_url``…).
- Codes (``trade``, ``kind``, ``unit``, ``labels``…) are stable identifiers, not labels.

The serializers read objects fetched by :mod:`partners.selectors.api`; they make no query.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from catalog.models import Label, Product, Unit
from collectives.models import Collective, Event, EventOccurrence
from merchants.models import Merchant, Story, Trade
from merchants.photos import Photo
from merchants.story_text import render_story_text, story_excerpt

CURRENCY = "EUR"
TIME_ZONE = "Europe/Paris"
# A plain upload (a logo, a cover: no renditions) is one URL, or null without one.
NULLABLE_URI = {"type": "string", "format": "uri", "nullable": True}


# --- Links and pictures ----------------------------------------------------------------------


def _request(serializer: serializers.Field) -> Request:
    return serializer.context["request"]


def public_url(request: Request, obj: Any) -> str:
    """The absolute address of ``obj``'s public page, in French (the site's default
    language, whose addresses have no prefix) whatever the request's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(obj.get_absolute_url())


def site_url(request: Request, name: str, **kwargs: Any) -> str:
    """The absolute address of a named page of the site (French addresses)."""
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse(name, kwargs=kwargs))


def api_url(request: Request, name: str, **kwargs: Any) -> str:
    """The absolute address of an API endpoint (``api:<name>``)."""
    return request.build_absolute_uri(reverse(f"api:{name}", kwargs=kwargs))


def file_url(request: Request, file: FieldFile | None) -> str | None:
    return request.build_absolute_uri(file.url) if file else None


class RenditionSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField(allow_null=True)
    jpeg = serializers.URLField(allow_null=True)
    webp = serializers.URLField(allow_null=True)


class PhotoSerializer(serializers.Serializer):
    """A processed photo: its description and its renditions, narrowest first."""

    alt_text = serializers.CharField()
    position = serializers.IntegerField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    renditions = serializers.SerializerMethodField()

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, photo: Photo) -> list[dict[str, Any]]:
        request = _request(self)
        storage = photo.image.storage
        by_width: dict[int, dict[str, Any]] = {}
        # A photo narrower than the largest target has renditions of equal width: one each.
        for key, entry in sorted(photo.renditions.items(), key=lambda item: int(item[0])):
            width = int(entry.get("width", key))
            by_width.setdefault(
                width,
                {
                    "width": width,
                    "height": entry.get("height"),
                    "jpeg": request.build_absolute_uri(storage.url(entry["jpeg"]))
                    if entry.get("jpeg")
                    else None,
                    "webp": request.build_absolute_uri(storage.url(entry["webp"]))
                    if entry.get("webp")
                    else None,
                },
            )
        return list(by_width.values())


def photos_data(serializer: serializers.Field, photos: list[Photo]) -> list[dict[str, Any]]:
    ready = [photo for photo in photos if photo.is_ready]
    return list(PhotoSerializer(ready, many=True, context=serializer.context).data)


# --- Collectives -----------------------------------------------------------------------------


class CollectiveSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, collective: Collective) -> str:
        return api_url(_request(self), "collective_detail", slug=collective.slug)


class MapSerializer(serializers.Serializer):
    latitude = serializers.FloatField(source="map_latitude", allow_null=True)
    longitude = serializers.FloatField(source="map_longitude", allow_null=True)
    zoom = serializers.IntegerField(source="map_zoom")


class CollectiveSerializer(serializers.Serializer):
    """A collective: who they are, where, and links to its shops, products, events,
    stories and calendar."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    town = serializers.CharField()
    description = serializers.CharField()
    charter = serializers.CharField()
    logo = serializers.SerializerMethodField()
    cover_image = serializers.SerializerMethodField()
    map = MapSerializer(source="*")
    member_count = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    calendar_url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    merchants_url = serializers.SerializerMethodField()
    products_url = serializers.SerializerMethodField()
    events_url = serializers.SerializerMethodField()
    stories_url = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(NULLABLE_URI)
    def get_logo(self, collective: Collective) -> str | None:
        return file_url(_request(self), collective.logo)

    @extend_schema_field(NULLABLE_URI)
    def get_cover_image(self, collective: Collective) -> str | None:
        return file_url(_request(self), collective.cover_image)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, collective: Collective) -> str:
        return public_url(_request(self), collective)

    @extend_schema_field(OpenApiTypes.URI)
    def get_calendar_url(self, collective: Collective) -> str:
        return site_url(_request(self), "events:feed", slug=collective.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, collective: Collective) -> str:
        return api_url(_request(self), "collective_detail", slug=collective.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_merchants_url(self, collective: Collective) -> str:
        return api_url(_request(self), "collective_merchants", slug=collective.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_products_url(self, collective: Collective) -> str:
        return api_url(_request(self), "collective_products", slug=collective.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_events_url(self, collective: Collective) -> str:
        return api_url(_request(self), "collective_events", slug=collective.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_stories_url(self, collective: Collective) -> str:
        return api_url(_request(self), "collective_stories", slug=collective.slug)


# --- Shops -----------------------------------------------------------------------------------


class MerchantSummarySerializer(serializers.Serializer):
    """A shop named from another resource (a product's, a story's)."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, merchant: Merchant) -> str:
        return public_url(_request(self), merchant)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, merchant: Merchant) -> str:
        return api_url(_request(self), "merchant_detail", slug=merchant.slug)


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "09:00"})
class ClockField(serializers.TimeField):
    """A time of day as ``HH:MM`` (Paris time)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class OpeningHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(
        min_value=0, max_value=6, help_text="0 is Monday, 6 is Sunday."
    )
    opens = ClockField()
    closes = ClockField()


class ClosureSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="Inclusive.")
    reason = serializers.CharField()


class MerchantSerializer(serializers.Serializer):
    """A shop: what it does, where, how to reach it, when it is open (weekly hours and the
    closures to come), and a link to its products."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    trade = serializers.ChoiceField(choices=Trade.choices)
    short_description = serializers.CharField()
    story = serializers.CharField()
    address = AddressSerializer(source="*")
    phone = serializers.CharField()
    email = serializers.CharField(help_text="An e-mail address, or empty.")
    website = serializers.CharField()
    social_links = serializers.ListField(child=serializers.URLField())
    logo = serializers.SerializerMethodField()
    cover_image = serializers.SerializerMethodField()
    opening_hours = OpeningHoursSerializer(many=True, source="opening_hours.all")
    closures = ClosureSerializer(many=True, source="closures.all")
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    products_url = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(NULLABLE_URI)
    def get_logo(self, merchant: Merchant) -> str | None:
        return file_url(_request(self), merchant.logo)

    @extend_schema_field(NULLABLE_URI)
    def get_cover_image(self, merchant: Merchant) -> str | None:
        return file_url(_request(self), merchant.cover_image)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, merchant: Merchant) -> str:
        return public_url(_request(self), merchant)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, merchant: Merchant) -> str:
        return api_url(_request(self), "merchant_detail", slug=merchant.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_products_url(self, merchant: Merchant) -> str:
        return api_url(_request(self), "merchant_products", slug=merchant.slug)


class MerchantDetailSerializer(MerchantSerializer):
    """A shop, with the active collectives it is a member of."""

    collectives = CollectiveSummarySerializer(many=True, source="api_collectives")


# --- Products --------------------------------------------------------------------------------


class CategoryParentSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class CategorySerializer(CategoryParentSerializer):
    """A category of the shared taxonomy (``name`` in French, ``name_en`` in English)."""

    parent = CategoryParentSerializer(allow_null=True)


class ProductSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, product: Product) -> str:
        return api_url(_request(self), "product_detail", pk=product.pk)


class ProductSerializer(serializers.Serializer):
    """A product: price (VAT included) and currency, stock, labels, category, shop, photos.

    ``stock`` is null when the shop does not count units (then ``in_stock`` is true)."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    description = serializers.CharField()
    sku = serializers.CharField(help_text="The shop's own reference (may be empty).")
    price = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True)
    compare_at_price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        coerce_to_string=True,
        allow_null=True,
        help_text="The former price, shown struck through; null if none.",
    )
    currency = serializers.SerializerMethodField()
    vat_rate = serializers.DecimalField(
        max_digits=4, decimal_places=2, coerce_to_string=True, help_text="In percent."
    )
    unit = serializers.ChoiceField(choices=Unit.choices)
    stock = serializers.IntegerField(allow_null=True)
    in_stock = serializers.BooleanField(source="is_in_stock")
    labels = serializers.ListField(child=serializers.ChoiceField(choices=Label.choices))
    category = CategorySerializer(allow_null=True)
    merchant = MerchantSummarySerializer()
    images = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field({"type": "string", "enum": [CURRENCY]})
    def get_currency(self, product: Product) -> str:
        return CURRENCY

    @extend_schema_field(PhotoSerializer(many=True))
    def get_images(self, product: Product) -> list[dict[str, Any]]:
        images = getattr(product, "ready_images", None)
        if images is None:  # not prefetched (a product just written): fetch them
            images = list(product.images.order_by("position", "pk"))
        return photos_data(self, images)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, product: Product) -> str:
        return public_url(_request(self), product)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, product: Product) -> str:
        return api_url(_request(self), "product_detail", pk=product.pk)


# --- Events ----------------------------------------------------------------------------------


class PlaceSerializer(serializers.Serializer):
    name = serializers.CharField(source="place_name")
    street = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


class EventDateSerializer(serializers.Serializer):
    """One date of an event. A moved date keeps ``original_start`` (the date its rule gave,
    iCalendar's RECURRENCE-ID); ``is_cancelled`` is true when the date or the whole event is
    cancelled."""

    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    original_start = serializers.DateTimeField()
    is_moved = serializers.BooleanField()
    status = serializers.ChoiceField(choices=EventOccurrence.Status.choices)
    is_cancelled = serializers.BooleanField()
    capacity = serializers.IntegerField(allow_null=True, help_text="Null: no limit.")
    seats_left = serializers.IntegerField(allow_null=True, help_text="Null: no limit.")


class EventSerializer(serializers.Serializer):
    """An event with its recurrence rule and its dates in the range asked for.

    ``recurrence`` is an RFC 5545 RRULE (``FREQ=WEEKLY;BYDAY=SA``) expanded in Europe/Paris
    wall-clock time from ``starts_at``, or null for a one-off event; ``dates`` lists every
    date in range, the cancelled ones included and flagged."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    status = serializers.ChoiceField(
        choices=[
            (Event.Status.PUBLISHED.value, "published"),
            (Event.Status.CANCELLED.value, "cancelled"),
        ]
    )
    is_cancelled = serializers.SerializerMethodField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancellation_reason = serializers.CharField()
    description = serializers.CharField()
    starts_at = serializers.DateTimeField(help_text="The first date's start.")
    ends_at = serializers.DateTimeField(help_text="The first date's end.")
    recurrence = serializers.SerializerMethodField()
    timezone = serializers.SerializerMethodField()
    is_online = serializers.BooleanField()
    online_url = serializers.CharField()
    stream_url = serializers.CharField()
    place = PlaceSerializer(source="*")
    capacity = serializers.IntegerField(
        allow_null=True, help_text="Seats per date; null: no limit."
    )
    registration_open = serializers.BooleanField()
    cover = serializers.SerializerMethodField()
    collective = CollectiveSummarySerializer()
    url = serializers.SerializerMethodField()
    calendar_url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    dates = EventDateSerializer(many=True, source="dates_in_range")

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_cancelled(self, event: Event) -> bool:
        return event.status == Event.Status.CANCELLED

    @extend_schema_field({"type": "string", "nullable": True, "example": "FREQ=WEEKLY;BYDAY=SA"})
    def get_recurrence(self, event: Event) -> str | None:
        return event.recurrence or None

    @extend_schema_field({"type": "string", "enum": [TIME_ZONE]})
    def get_timezone(self, event: Event) -> str:
        return TIME_ZONE

    @extend_schema_field(PhotoSerializer(allow_null=True))
    def get_cover(self, event: Event) -> dict[str, Any] | None:
        photos = photos_data(self, getattr(event, "cover_photos", []))
        return photos[0] if photos else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, event: Event) -> str:
        return public_url(_request(self), event)

    @extend_schema_field(OpenApiTypes.URI)
    def get_calendar_url(self, event: Event) -> str:
        return site_url(
            _request(self), "events:ics", slug=event.collective.slug, event_slug=event.slug
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, event: Event) -> str:
        return api_url(_request(self), "event_detail", pk=event.pk)


# --- Stories ---------------------------------------------------------------------------------


class StorySerializer(serializers.Serializer):
    """A story of a shop's craft. ``body`` is the shop's Markdown; ``body_html`` the same
    text as sanitised HTML (paragraphs, emphasis, lists, quotes, sub-headings, links)."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    body = serializers.CharField()
    body_html = serializers.SerializerMethodField()
    excerpt = serializers.SerializerMethodField()
    video_url = serializers.CharField()
    merchant = MerchantSummarySerializer()
    images = serializers.SerializerMethodField()
    products = ProductSummarySerializer(many=True, source="published_products")
    url = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_body_html(self, story: Story) -> str:
        return str(render_story_text(story.body))

    @extend_schema_field(OpenApiTypes.STR)
    def get_excerpt(self, story: Story) -> str:
        return story_excerpt(story.body)

    @extend_schema_field(PhotoSerializer(many=True))
    def get_images(self, story: Story) -> list[dict[str, Any]]:
        return photos_data(self, getattr(story, "ready_images", []))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, story: Story) -> str:
        return site_url(
            _request(self), "catalog:story", merchant_slug=story.merchant.slug, slug=story.slug
        )

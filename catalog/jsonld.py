"""schema.org JSON-LD of the catalog's public pages: a product (``Product`` with its ``Offer``)
and a story of craft (``Article``, told by the shop). The shop itself is described by
:func:`merchants.jsonld.shop_schema`; pages write the data with
:func:`merchants.jsonld.jsonld_script`.

Builders take the objects their page has already fetched (the product with its shop, photos
and category; the story with its shop and photos): they never query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Label, Product, Unit
from merchants.jsonld import CONTEXT, SCHEMA, image_urls, shop_reference
from merchants.models import Story
from merchants.story_text import story_excerpt

CURRENCY = "EUR"
# Products sold by weight or volume: the price is for this quantity (UN/CEFACT unit codes).
_REFERENCE_QUANTITIES: dict[str, tuple[int, str]] = {
    Unit.KILOGRAM: (1, "KGM"),
    Unit.HUNDRED_GRAMS: (100, "GRM"),
    Unit.LITRE: (1, "LTR"),
}
# Search engines cut a headline longer than this.
_HEADLINE_LENGTH = 110


def _price(product: Product) -> str:
    # A string with two decimals, as the API writes amounts: never a float.
    return f"{product.price:.2f}"


def product_schema(request: HttpRequest, product: Product) -> dict[str, Any]:
    """The product as a schema.org ``Product`` with one ``Offer``: price in EUR (VAT included,
    per kilogram or litre when sold so), availability from the stock (untracked stock is
    available; the page says « available in store »), picked up in the shop, sold by it.

    Second-hand items are offered in used condition, everything else new.
    """
    url = request.build_absolute_uri(product.get_absolute_url())
    seller = shop_reference(request, product.merchant)
    price_specification: dict[str, Any] = {
        "@type": "UnitPriceSpecification",
        "price": _price(product),
        "priceCurrency": CURRENCY,
        "valueAddedTaxIncluded": True,
    }
    if product.unit in _REFERENCE_QUANTITIES:
        value, unit_code = _REFERENCE_QUANTITIES[product.unit]
        price_specification["referenceQuantity"] = {
            "@type": "QuantitativeValue",
            "value": value,
            "unitCode": unit_code,
        }
    offer: dict[str, Any] = {
        "@type": "Offer",
        "url": url,
        "price": _price(product),
        "priceCurrency": CURRENCY,
        "priceSpecification": price_specification,
        "availability": SCHEMA + ("InStock" if product.is_in_stock else "OutOfStock"),
        "itemCondition": SCHEMA
        + ("UsedCondition" if Label.SECOND_HAND in product.labels else "NewCondition"),
        # Reserved online, paid and collected in the shop.
        "availableDeliveryMethod": SCHEMA + "OnSitePickup",
        "seller": seller,
    }
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Product",
        "name": product.title,
        "url": url,
        "offers": offer,
    }
    if product.description:
        data["description"] = product.description
    if product.sku:
        data["sku"] = product.sku
    if product.category is not None:
        data["category"] = str(product.category)
    images = image_urls(request, product.images.all())
    if images:
        data["image"] = images
    return data


def story_schema(
    request: HttpRequest, story: Story, *, products: Iterable[Product] = ()
) -> dict[str, Any]:
    """The story as a schema.org ``Article`` written and published by its shop, mentioning
    the products it tells about (those the page shows)."""
    url = request.build_absolute_uri(
        reverse("catalog:story", kwargs={"merchant_slug": story.merchant.slug, "slug": story.slug})
    )
    shop = shop_reference(request, story.merchant)
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Article",
        "headline": story.title[:_HEADLINE_LENGTH],
        "url": url,
        "mainEntityOfPage": url,
        "author": shop,
        "publisher": shop,
        "dateModified": timezone.localtime(story.updated_at).isoformat(),
    }
    if story.published_at is not None:
        data["datePublished"] = timezone.localtime(story.published_at).isoformat()
    excerpt = story_excerpt(story.body, words=30)
    if excerpt:
        data["description"] = excerpt
    images = image_urls(request, story.images.all())
    if images:
        data["image"] = images
    mentions = [
        {
            "@type": "Product",
            "name": product.title,
            "url": request.build_absolute_uri(product.get_absolute_url()),
        }
        for product in products
    ]
    if mentions:
        data["mentions"] = mentions
    return data

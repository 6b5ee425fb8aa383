"""Public pages of a shop, its products and its stories of craft.

The shop page lives here rather than in merchants because it lists the shop's catalog, and
catalog builds on merchants (never the reverse). So do story pages: they show the products a
story tells about.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from catalog.jsonld import product_schema, story_schema
from catalog.models import Product
from catalog.search import MAX_QUERY_LENGTH, shop_products_search
from catalog.selectors import (
    product_for_public_page,
    products_for_shop_page,
    products_for_story_page,
    stories_for_product_page,
)
from merchants.hours import opening_state
from merchants.jsonld import jsonld_script, shop_schema
from merchants.models import Merchant, Story
from merchants.permissions import can_edit_merchant
from merchants.selectors import (
    merchant_for_public_page,
    stories_for_shop_page,
    story_for_public_page,
)
from merchants.story_text import parse_video_url, render_story_text, story_excerpt

# The shop page shows the newest stories; « all stories » (?histoires=toutes) shows the rest.
SHOP_PAGE_STORIES = 3


@dataclass(frozen=True)
class StoryTeaser:
    """A story as a card shows it: the story (with its shop and photos) and a plain excerpt."""

    story: Story
    excerpt: str


def _teasers(stories: list[Story]) -> list[StoryTeaser]:
    return [StoryTeaser(story=s, excerpt=story_excerpt(s.body, words=25)) for s in stories]


def shop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    merchant = merchant_for_public_page(actor=request.user, slug=slug)
    hours = list(merchant.opening_hours.all())
    closures = list(merchant.closures.all())
    # The search box over the shop's products (?q=…), most relevant first.
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    if query:
        products = list(shop_products_search(actor=request.user, merchant=merchant, q=query))
    else:
        products = list(products_for_shop_page(actor=request.user, merchant=merchant))
    all_stories = request.GET.get("histoires") == "toutes"
    stories = stories_for_shop_page(actor=request.user, merchant=merchant)
    # One more than shown tells whether to offer « all stories », without a count query.
    shown = list(stories if all_stories else stories[: SHOP_PAGE_STORIES + 1])
    more_stories = not all_stories and len(shown) > SHOP_PAGE_STORIES
    # collectives builds on catalog: imported here, as catalog.querysets does, not at the top.
    from collectives.selectors.follows import is_following_shop
    from insights.counting import count_view

    is_staff_view = can_edit_merchant(request.user, merchant)
    # A visit, not the shop's own team looking at its page.
    if merchant.status == Merchant.Status.ACTIVE and not is_staff_view:
        count_view(request, kind="shop", object_id=merchant.pk, merchant_id=merchant.pk)
    return render(
        request,
        "catalog/shop_detail.html",
        {
            "merchant": merchant,
            "products": products,
            "query": query,
            "stories": _teasers(shown[:SHOP_PAGE_STORIES] if more_stories else shown),
            "more_stories": more_stories,
            "hours": hours,
            "closures": closures,
            "state": opening_state(hours, closures, now=timezone.now()),
            "is_staff_view": is_staff_view,
            "is_following": is_following_shop(actor=request.user, merchant=merchant),
            "shop_jsonld": jsonld_script(
                shop_schema(request, merchant, hours=hours, closures=closures)
            ),
        },
    )


def product_detail(request: HttpRequest, merchant_slug: str, slug: str) -> HttpResponse:
    # orders and insights build on catalog: imported here, not at the top.
    from insights.counting import count_view
    from orders.selectors.reservations import reservation_offer

    product = product_for_public_page(actor=request.user, merchant_slug=merchant_slug, slug=slug)
    stories = list(stories_for_product_page(actor=request.user, product=product))
    if (
        product.status == Product.Status.PUBLISHED
        and product.merchant.status == Merchant.Status.ACTIVE
    ):
        count_view(request, kind="product", object_id=product.pk, merchant_id=product.merchant_id)
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "merchant": product.merchant,
            "images": list(product.images.all()),
            "stories": _teasers(stories),
            "is_draft": product.status != Product.Status.PUBLISHED,
            "product_jsonld": jsonld_script(product_schema(request, product)),
            "reservation_offer": reservation_offer(
                actor=request.user, product=product, source=request.GET.get("source")
            ),
        },
    )


def story_detail(request: HttpRequest, merchant_slug: str, slug: str) -> HttpResponse:
    from insights.counting import count_view  # insights builds on catalog

    story = story_for_public_page(actor=request.user, merchant_slug=merchant_slug, slug=slug)
    products = list(products_for_story_page(actor=request.user, story=story))
    if story.status == Story.Status.PUBLISHED and story.merchant.status == Merchant.Status.ACTIVE:
        count_view(request, kind="story", object_id=story.pk, merchant_id=story.merchant_id)
    return render(
        request,
        "catalog/story_detail.html",
        {
            "story": story,
            "merchant": story.merchant,
            "images": list(story.images.all()),
            "body_html": render_story_text(story.body),
            "excerpt": story_excerpt(story.body, words=30),
            "video": parse_video_url(story.video_url),
            "products": products,
            "is_draft": story.status != Story.Status.PUBLISHED
            or story.merchant.status != Merchant.Status.ACTIVE,
            "story_jsonld": jsonld_script(story_schema(request, story, products=products)),
        },
    )

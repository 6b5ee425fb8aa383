"""What a shared link shows (OpenGraph tags) on every public page, and what the sitemap
offers search engines: every public product, shop, story, event and selection, in French
and English, and nothing that is not public."""

import html
import re

import factory
import pytest
from factory.django import DjangoModelFactory

from catalog.models import ProductImage
from collectives.models import EventPhoto, SelectionPhoto
from merchants.models import StoryImage
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    ProductFactory,
    ProductImageFactory,
    SelectionFactory,
    SelectionItemFactory,
    StoryFactory,
    StoryImageFactory,
)

pytestmark = pytest.mark.django_db

RENDITIONS = {
    "320": {"width": 320, "height": 240, "webp": "p/320.webp", "jpeg": "p/320.jpg"},
    "1600": {"width": 1600, "height": 1200, "webp": "p/1600.webp", "jpeg": "p/1600.jpg"},
}
_META = re.compile(r'<meta (?:property|name)="([a-z:_]+)" content="([^"]*)">')


class EventPhotoFactory(DjangoModelFactory):
    class Meta:
        model = EventPhoto

    event = factory.SubFactory(EventFactory)
    image = factory.django.ImageField(width=64, height=64, format="JPEG")
    position = 0


class SelectionPhotoFactory(DjangoModelFactory):
    class Meta:
        model = SelectionPhoto

    selection = factory.SubFactory(SelectionFactory)
    image = factory.django.ImageField(width=64, height=64, format="JPEG")
    position = 0


def meta_tags(client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    head = response.content.decode().split("</head>")[0]
    return {name: html.unescape(value) for name, value in _META.findall(head)}


def story_url(story) -> str:
    return f"/boutiques/{story.merchant.slug}/histoires/{story.slug}/"


def public_pages() -> dict[str, tuple[str, str]]:
    """One page of each kind: (its URL, the title its link preview shows)."""
    collective = CollectiveFactory(name="Les Halles de Villeneuve")
    shop = MerchantFactory(name="Épicerie Mireille")
    MembershipFactory(collective=collective, merchant=shop)
    product = ProductFactory(merchant=shop, title="Confiture d'abricot")
    story = StoryFactory(merchant=shop, title="La cueillette")
    event = EventFactory(collective=collective, title="Marché de nuit")
    selection = SelectionFactory(collective=collective, title="Douceurs d'été")
    SelectionItemFactory(selection=selection, product=product)
    return {
        "product": (product.get_absolute_url(), "Confiture d'abricot · Épicerie Mireille"),
        "shop": (shop.get_absolute_url(), "Épicerie Mireille"),
        "story": (story_url(story), "La cueillette · Épicerie Mireille"),
        "event": (event.get_absolute_url(), "Marché de nuit · Les Halles de Villeneuve"),
        "collective": (collective.get_absolute_url(), "Les Halles de Villeneuve"),
        "selection": (
            f"/collectifs/{collective.slug}/selections/{selection.slug}/",
            "Douceurs d'été · Les Halles de Villeneuve",
        ),
    }


@pytest.mark.parametrize("page", ["product", "shop", "story", "event", "collective", "selection"])
def test_every_public_page_has_a_link_preview_with_absolute_urls(client, page):
    """A shared link shows the page's own title and description, at its absolute address."""
    url, title = public_pages()[page]
    tags = meta_tags(client, url)
    assert tags["og:site_name"] == "Halle"
    assert tags["og:url"] == f"http://testserver{url}"
    assert tags["og:title"] == title
    assert tags["og:description"]
    assert tags["og:locale"] == "fr_FR"
    assert tags["og:locale:alternate"] == "en_GB"
    assert tags["og:type"] == {"product": "product", "story": "article"}.get(page, "website")
    assert tags["twitter:card"] == "summary"  # no photo ready
    assert "og:image" not in tags


def test_english_pages_preview_in_english_at_their_english_address(client):
    url, _ = public_pages()["shop"]
    tags = meta_tags(client, "/en" + url)
    assert tags["og:locale"] == "en_GB"
    assert tags["og:locale:alternate"] == "fr_FR"
    assert tags["og:url"] == f"http://testserver/en{url}"


def test_the_preview_address_leaves_out_the_query_string(client):
    url, _ = public_pages()["shop"]
    assert meta_tags(client, url + "?histoires=toutes")["og:url"] == f"http://testserver{url}"


def test_product_preview_shows_its_ready_main_photo_and_price(client):
    """The largest processed JPEG, absolute, with its size and description."""
    product = ProductFactory(title="Savon au lait d'ânesse", price="7.90")
    ProductImageFactory(
        product=product,
        position=0,
        status=ProductImage.Status.READY,
        renditions=RENDITIONS,
        alt_text="Trois savons sur une planche",
    )
    tags = meta_tags(client, product.get_absolute_url())
    assert tags["og:image"] == "http://testserver/media/p/1600.jpg"
    assert tags["og:image:width"] == "1600"
    assert tags["og:image:height"] == "1200"
    assert tags["og:image:alt"] == "Trois savons sur une planche"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["product:price:amount"] == "7.90"
    assert tags["product:price:currency"] == "EUR"


def test_a_photo_being_processed_is_not_previewed(client):
    """Until the worker has cleaned it, no page shows an upload — previews neither."""
    product = ProductFactory()
    ProductImageFactory(product=product, position=0)  # pending
    tags = meta_tags(client, product.get_absolute_url())
    assert "og:image" not in tags
    assert tags["twitter:card"] == "summary"


def test_story_event_and_selection_previews_show_their_ready_photo(client):
    story = StoryFactory()
    StoryImageFactory(
        story=story, position=0, status=StoryImage.Status.READY, renditions=RENDITIONS
    )
    event = EventFactory()
    EventPhotoFactory(event=event, status=EventPhoto.Status.READY, renditions=RENDITIONS)
    selection = SelectionFactory()
    SelectionPhotoFactory(
        selection=selection, status=SelectionPhoto.Status.READY, renditions=RENDITIONS
    )
    for url in (
        story_url(story),
        event.get_absolute_url(),
        f"/collectifs/{selection.collective.slug}/selections/{selection.slug}/",
    ):
        assert meta_tags(client, url)["og:image"] == "http://testserver/media/p/1600.jpg", url


def test_story_preview_is_an_article_with_its_date(client):
    story = StoryFactory()
    tags = meta_tags(client, story_url(story))
    assert tags["og:type"] == "article"
    assert tags["article:published_time"].startswith(str(story.published_at.year))


# --- Sitemap -------------------------------------------------------------------------------


def test_sitemap_lists_every_public_page_in_both_languages_and_no_draft(client):
    collective = CollectiveFactory()
    shop = MerchantFactory()
    MembershipFactory(collective=collective, merchant=shop)
    product = ProductFactory(merchant=shop)
    story = StoryFactory(merchant=shop)
    event = EventFactory(collective=collective)
    selection = SelectionFactory(collective=collective)
    public = [
        shop.get_absolute_url(),
        product.get_absolute_url(),
        story_url(story),
        event.get_absolute_url(),
        f"/collectifs/{collective.slug}/selections/{selection.slug}/",
    ]
    draft_shop = MerchantFactory(status="draft")
    hidden = [
        draft_shop.get_absolute_url(),
        ProductFactory(merchant=draft_shop).get_absolute_url(),  # published, shop not public
        ProductFactory(merchant=shop, status="draft", published_at=None).get_absolute_url(),
        story_url(StoryFactory(merchant=shop, status="draft", published_at=None)),
        EventFactory(collective=collective, status="draft", published_at=None).get_absolute_url(),
        f"/collectifs/{collective.slug}/selections/"
        f"{SelectionFactory(collective=collective, status='draft').slug}/",
    ]
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = set(re.findall(r"<loc>([^<]+)</loc>", response.content.decode()))
    for path in public:
        assert f"http://testserver{path}" in locations, path
        assert f"http://testserver/en{path}" in locations, path
    for path in hidden:
        assert f"http://testserver{path}" not in locations, path
        assert f"http://testserver/en{path}" not in locations, path


def test_preview_text_cannot_end_its_attribute(client, rf):
    """A quote in a title (the shop's, or a page's own text) stays inside ``content``."""
    from django.template import engines

    product = ProductFactory(title='Le "vrai" pain <b>', description="")
    tags = meta_tags(client, product.get_absolute_url())
    assert tags["og:title"].startswith('Le "vrai" pain <b> · ')
    page = engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}Say "hi"{% endblock %}'
    )
    html_text = page.render({}, rf.get("/x/"))
    assert '<meta property="og:title" content="Say &quot;hi&quot;">' in html_text
    assert '<meta property="og:url" content="http://testserver/x/">' in html_text


def test_shop_preview_shows_its_cover_or_else_its_logo(client):
    """A shop's pictures are stored only once cleaned, so a stored one can be shown."""
    with_cover = MerchantFactory(cover_image="merchants/covers/c.jpg", logo="merchants/logos/l.jpg")
    with_logo = MerchantFactory(logo="merchants/logos/l.jpg")
    cover_tags = meta_tags(client, with_cover.get_absolute_url())
    assert cover_tags["og:image"] == "http://testserver/media/merchants/covers/c.jpg"
    assert cover_tags["twitter:card"] == "summary_large_image"
    logo_tags = meta_tags(client, with_logo.get_absolute_url())
    assert logo_tags["og:image"] == "http://testserver/media/merchants/logos/l.jpg"

"""Stories of craft on public pages: on the shop page and on linked products' pages, newest
first; their own page with photos, sanitised text, a video that loads nothing by itself and the
linked products; drafts hidden from the public; constant query counts."""

import datetime as dt
import re

import pytest
from django.contrib.sitemaps.views import sitemap
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from catalog.sitemaps import StorySitemap
from tests.factories import (
    MerchantFactory,
    MerchantMemberFactory,
    OpeningHoursFactory,
    ProductFactory,
    ProductImageFactory,
    StoryFactory,
    StoryImageFactory,
)

pytestmark = pytest.mark.django_db

READY = {"320": {"width": 320, "height": 240, "webp": "s.webp", "jpeg": "s.jpg"}}


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def story_url(story) -> str:
    return reverse("catalog:story", args=[story.merchant.slug, story.slug])


def positions(html: str, *titles: str) -> list[int]:
    return [html.index(title) for title in titles]


def test_shop_page_shows_published_stories_newest_first(client):
    shop = MerchantFactory()
    StoryFactory(merchant=shop, title="Histoire ancienne", published_at=days_ago(30))
    StoryFactory(merchant=shop, title="Histoire récente", published_at=days_ago(1))
    StoryFactory(merchant=shop, title="Brouillon secret", status="draft", published_at=None)
    html = client.get(shop.get_absolute_url()).content.decode()
    assert 'id="histoires"' in html
    recent, old = positions(html, "Histoire récente", "Histoire ancienne")
    assert recent < old
    assert "Brouillon secret" not in html


def test_shop_page_shows_the_newest_three_and_offers_all(client):
    shop = MerchantFactory()
    for day in range(5):
        StoryFactory(merchant=shop, title=f"Histoire du jour {day}", published_at=days_ago(day))
    html = client.get(shop.get_absolute_url()).content.decode()
    assert [f"Histoire du jour {d}" in html for d in range(5)] == [True] * 3 + [False] * 2
    assert 'href="?histoires=toutes#histoires"' in html
    everything = client.get(shop.get_absolute_url() + "?histoires=toutes").content.decode()
    assert all(f"Histoire du jour {d}" in everything for d in range(5))
    assert "?histoires=toutes#histoires" not in everything


def test_product_page_shows_the_stories_linked_to_it_newest_first(client):
    shop = MerchantFactory()
    product = ProductFactory(merchant=shop)
    old = StoryFactory(merchant=shop, title="Les semis", published_at=days_ago(60))
    new = StoryFactory(merchant=shop, title="La récolte", published_at=days_ago(2))
    draft = StoryFactory(merchant=shop, title="Récit inachevé", status="draft", published_at=None)
    unrelated = StoryFactory(merchant=shop, title="Autre chose")
    for story in (old, new, draft):
        story.products.add(product)
    html = client.get(product.get_absolute_url()).content.decode()
    first, second = positions(html, "La récolte", "Les semis")
    assert first < second
    assert "Récit inachevé" not in html
    assert unrelated.title not in html
    assert story_url(new) in html


def test_story_page_shows_photos_text_video_link_and_published_products(client):
    shop = MerchantFactory(name="Le Rucher")
    story = StoryFactory(
        merchant=shop,
        title="Nos abeilles",
        body="Une **récolte** d'été.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    StoryImageFactory(story=story, status="ready", renditions=READY, alt_text="Les ruches")
    honey = ProductFactory(merchant=shop, title="Miel de lavande")
    hidden = ProductFactory(
        merchant=shop, title="Miel en préparation", status="draft", published_at=None
    )
    story.products.set([honey, hidden])

    html = client.get(story_url(story)).content.decode()
    assert "<h1>Nos abeilles</h1>" in html
    assert 'alt="Les ruches"' in html
    assert "<strong>récolte</strong>" in html
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    # The video is a plain link to its page; no player is in the page until asked for.
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html
    assert "<iframe" not in html
    assert 'data-video-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ' in html
    assert "Miel de lavande" in html
    assert "Miel en préparation" not in html


def test_story_page_loads_nothing_from_another_site(client):
    story = StoryFactory(video_url="https://vimeo.com/76979871")
    StoryImageFactory(story=story, status="ready", renditions=READY)
    html = client.get(story_url(story)).content.decode()
    assets = re.findall(
        r'<(?:img|script|link|source|iframe)\b[^>]*?(?:src|href|srcset)="([^"]+)"', html
    )
    assert assets
    assert [a for a in assets if re.match(r"(https?:)?//", a)] == []


def test_a_draft_story_is_404_for_the_public_and_other_shops_but_previewed_by_its_team(client):
    member = MerchantMemberFactory(role="staff")
    draft = StoryFactory(merchant=member.merchant, status="draft", published_at=None)
    assert client.get(story_url(draft)).status_code == 404
    client.force_login(MerchantMemberFactory().user)
    assert client.get(story_url(draft)).status_code == 404
    client.force_login(member.user)
    response = client.get(story_url(draft))
    assert response.status_code == 200
    assert 'class="notice"' in response.content.decode()


def test_stories_of_a_draft_shop_are_hidden_from_the_public(client):
    shop = MerchantFactory(status="draft")
    story = StoryFactory(merchant=shop)
    product = ProductFactory(merchant=shop)
    story.products.add(product)
    assert client.get(story_url(story)).status_code == 404
    outsider_product = ProductFactory()
    outsider_story = StoryFactory(merchant=outsider_product.merchant)
    outsider_story.products.add(outsider_product)
    assert client.get(story_url(outsider_story)).status_code == 200


def test_the_shops_team_sees_its_drafts_on_its_page_marked_as_such(client):
    member = MerchantMemberFactory()
    StoryFactory(
        merchant=member.merchant, title="Brouillon de l'équipe", status="draft", published_at=None
    )
    client.force_login(member.user)
    html = client.get(member.merchant.get_absolute_url()).content.decode()
    assert "Brouillon de l'équipe" in html or "Brouillon de l&#x27;équipe" in html
    assert "badge--draft" in html


def make_shop_with_stories(count: int):
    shop = MerchantFactory()
    OpeningHoursFactory(merchant=shop)
    product = ProductFactory(merchant=shop)
    ProductImageFactory(product=product, status="ready", position=0, renditions=READY)
    for other in ProductFactory.create_batch(count, merchant=shop):
        ProductImageFactory(product=other, status="ready", position=0, renditions=READY)
    for index in range(count):
        story = StoryFactory(merchant=shop, published_at=days_ago(index))
        StoryImageFactory(story=story, status="ready", renditions=READY, position=0)
        StoryImageFactory(story=story, position=1)
        story.products.add(product)
    return shop, product


@pytest.mark.parametrize("page", ["shop", "shop-all", "product", "story"])
def test_query_counts_stay_constant_with_stories(client, page, django_assert_max_num_queries):
    counts = []
    for size in (2, 12):
        shop, product = make_shop_with_stories(size)
        story = shop.stories.order_by("pk").first()
        story.products.add(*shop.products.all())
        target = {
            "shop": shop.get_absolute_url(),
            "shop-all": shop.get_absolute_url() + "?histoires=toutes",
            "product": product.get_absolute_url(),
            "story": story_url(story),
        }[page]
        with django_assert_max_num_queries(8) as captured:
            response = client.get(target)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], (
        f"{page}: {counts[0]} queries with 2 stories, {counts[1]} with 12"
    )


def test_the_story_sitemap_lists_published_stories_of_active_shops():
    published = StoryFactory()
    draft = StoryFactory(status="draft", published_at=None)
    hidden_shop = StoryFactory(merchant=MerchantFactory(status="draft"))
    request = RequestFactory().get("/sitemap.xml")
    response = sitemap(request, sitemaps={"stories": StorySitemap})
    body = response.render().content.decode()
    assert f"http://testserver{story_url(published)}" in body
    assert f'hreflang="en" href="http://testserver/en{story_url(published)}"' in body
    assert story_url(draft) not in body
    assert story_url(hidden_shop) not in body

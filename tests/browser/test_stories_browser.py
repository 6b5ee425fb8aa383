"""A shopkeeper posts a story of craft on a phone, and a visitor reads it: in a real Chromium at
360×800, with accessibility checks (axe) and proof that the video site is not contacted until
the visitor asks for the video."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from merchants import services
from merchants.models import Story, StoryImage
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import MerchantFactory, MerchantMemberFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 800}
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), "sienna").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def bakery():
    shop = MerchantFactory(name="Boulangerie du Pont", trade="bakery")
    owner = MerchantMemberFactory(merchant=shop, role="owner").user
    bread = ProductFactory(merchant=shop, title="Pain au levain", price="4.20")
    ProductFactory(merchant=shop, title="Fougasse", price="3.10")
    return shop, owner, bread


def test_owner_posts_a_story_and_a_visitor_reads_it_without_contacting_the_video_site(
    page, live_server, bakery
):
    shop, owner, bread = bakery
    page.set_viewport_size(PHONE)
    log_in(page, live_server, owner)

    # Write the story on a phone: title, text, a photo, a YouTube link, one product.
    page.goto(live_server.url + reverse("stories:list", args=[shop.slug]))
    page.locator(f'a[href="{reverse("stories:create", args=[shop.slug])}"]').first.click()
    page.wait_for_url(f"**{reverse('stories:create', args=[shop.slug])}")
    assert serious_violations(page) == []
    page.locator("#id_title").fill("Le levain de Martine")
    page.locator("#id_body").fill("Chaque matin, **Martine** nourrit le levain.\n\n- farine\n- eau")
    page.locator("#id_photos").set_input_files(
        files=[{"name": "fournil.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.locator("#id_video_url").fill(YOUTUBE)
    page.get_by_label("Pain au levain").check()
    page.locator('form.story-form button[type="submit"]:not([name])').click()

    page.wait_for_url(re.compile(r"/histoires/\d+/$"))
    story = Story.objects.get(merchant=shop)
    assert story.status == Story.Status.DRAFT
    assert list(story.products.all()) == [bread]

    # The photo is processed by the worker in production; here, now.
    image = story.images.get()
    processed = services.photo_process(photo_model=StoryImage, photo_id=image.pk)
    assert processed.is_ready

    # Describe the photo and publish, on the edit page.
    page.reload()
    assert serious_violations(page) == []
    alt = page.locator(f"#alt-{image.pk}")
    alt.fill("Le levain dans son bocal")
    # Saved in place with htmx: the photo list comes back with the description.
    with page.expect_response(lambda r: f"/photos/{image.pk}/" in r.url and r.ok):
        alt.locator("xpath=ancestor::form").locator('button[type="submit"]').click()
    expect(page.locator(f"#alt-{image.pk}")).to_have_value("Le levain dans son bocal")
    page.locator(
        f'form[action="{reverse("stories:publish", args=[shop.slug, story.pk])}"] button'
    ).click()
    page.wait_for_url(re.compile(r"/histoires/\d+/$"))
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    assert StoryImage.objects.get(pk=image.pk).alt_text == "Le levain dans son bocal"
    page.goto(live_server.url + reverse("stories:list", args=[shop.slug]))
    expect(page.locator(f"#story-{story.pk}")).to_contain_text("Le levain de Martine")
    assert serious_violations(page) == []

    # A visitor (a fresh context: not logged in) finds it on the product's page.
    visitor = page.context.browser.new_context(locale="fr-FR", viewport=PHONE)
    try:
        reader = visitor.new_page()
        reader.set_default_timeout(15_000)
        requests: list[str] = []
        reader.on("request", lambda request: requests.append(request.url))
        reader.goto(live_server.url + bread.get_absolute_url())
        card_link = reader.get_by_role("link", name="Le levain de Martine")
        expect(card_link).to_be_visible()
        card_link.click()
        reader.wait_for_url(f"**/histoires/{story.slug}/")
        reader.wait_for_load_state("networkidle")

        expect(reader.get_by_role("heading", level=1)).to_have_text("Le levain de Martine")
        photo = reader.get_by_role("img", name="Le levain dans son bocal")
        expect(photo).to_be_visible()
        assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
        watch = reader.locator("a.video-card__link")
        expect(watch).to_have_attribute("href", YOUTUBE)
        assert reader.locator("iframe").count() == 0

        # The conftest helper reads .requests and .own_origin, as on its own `page`.
        reader.requests = requests
        reader.own_origin = page.own_origin
        assert requests, "the page made no request at all?"
        assert foreign_requests(reader) == []
        assert serious_violations(reader) == []
        assert foreign_requests(reader) == []

        # Only pressing « Lire ici » brings the player in (its request fails: no network here).
        with reader.expect_request(lambda r: "youtube-nocookie.com" in r.url):
            reader.get_by_role("button", name=re.compile("Lire ici|Play here")).click()
        expect(reader.locator(".video-card iframe")).to_have_attribute(
            "src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
        )
        assert {urlsplit(u).hostname for u in foreign_requests(reader)} == {
            "www.youtube-nocookie.com"
        }
    finally:
        visitor.close()


def test_without_javascript_the_video_is_just_a_link(browser, live_server, bakery):
    shop, _, _ = bakery
    story = services.story_create(
        actor=shop.members.get().user,
        merchant=shop,
        title="Le pétrin",
        video_url="https://vimeo.com/76979871",
        publish=True,
    )
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        reader = context.new_page()
        requests: list[str] = []
        reader.on("request", lambda request: requests.append(request.url))
        reader.goto(live_server.url + reverse("catalog:story", args=[shop.slug, story.slug]))
        expect(reader.locator("a.video-card__link")).to_have_attribute(
            "href", "https://vimeo.com/76979871"
        )
        expect(reader.locator("[data-video-play]")).to_be_hidden()
        assert reader.locator("iframe").count() == 0
        own = urlsplit(live_server.url).netloc
        assert [u for u in requests if urlsplit(u).netloc != own] == []
    finally:
        context.close()

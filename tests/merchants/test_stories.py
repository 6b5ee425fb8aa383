"""Stories of craft: the text and video rules, the services behind « Mon commerce », and its
pages (scoped to the shop, staff welcome, constant query count)."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext
from PIL import Image

from catalog import services as catalog_services
from merchants import services
from merchants.models import Story, StoryImage
from merchants.story_text import (
    ALLOWED_TAGS,
    parse_video_url,
    render_story_text,
    story_excerpt,
)
from tests.factories import (
    MerchantMemberFactory,
    ProductFactory,
    StoryFactory,
    StoryImageFactory,
    UserFactory,
)

NOT_A_PHOTO = "This file is not a photo we can read. Please send a JPEG, PNG or WebP image."


def jpeg(name: str = "fournil.jpg", size: tuple[int, int] = (640, 480)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "peru").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def text_file(name: str = "recette.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"pas une photo", content_type="image/jpeg")


# --- Markdown ------------------------------------------------------------------------------


def test_markdown_renders_emphasis_lists_quotes_and_links():
    html = render_story_text(
        "Du *levain* et du **temps**.\n\n- farine\n- eau\n\n> Patience.\n\n"
        "[Notre meunier](https://moulin.example.fr)"
    )
    assert "<em>levain</em>" in html
    assert "<strong>temps</strong>" in html
    assert "<ul>\n<li>farine</li>" in html
    assert "<blockquote>" in html
    assert '<a href="https://moulin.example.fr" rel="nofollow noopener">Notre meunier</a>' in html


def test_headings_start_below_the_page_title():
    html = render_story_text("# Le four\n\n## La pâte\n\n### Le sel\n\n###### Détail")
    assert "<h2>Le four</h2>" in html
    assert "<h3>La pâte</h3>" in html
    assert "<h4>Le sel</h4>" in html
    assert "<h4>Détail</h4>" in html
    assert "<h1" not in html


def test_a_single_line_break_is_kept():
    assert "<br>" in render_story_text("Ligne un\nligne deux")


def test_raw_html_is_shown_as_text_not_passed_through():
    html = render_story_text("Un <b>gras</b> tapé en HTML")
    assert "<b>" not in html
    assert "&lt;b&gt;gras&lt;/b&gt;" in html


XSS_ATTEMPTS = [
    "<script>alert('x')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "[clique](javascript:alert(1))",
    "[clique](JaVaScRiPt:alert(1))",
    "[clique](  javascript:alert(1))",
    "[clique](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clique](vbscript:msgbox(1))",
    '<img src="x" onerror="alert(1)">',
    "![photo](https://evil.example/x.png)",
    '![x" onerror="alert(1)](https://evil.example/x.png)',
    '<iframe src="https://evil.example/"></iframe>',
    '<a href="javascript:alert(1)" onclick="alert(2)">lien</a>',
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    '[lien](https://ok.example "titre" onmouseover="alert(1)")',
    "<!-- <script>alert(1)</script> -->",
    "[lien](//evil.example/)",
]


@pytest.mark.parametrize("attempt", XSS_ATTEMPTS)
def test_story_text_cannot_carry_scripts(attempt):
    html = str(render_story_text(f"Avant\n\n{attempt}\n\nAprès"))
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)", html))
    assert tags <= ALLOWED_TAGS, html
    # No event handler, style or source attribute on any tag, and only safe link targets.
    for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
        assert not re.search(r"\s(on\w+|style|src|srcset)\s*=", tag, re.I), tag
        for href in re.findall(r'href="([^"]*)"', tag):
            assert href.startswith(("http://", "https://", "mailto:")), href
    assert "Avant" in html
    assert "Après" in html


def test_excerpt_is_plain_text_and_short():
    excerpt = story_excerpt("# Le four\n\nUn *four* à **bois** <b>chauffé</b>\n\n- tôt", words=6)
    assert excerpt == "Le four Un four à bois…"
    assert "*" not in story_excerpt("**gras**")


# --- Video links ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "provider", "watch_url", "embed_start"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&si=traceur",
            "youtube",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://youtu.be/dQw4w9WgXcQ?t=42",
            "youtube",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://m.youtube.com/shorts/dQw4w9WgXcQ",
            "youtube",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://vimeo.com/76979871",
            "vimeo",
            "https://vimeo.com/76979871",
            "https://player.vimeo.com/video/76979871?dnt=1",
        ),
        (
            "https://vimeo.com/76979871/8272103f6e",
            "vimeo",
            "https://vimeo.com/76979871/8272103f6e",
            "https://player.vimeo.com/video/76979871?dnt=1",
        ),
        (
            "https://framatube.org/w/kkGMgK9ZtnKfYAgnEtQxbv",
            "peertube",
            "https://framatube.org/w/kkGMgK9ZtnKfYAgnEtQxbv",
            "https://framatube.org/videos/embed/kkGMgK9ZtnKfYAgnEtQxbv",
        ),
        (
            "https://tube.villeneuve.example.fr/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d",
            "peertube",
            "https://tube.villeneuve.example.fr/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d",
            "https://tube.villeneuve.example.fr/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d",
        ),
    ],
)
def test_video_links_of_the_three_providers_are_understood(url, provider, watch_url, embed_start):
    video = parse_video_url(url)
    assert video is not None
    assert video.provider == provider
    assert video.watch_url == watch_url
    assert video.embed_url.startswith(embed_start)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.dailymotion.com/video/x8abcd",
        "https://example.org/une-page",
        "javascript:alert(1)",
        "http://localhost/w/kkGMgK9ZtnKfYAgnEtQxbv",
        "https://localhost/w/kkGMgK9ZtnKfYAgnEtQxbv",
        "https://127.0.0.1/w/kkGMgK9ZtnKfYAgnEtQxbv",
        "https://[::1]/w/kkGMgK9ZtnKfYAgnEtQxbv",
        "https://nas.local/w/kkGMgK9ZtnKfYAgnEtQxbv",
        "http://framatube.org/w/kkGMgK9ZtnKfYAgnEtQxbv",  # PeerTube: https only
        "https://framatube.org/w/p/kkGMgK9ZtnKfYAgnEtQxbv",  # a playlist
        "https://www.youtube.com/watch?v=trop-court",
        "https://www.youtube.com/channel/UCabc",
        "https://evil.example/?u=https://youtu.be/dQw4w9WgXcQ",
        "https://user@www.youtube.com/watch?v=dQw4w9WgXcQ",
        "ftp://vimeo.com/76979871",
        "",
    ],
)
def test_other_links_are_not_videos(url):
    assert parse_video_url(url) is None


# --- Services ------------------------------------------------------------------------------


@pytest.fixture
def shop(owner):
    return owner.shop


def test_a_story_is_written_as_a_draft_with_its_products_and_canonical_video(owner, shop):
    bread = ProductFactory(merchant=shop, title="Pain au levain")
    story = services.story_create(
        actor=owner,
        merchant=shop,
        title="Le levain du matin",
        body="Nous *pétrissons* à 4 h.",
        video_url="https://youtu.be/dQw4w9WgXcQ?si=partage",
        products=[bread],
    )
    assert story.status == Story.Status.DRAFT
    assert story.published_at is None
    assert story.slug == "le-levain-du-matin"
    assert story.author == owner
    assert story.video_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert list(bread.stories.all()) == [story]


def test_publishing_dates_the_story_once(owner, shop):
    story = services.story_create(actor=owner, merchant=shop, title="Les ruches")
    story = services.story_publish(actor=owner, story=story)
    assert story.status == Story.Status.PUBLISHED
    first_date = story.published_at
    assert first_date is not None
    services.story_unpublish(actor=owner, story=story)
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT
    story = services.story_publish(actor=owner, story=story)
    assert story.published_at == first_date


def test_save_and_publish_at_once(owner, shop):
    story = services.story_create(actor=owner, merchant=shop, title="Vendanges", publish=True)
    assert story.status == Story.Status.PUBLISHED
    assert story.published_at is not None


def test_the_address_follows_the_title_until_first_published(owner, shop):
    story = services.story_create(actor=owner, merchant=shop, title="Brouillon")
    story = services.story_update(actor=owner, story=story, title="La moisson")
    assert story.slug == "la-moisson"
    story = services.story_publish(actor=owner, story=story)
    story = services.story_update(actor=owner, story=story, title="La moisson de 2026")
    assert story.slug == "la-moisson"


def test_a_video_link_elsewhere_is_a_field_error(owner, shop):
    with pytest.raises(ValidationError) as excinfo:
        services.story_create(
            actor=owner, merchant=shop, title="Film", video_url="https://example.org/film"
        )
    errors = excinfo.value.error_dict
    assert list(errors) == ["video_url"]
    assert errors["video_url"][0].code == "unsupported_video"
    assert not Story.objects.filter(merchant=shop).exists()


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_written(owner, shop):
    with pytest.raises(ValidationError) as excinfo:
        services.story_create(
            actor=owner, merchant=shop, title="Avec photos", photos=[jpeg(), text_file()]
        )
    [message] = excinfo.value.message_dict["photos"]
    assert message.replace("\xa0", " ") == gettext("%(file)s: %(problem)s").replace("\xa0", " ") % {
        "file": "recette.txt",
        "problem": gettext(NOT_A_PHOTO),
    }
    assert not Story.objects.filter(merchant=shop).exists()
    assert not StoryImage.objects.exists()


def test_photos_are_added_in_order_and_processed_after_commit(
    owner, shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        story = services.story_create(
            actor=owner, merchant=shop, title="Le four", photos=[jpeg("a.jpg"), jpeg("b.jpg")]
        )
    assert len(callbacks) == 2  # one processing task queued per photo, after the commit
    images = list(story.images.order_by("position"))
    assert [i.position for i in images] == [0, 1]
    assert all(i.status == StoryImage.Status.PENDING for i in images)
    added = services.story_image_add(
        actor=owner, story=story, upload=jpeg("c.jpg"), alt_text="Le four"
    )
    assert added.position == 2
    processed = services.photo_process(photo_model=StoryImage, photo_id=added.pk)
    assert processed.is_ready
    assert processed.srcset_webp


def test_a_story_has_at_most_twelve_photos(owner, shop):
    story = StoryFactory(merchant=shop)
    StoryImageFactory.create_batch(12, story=story)
    with pytest.raises(ValidationError) as excinfo:
        services.story_image_add(actor=owner, story=story, upload=jpeg())
    assert "photos" in excinfo.value.message_dict


def test_photos_are_reordered_described_and_removed(
    owner, shop, django_capture_on_commit_callbacks
):
    story = StoryFactory(merchant=shop)
    first, second, third = (StoryImageFactory(story=story, position=i) for i in range(3))
    services.story_image_move(actor=owner, image=third, offset=-1)
    assert list(story.images.order_by("position").values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]
    services.story_images_reorder(
        actor=owner, story=story, image_ids=[second.pk, first.pk, third.pk]
    )
    assert list(story.images.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
        third.pk,
    ]
    services.story_image_update(actor=owner, image=first, alt_text="  La miche  ")
    first.refresh_from_db()
    assert first.alt_text == "La miche"
    storage, name = second.image.storage, second.image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.story_image_delete(actor=owner, image=second)
    assert not storage.exists(name)
    assert story.images.count() == 2


def test_a_reorder_must_name_every_photo_of_the_story(owner, shop):
    story = StoryFactory(merchant=shop)
    image = StoryImageFactory(story=story)
    other = StoryImageFactory()
    with pytest.raises(ValidationError):
        services.story_images_reorder(actor=owner, story=story, image_ids=[image.pk, other.pk])


def test_another_shops_product_cannot_be_linked(owner, shop):
    foreign = ProductFactory(title="Produit d'ailleurs")  # another shop's
    with pytest.raises(ValidationError) as excinfo:
        services.story_create(actor=owner, merchant=shop, title="Mélange", products=[foreign])
    assert "products" in excinfo.value.message_dict
    assert not Story.objects.filter(merchant=shop).exists()
    story = StoryFactory(merchant=shop)
    with pytest.raises(ValidationError):
        services.story_set_products(actor=owner, story=story, products=[foreign])
    with pytest.raises(ValidationError):
        services.story_update(actor=owner, story=story, products=[foreign])
    assert not foreign.stories.exists()


def test_from_the_product_side_too_only_the_shops_own_stories_link(owner, shop):
    product = ProductFactory(merchant=shop)
    own, foreign = StoryFactory(merchant=shop), StoryFactory()
    catalog_services.product_set_stories(actor=owner, product=product, stories=[own])
    assert list(product.stories.all()) == [own]
    with pytest.raises(ValidationError):
        catalog_services.product_set_stories(actor=owner, product=product, stories=[foreign])
    assert list(product.stories.all()) == [own]


def test_staff_write_and_publish_stories_strangers_cannot(shop):
    staff = MerchantMemberFactory(merchant=shop, role="staff").user
    story = services.story_create(actor=staff, merchant=shop, title="Par l'équipe")
    services.story_publish(actor=staff, story=story)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.story_create(actor=stranger, merchant=shop, title="Intrus")
    with pytest.raises(PermissionDenied):
        services.story_update(actor=stranger, story=story, title="Piraté")
    with pytest.raises(PermissionDenied):
        services.story_delete(actor=stranger, story=story)


def test_deleting_a_story_deletes_its_photos_files(owner, shop, django_capture_on_commit_callbacks):
    story = services.story_create(actor=owner, merchant=shop, title="Éphémère", photos=[jpeg()])
    image = story.images.get()
    processed = services.photo_process(photo_model=StoryImage, photo_id=image.pk)
    storage = processed.image.storage
    names = [processed.image.name] + [e["webp"] for e in processed.renditions.values()]
    assert all(storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        services.story_delete(actor=owner, story=story)
    assert not Story.objects.filter(pk=story.pk).exists()
    assert not any(storage.exists(n) for n in names)


def test_the_text_has_a_length_limit(owner, shop):
    with pytest.raises(ValidationError) as excinfo:
        services.story_create(actor=owner, merchant=shop, title="Roman", body="a" * 20_001)
    assert "body" in excinfo.value.message_dict


# --- Pages of « Mon commerce » -------------------------------------------------------------


def url(name, shop, *args):
    return reverse(f"stories:{name}", args=[shop.slug, *args])


def test_pages_need_a_login_and_a_shop_of_ones_own(client, shop):
    response = client.get(url("list", shop))
    assert response.status_code == 302
    assert "/compte/" in response["Location"]
    client.force_login(MerchantMemberFactory().user)  # works for another shop
    assert client.get(url("list", shop)).status_code == 404


def test_owner_posts_a_story_with_a_photo_a_video_and_a_product(client, owner, shop):
    bread = ProductFactory(merchant=shop, title="Pain de seigle")
    client.force_login(owner)
    response = client.post(
        url("create", shop),
        {
            "title": "Le seigle",
            "body": "Du **seigle** de la vallée.",
            "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "products": [bread.pk],
            "photos": [jpeg()],
            "publish": "1",
        },
    )
    story = Story.objects.get(merchant=shop)
    assert response.status_code == 302
    assert response["Location"] == url("edit", shop, story.pk)
    assert story.status == Story.Status.PUBLISHED
    assert story.images.count() == 1
    assert list(story.products.all()) == [bread]
    page = client.get(response["Location"]).content.decode()
    assert 'id="alt-' in page  # the new photo, ready to be described


def test_a_non_image_upload_shows_a_field_error_and_writes_nothing(client, owner, shop):
    client.force_login(owner)
    response = client.post(
        url("create", shop), {"title": "Photos", "body": "", "photos": [text_file()]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_photos_error"' in html
    assert gettext(NOT_A_PHOTO).replace("'", "&#x27;") in html
    assert not Story.objects.filter(merchant=shop).exists()


def test_an_unknown_video_site_shows_a_field_error(client, owner, shop):
    client.force_login(owner)
    response = client.post(
        url("create", shop), {"title": "Film", "video_url": "https://www.dailymotion.com/video/x1"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert errors["video_url"][0].code == "unsupported_video"


def test_a_foreign_product_cannot_be_picked_in_the_form(client, owner, shop):
    foreign = ProductFactory()
    client.force_login(owner)
    response = client.post(url("create", shop), {"title": "Mélange", "products": [foreign.pk]})
    assert response.status_code == 400
    assert "products" in response.context["form"].errors
    assert not Story.objects.filter(merchant=shop).exists()
    # And the picker offers only the shop's own products.
    ProductFactory(merchant=shop, title="Notre brioche")
    html = client.get(url("create", shop)).content.decode()
    assert "Notre brioche" in html
    assert foreign.title not in html


def test_another_shops_story_is_404_everywhere(client, owner, shop):
    foreign = StoryFactory()
    image = StoryImageFactory(story=foreign)
    client.force_login(owner)
    assert client.get(url("edit", shop, foreign.pk)).status_code == 404
    assert client.post(url("edit", shop, foreign.pk), {"title": "x"}).status_code == 404
    assert client.post(url("publish", shop, foreign.pk)).status_code == 404
    assert client.post(url("unpublish", shop, foreign.pk)).status_code == 404
    assert client.get(url("delete", shop, foreign.pk)).status_code == 404
    assert client.post(url("delete", shop, foreign.pk)).status_code == 404
    for name in ("photo_update", "photo_move", "photo_delete"):
        assert client.post(url(name, shop, foreign.pk, image.pk)).status_code == 404
    # Nor through the right story id with another story's photo.
    own = StoryFactory(merchant=shop)
    assert client.post(url("photo_delete", shop, own.pk, image.pk)).status_code == 404
    assert Story.objects.filter(pk=foreign.pk, status="published").exists()
    assert StoryImage.objects.filter(pk=image.pk).exists()


def test_staff_post_and_publish_through_the_pages(client, shop):
    staff = MerchantMemberFactory(merchant=shop, role="staff").user
    client.force_login(staff)
    response = client.post(url("create", shop), {"title": "Par le vendeur", "body": "Bonjour"})
    assert response.status_code == 302
    story = Story.objects.get(merchant=shop)
    assert story.author == staff
    assert client.post(url("publish", shop, story.pk)).status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED


def test_editing_changes_the_text_and_the_links(client, owner, shop):
    story = StoryFactory(merchant=shop, title="Avant", status="draft", published_at=None)
    kept, dropped = ProductFactory(merchant=shop), ProductFactory(merchant=shop)
    story.products.set([dropped])
    client.force_login(owner)
    form = client.get(url("edit", shop, story.pk))
    assert form.status_code == 200
    response = client.post(
        url("edit", shop, story.pk), {"title": "Après", "body": "Texte", "products": [kept.pk]}
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.title, story.body, story.status) == ("Après", "Texte", "draft")
    assert list(story.products.all()) == [kept]


def test_publishing_from_the_list_with_htmx_refreshes_the_row(client, owner, shop):
    story = StoryFactory(merchant=shop, status="draft", published_at=None)
    client.force_login(owner)
    response = client.post(
        url("publish", shop, story.pk), {"return": "list"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<li class="story-row" id="story-{story.pk}">')
    assert url("unpublish", shop, story.pk) in html
    story.refresh_from_db()
    assert story.published_at is not None


def test_photo_actions_work_with_and_without_htmx(client, owner, shop):
    story = StoryFactory(merchant=shop)
    first, second = (
        StoryImageFactory(story=story, position=0),
        StoryImageFactory(story=story, position=1),
    )
    client.force_login(owner)
    response = client.post(url("photo_update", shop, story.pk, first.pk), {"alt_text": "Le pétrin"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#photo-{first.pk}")
    first.refresh_from_db()
    assert first.alt_text == "Le pétrin"
    response = client.post(
        url("photo_move", shop, story.pk, second.pk),
        {"direction": "up"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith("<section")
    assert list(story.images.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    response = client.post(
        url("photo_update", shop, story.pk, first.pk),
        {"alt_text": "x" * 201},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f'id="alt-{first.pk}_error"' in response.content.decode()
    client.post(url("photo_delete", shop, story.pk, first.pk))
    assert list(story.images.values_list("pk", flat=True)) == [second.pk]


def test_deleting_asks_first_then_deletes(client, owner, shop):
    story = StoryFactory(merchant=shop, title="À jeter")
    client.force_login(owner)
    assert "À jeter" in client.get(url("delete", shop, story.pk)).content.decode()
    response = client.post(url("delete", shop, story.pk))
    assert response.status_code == 302
    assert not Story.objects.filter(pk=story.pk).exists()


def make_stories(shop, count):
    products = ProductFactory.create_batch(3, merchant=shop)
    for index in range(count):
        story = StoryFactory(
            merchant=shop,
            status="published" if index % 2 else "draft",
            published_at=None if index % 2 == 0 else "2026-03-01T10:00Z",
            video_url="https://vimeo.com/76979871" if index % 3 == 0 else "",
        )
        StoryImageFactory(
            story=story,
            position=0,
            status="ready",
            renditions={"320": {"width": 320, "height": 240, "webp": "a.webp", "jpeg": "a.jpg"}},
        )
        StoryImageFactory(story=story, position=1)
        story.products.set(products[: index % 4])


def test_the_list_page_query_count_does_not_grow_with_the_stories(
    client, owner, shop, django_assert_max_num_queries
):
    client.force_login(owner)
    counts = []
    for total in (2, 20):
        shop.stories.all().delete()
        make_stories(shop, total)
        with django_assert_max_num_queries(10) as captured:
            response = client.get(url("list", shop))
        assert response.status_code == 200
        assert response.content.decode().count('class="story-row"') == total
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], f"{counts[0]} queries for 2 stories, {counts[1]} for 20"

"""Every write to stories of craft: the text, the video link, the photos, the linked products.

A story is written as a draft and shown to the public once published. Its photos go through
the shared photo pipeline (:mod:`merchants.services.photos`): validated here, cleaned and
resized by a Celery task after the commit. Linked products are the shop's own products: the
link is the ``Product.stories`` many-to-many (catalog builds on merchants), reached here
through its reverse accessor ``story.products`` so that merchants never imports catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from merchants.images import validate_image_upload
from merchants.models import Merchant, Story, StoryImage
from merchants.permissions import can_edit_merchant
from merchants.services.photos import photo_queue_processing
from merchants.slugs import unique_slug
from merchants.story_text import validate_video_url

# ``products`` arguments are catalog.Product instances, typed Any: merchants does not import
# catalog, not even for type checking (catalog builds on merchants).

# What the story form edits; status has its own services (publish / unpublish).
EDITABLE_FIELDS = frozenset({"title", "body", "video_url"})
# A story is read on a phone: a dozen photos is already a long scroll.
MAX_PHOTOS = 12
# About ten printed pages; enough for any story, and it bounds the rendering work of a page.
BODY_MAX_LENGTH = 20_000


@transaction.atomic
def story_create(
    *,
    actor: User,
    merchant: Merchant,
    title: str,
    body: str = "",
    video_url: str = "",
    products: Iterable[Any] = (),
    photos: Sequence[File] = (),
    publish: bool = False,
) -> Story:
    """Write a story for the shop, with its photos and the products it tells about: a draft,
    or published at once with ``publish=True``.

    Every problem is reported at once, by field (``title``, ``body``, ``video_url``,
    ``products``, ``photos``), and nothing is written unless everything is right.
    """
    require(can_edit_merchant(actor, merchant))
    story = Story(merchant=merchant, title=title, body=body, video_url=video_url, author=actor)
    story.slug = unique_slug(merchant.stories.all(), title, max_length=160)
    products = list(products)
    if publish:
        _mark_published(story)
    _validate(story, products=products, photos=photos, existing_photos=0)
    story.save()
    story.products.set(products)
    _add_photos(story, photos)
    return story


@transaction.atomic
def story_update(
    *,
    actor: User,
    story: Story,
    products: Iterable[Any] | None = None,
    photos: Sequence[File] = (),
    publish: bool = False,
    **fields: Any,
) -> Story:
    """Change a story's text, title or video link; add ``photos``; replace its linked products
    with ``products`` (left as they are when None); publish it too with ``publish=True``.

    The address (slug) follows the title until the story is first published; after that it
    stays, so links people shared keep working.
    """
    require(can_edit_merchant(actor, story.merchant))
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"story_update() got unexpected fields: {sorted(unknown)}")
    story = Story.objects.select_for_update().select_related("merchant").get(pk=story.pk)
    title_changed = "title" in fields and fields["title"] != story.title
    for name, value in fields.items():
        setattr(story, name, value)
    if title_changed and story.published_at is None:
        others = story.merchant.stories.exclude(pk=story.pk)
        story.slug = unique_slug(others, story.title, max_length=160)
    if publish:
        _mark_published(story)
    product_list = None if products is None else list(products)
    _validate(story, products=product_list, photos=photos, existing_photos=story.images.count())
    story.save()
    if product_list is not None:
        story.products.set(product_list)
    _add_photos(story, photos)
    return story


@transaction.atomic
def story_set_products(*, actor: User, story: Story, products: Iterable[Any]) -> Story:
    """Replace the products a story tells about. Only the shop's own products may be linked."""
    require(can_edit_merchant(actor, story.merchant))
    product_list = list(products)
    _check_products(story, product_list)
    story.products.set(product_list)
    return story


@transaction.atomic
def story_publish(*, actor: User, story: Story) -> Story:
    """Show the story on the shop's page and its products' pages (once the shop is active).

    The first publication dates it; publishing again after a correction keeps that date, so
    the story keeps its place among the newest.
    """
    require(can_edit_merchant(actor, story.merchant))
    _mark_published(story)
    story.save(update_fields=["status", "published_at", "updated_at"])
    # The shop's followers hear of it (notifications, after commit; once per story).
    from notifications.services.follows import story_published

    story_published(story)
    return story


@transaction.atomic
def story_unpublish(*, actor: User, story: Story) -> Story:
    """Take the story back to draft: only the shop's team sees it."""
    require(can_edit_merchant(actor, story.merchant))
    story.status = Story.Status.DRAFT
    story.save(update_fields=["status", "updated_at"])
    return story


@transaction.atomic
def story_delete(*, actor: User, story: Story) -> None:
    """Delete a story and its photos. Nothing else refers to a story (a product only loses the
    link), so it is deleted rather than archived; unpublishing is the way to hide it for now.
    """
    require(can_edit_merchant(actor, story.merchant))
    images = list(story.images.all())
    story.delete()
    for image in images:
        _delete_files_on_commit(image)


# --- Photos --------------------------------------------------------------------------------


@transaction.atomic
def story_image_add(*, actor: User, story: Story, upload: File, alt_text: str = "") -> StoryImage:
    """Add one photo at the end of the story's photos; it is processed after the commit."""
    require(can_edit_merchant(actor, story.merchant))
    story = Story.objects.select_for_update().get(pk=story.pk)
    _validate_photos([upload], existing=story.images.count())
    return _add_photos(story, [upload], alt_texts=[alt_text])[0]


@transaction.atomic
def story_image_update(*, actor: User, image: StoryImage, alt_text: str) -> StoryImage:
    """Describe a photo for people who cannot see it."""
    require(can_edit_merchant(actor, image.story.merchant))
    image.alt_text = alt_text.strip()
    image.full_clean(exclude=["image", "story"])
    image.save(update_fields=["alt_text"])
    return image


@transaction.atomic
def story_image_move(*, actor: User, image: StoryImage, offset: int) -> StoryImage:
    """Move a photo ``offset`` places earlier (negative) or later (positive) in its story."""
    require(can_edit_merchant(actor, image.story.merchant))
    story = Story.objects.select_for_update().get(pk=image.story_id)
    order = list(story.images.order_by("position", "pk").values_list("pk", flat=True))
    index = order.index(image.pk)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    _set_positions(story, order)
    image.refresh_from_db(fields=["position"])
    return image


@transaction.atomic
def story_images_reorder(*, actor: User, story: Story, image_ids: Sequence[int]) -> Story:
    """Put the story's photos in the order of ``image_ids`` (every photo of the story, once)."""
    require(can_edit_merchant(actor, story.merchant))
    story = Story.objects.select_for_update().get(pk=story.pk)
    current = set(story.images.values_list("pk", flat=True))
    if len(image_ids) != len(current) or set(image_ids) != current:
        raise ValidationError(
            _("The photos changed meanwhile; reload the page and try again."), code="stale"
        )
    _set_positions(story, list(image_ids))
    return story


@transaction.atomic
def story_image_delete(*, actor: User, image: StoryImage) -> None:
    """Remove a photo from its story, and its files once the removal is committed."""
    require(can_edit_merchant(actor, image.story.merchant))
    image.delete()
    _delete_files_on_commit(image)


# --- Rules ---------------------------------------------------------------------------------


def _validate(
    story: Story,
    *,
    products: list[Any] | None,
    photos: Sequence[File],
    existing_photos: int,
) -> None:
    """Every rule of a story, reported together as field errors."""
    errors: dict[str, list[ValidationError]] = {}
    story.title = (story.title or "").strip()
    story.video_url = (story.video_url or "").strip()
    exclude = ["merchant", "author"]
    if story.video_url:
        try:
            # Stored as the canonical page address: no tracking parameters, always https.
            story.video_url = validate_video_url(story.video_url).watch_url
        except ValidationError as error:
            errors.setdefault("video_url", []).append(error)
            exclude.append("video_url")  # the URL field's own message would say it twice
    if len(story.body or "") > BODY_MAX_LENGTH:
        errors.setdefault("body", []).append(
            ValidationError(
                _("The text is too long (%(length)s characters); the limit is %(limit)s.")
                % {"length": len(story.body), "limit": BODY_MAX_LENGTH},
                code="too_long",
            )
        )
        exclude.append("body")
    try:
        story.full_clean(exclude=exclude)
    except ValidationError as error:
        for field, field_errors in error.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)
    if products is not None:
        try:
            _check_products(story, products)
        except ValidationError as error:
            errors.setdefault("products", []).extend(error.error_dict["products"])
    try:
        _validate_photos(photos, existing=existing_photos)
    except ValidationError as error:
        errors.setdefault("photos", []).extend(error.error_dict["photos"])
    if errors:
        raise ValidationError(errors)


def _mark_published(story: Story) -> None:
    story.status = Story.Status.PUBLISHED
    if story.published_at is None:
        story.published_at = timezone.now()


def _check_products(story: Story, products: Sequence[Any]) -> None:
    foreign = [p for p in products if getattr(p, "merchant_id", None) != story.merchant_id]
    if foreign:
        raise ValidationError(
            {
                "products": ValidationError(
                    _("A story can only be linked to your own shop's products."),
                    code="foreign_product",
                )
            }
        )


def _validate_photos(photos: Sequence[File], *, existing: int) -> None:
    """Check every upload before storing any: a bad file never leaves half a story behind."""
    problems: list[ValidationError] = []
    if existing + len(photos) > MAX_PHOTOS:
        problems.append(
            ValidationError(
                _("A story can have at most %(limit)s photos; remove some first.")
                % {"limit": MAX_PHOTOS},
                code="too_many_photos",
            )
        )
    for upload in photos:
        try:
            validate_image_upload(upload)
        except ValidationError as error:
            name = PurePath(upload.name or "").name or _("a file")
            for message in error.messages:
                problems.append(
                    ValidationError(
                        _("%(file)s: %(problem)s") % {"file": name, "problem": message},
                        code=error.code or "invalid_photo",
                    )
                )
    if problems:
        raise ValidationError({"photos": problems})


def _add_photos(
    story: Story, photos: Sequence[File], alt_texts: Sequence[str] = ()
) -> list[StoryImage]:
    """Store already-validated uploads after the story's last photo and queue their processing.

    The caller holds the story (a new row, or locked), so positions cannot collide.
    """
    if not photos:
        return []
    last = story.images.aggregate(last=Max("position"))["last"]
    position = 0 if last is None else last + 1
    added = []
    for index, upload in enumerate(photos):
        alt_text = alt_texts[index].strip() if index < len(alt_texts) else ""
        image = StoryImage(story=story, alt_text=alt_text, position=position + index)
        image.image.save(PurePath(upload.name or "photo").name, upload, save=False)
        image.save()
        photo_queue_processing(image)
        added.append(image)
    return added


def _set_positions(story: Story, ordered_ids: list[int]) -> None:
    # The (story, position) unique constraint is deferred: positions may swap within the
    # transaction and are checked at commit.
    images = {image.pk: image for image in story.images.all()}
    changed = []
    for position, pk in enumerate(ordered_ids):
        image = images[pk]
        if image.position != position:
            image.position = position
            changed.append(image)
    StoryImage.objects.bulk_update(changed, ["position"])


def _delete_files_on_commit(image: StoryImage) -> None:
    """Delete a photo's original and renditions from storage once the deletion is committed."""
    storage = image.image.storage
    names = [str(image.image.name)] if image.image.name else []
    for entry in (image.renditions or {}).values():
        names += [entry[fmt] for fmt in ("webp", "jpeg") if fmt in entry]

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)

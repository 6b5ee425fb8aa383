"""Every write to shops, their staff, their hours and their photos."""

import datetime as dt
import itertools
import logging
import uuid
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from merchants import images
from merchants.hours import format_hour
from merchants.models import Closure, Merchant, MerchantMember, OpeningHours
from merchants.permissions import can_edit_merchant, can_manage_merchant
from merchants.slugs import unique_slug

logger = logging.getLogger(__name__)

# Fields a shop's staff may set through merchant_update; status and slug have their own paths.
EDITABLE_FIELDS = frozenset(
    {
        "name",
        "trade",
        "legal_name",
        "siret",
        "short_description",
        "story",
        "street",
        "postcode",
        "city",
        "latitude",
        "longitude",
        "phone",
        "email",
        "website",
        "social_links",
        "logo",
        "cover_image",
    }
)

# Words of « Mon commerce » URLs that sit where a shop's slug goes (/mon-commerce/<slug>/):
# a shop may not take them, or its pages would be unreachable.
RESERVED_SLUGS = frozenset({"nouvelle-boutique", "invitation"})

# The shop's own two pictures and the width they are stored at (never enlarged): a logo is
# shown small, a cover across a phone or a laptop screen.
SHOP_IMAGE_WIDTHS = {"logo": 512, "cover_image": 1600}
# Where an upload waits, under a random name that is linked from nowhere, until the worker has
# re-encoded it without its metadata (a phone photo carries GPS coordinates).
PENDING_IMAGE_FOLDER = "merchants/pending"


def _free_slug(name: str) -> str:
    return unique_slug(Merchant.objects.all(), name, reserved=RESERVED_SLUGS)


@transaction.atomic
def merchant_create(*, actor: User, name: str, **fields: Any) -> Merchant:
    """Create a draft shop and make ``actor`` its owner.

    Pictures given here are stored as they are (the demo data's generated covers); a person's
    upload goes through :func:`merchant_update`, which cleans it first.
    """
    require(actor.is_authenticated)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"merchant_create() got unexpected fields: {sorted(unknown)}")
    merchant = Merchant(name=name, **fields)
    merchant.slug = _free_slug(name)
    merchant.full_clean()
    merchant.save()
    MerchantMember.objects.create(merchant=merchant, user=actor, role=MerchantMember.Role.OWNER)
    return merchant


@transaction.atomic
def merchant_onboard(
    *,
    actor: User,
    name: str,
    ranges: Iterable[tuple[int, dt.time, dt.time]] = (),
    **fields: Any,
) -> Merchant:
    """Open a new shop from the « getting started » form: the draft shop, its owner and its
    weekly hours, all or nothing."""
    merchant = merchant_create(actor=actor, name=name, **fields)
    opening_hours_replace(actor=actor, merchant=merchant, ranges=ranges)
    return merchant


@transaction.atomic
def merchant_update(*, actor: User, merchant: Merchant, **fields: Any) -> Merchant:
    """Change the shop's profile fields.

    ``logo`` and ``cover_image`` take an upload, or ``None``/``""`` to remove the picture. An
    upload is checked here (a field error in French if it is not a photo we accept), then waits
    under a private name while a worker re-encodes it without metadata: the shop shows its new
    picture a few seconds later (see :func:`merchant_image_process`). No image is decoded in
    the request beyond that check.

    Only the fields given are written, so a picture the worker has just set is never
    overwritten by a page that was opened before it.
    """
    require(can_edit_merchant(actor, merchant))
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"merchant_update() got unexpected fields: {sorted(unknown)}")
    pictures = {name: fields.pop(name) for name in SHOP_IMAGE_WIDTHS if name in fields}
    errors: dict[str, Any] = {}
    for name, upload in pictures.items():
        if upload:
            try:
                images.validate_image_upload(upload)
            except ValidationError as error:
                errors[name] = error.error_list
    for name, value in fields.items():
        setattr(merchant, name, value)
    try:
        merchant.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    if fields:
        merchant.save(update_fields=[*fields, "updated_at"])
    for name, upload in pictures.items():
        if upload:
            _queue_image(merchant, name, upload)
        else:
            _remove_image(merchant, name)
    return merchant


def _queue_image(merchant: Merchant, field: str, upload: UploadedFile) -> None:
    from merchants.tasks import process_shop_image

    storage = merchant._meta.get_field(field).storage  # type: ignore[union-attr]
    # The name says whose picture it is, so a sweep can finish it if the task is lost.
    pending = storage.save(
        f"{PENDING_IMAGE_FOLDER}/{merchant.pk}-{field}-{uuid.uuid4().hex}", upload
    )
    merchant_id = merchant.pk
    transaction.on_commit(lambda: process_shop_image.delay(merchant_id, field, pending))


def _remove_image(merchant: Merchant, field: str) -> None:
    file = getattr(merchant, field)
    old_name, storage = file.name, file.storage
    if not old_name:
        return
    setattr(merchant, field, "")
    merchant.save(update_fields=[field, "updated_at"])
    transaction.on_commit(lambda: storage.delete(old_name))


def merchant_image_process(*, merchant_id: int, field: str, pending_name: str) -> Merchant | None:
    """Re-encode a waiting logo or cover without its metadata and make it the shop's.

    Run by the ``process_shop_image`` task. Idempotent: once the waiting file is gone (done,
    or refused as damaged) a second run does nothing. The image work runs outside any
    transaction; the row is then updated under a lock, and the previous picture deleted.
    """
    if field not in SHOP_IMAGE_WIDTHS:
        raise ValueError(f"{field!r} is not a shop picture")
    if PurePath(pending_name).parent != PurePath(PENDING_IMAGE_FOLDER):
        raise ValueError(f"{pending_name!r} is not a waiting upload")
    model_field = Merchant._meta.get_field(field)
    storage = model_field.storage  # type: ignore[union-attr]
    if not storage.exists(pending_name):
        return None
    width = SHOP_IMAGE_WIDTHS[field]
    try:
        with storage.open(pending_name, "rb") as source:
            processed = images.process_image(source, widths=(width,))
    except ValidationError as error:
        logger.warning("Shop %s %s refused: %s", merchant_id, field, error.messages)
        storage.delete(pending_name)
        return None
    folder = str(model_field.upload_to).rstrip("/")  # type: ignore[union-attr]
    stem = PurePath(pending_name).name
    stored = storage.save(f"{folder}/{stem}.jpg", ContentFile(processed.renditions[width].jpeg))
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().filter(pk=merchant_id).first()
        replaced = ""
        if merchant is not None:
            replaced = getattr(merchant, field).name
            setattr(merchant, field, stored)
            merchant.save(update_fields=[field, "updated_at"])
    storage.delete(pending_name)
    if merchant is None:  # the shop was deleted meanwhile
        storage.delete(stored)
    elif replaced and replaced != stored:
        storage.delete(replaced)
    return merchant


@transaction.atomic
def merchant_publish(*, actor: User, merchant: Merchant) -> Merchant:
    """Open a draft shop to the public. A suspended shop stays suspended."""
    require(can_manage_merchant(actor, merchant))
    merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
    if merchant.status == Merchant.Status.SUSPENDED:
        raise ValidationError(
            _("This shop is suspended by the platform; contact us to reopen it."),
            code="suspended",
        )
    merchant.status = Merchant.Status.ACTIVE
    merchant.save(update_fields=["status", "updated_at"])
    return merchant


@transaction.atomic
def merchant_add_staff(
    *, actor: User, merchant: Merchant, user: User, role: str = MerchantMember.Role.STAFF
) -> MerchantMember:
    """Give ``user`` a role in the shop. Only an owner may do it."""
    require(can_manage_merchant(actor, merchant))
    if MerchantMember.objects.filter(merchant=merchant, user=user).exists():
        raise ValidationError(
            _("%(user)s already works for this shop.") % {"user": user}, code="already_member"
        )
    member = MerchantMember(merchant=merchant, user=user, role=role)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def opening_hours_replace(
    *, actor: User, merchant: Merchant, ranges: Iterable[tuple[int, dt.time, dt.time]]
) -> list[OpeningHours]:
    """Replace the weekly hours with ``ranges`` of (weekday, opens, closes)."""
    require(can_edit_merchant(actor, merchant))
    rows = [OpeningHours(merchant=merchant, weekday=d, opens=o, closes=c) for d, o, c in ranges]
    for row in rows:
        row.full_clean(exclude=["merchant"], validate_constraints=False)
    rows.sort(key=lambda r: (r.weekday, r.opens))
    for previous, current in itertools.pairwise(rows):
        if previous.weekday == current.weekday and current.opens < previous.closes:
            raise ValidationError(
                _("On %(day)s, %(first)s and %(second)s overlap.")
                % {
                    "day": current.get_weekday_display(),
                    "first": f"{format_hour(previous.opens)}–{format_hour(previous.closes)}",
                    "second": f"{format_hour(current.opens)}–{format_hour(current.closes)}",
                },
                code="overlap",
            )
    OpeningHours.objects.filter(merchant=merchant).delete()
    return OpeningHours.objects.bulk_create(rows)


@transaction.atomic
def closure_add(
    *, actor: User, merchant: Merchant, starts_on: dt.date, ends_on: dt.date, reason: str = ""
) -> Closure:
    """Record an exceptional closure (holidays, works…)."""
    require(can_edit_merchant(actor, merchant))
    closure = Closure(merchant=merchant, starts_on=starts_on, ends_on=ends_on, reason=reason)
    closure.full_clean()
    closure.save()
    return closure


@transaction.atomic
def closure_remove(*, actor: User, closure: Closure) -> None:
    """Delete an exceptional closure (entered by mistake, or holidays cancelled)."""
    require(can_edit_merchant(actor, closure.merchant))
    closure.delete()


def waiting_shop_images(*, older_than: dt.datetime) -> list[tuple[int, str, str]]:
    """Logos and covers uploaded before ``older_than`` and still waiting to be cleaned, as
    ``(merchant_id, field, pending_name)`` — what the ``process_shop_image`` task takes."""
    storage = Merchant._meta.get_field("logo").storage
    try:
        _folders, names = storage.listdir(PENDING_IMAGE_FOLDER)
    except FileNotFoundError:
        return []
    waiting = []
    for name in sorted(names):
        merchant_id, _, rest = name.partition("-")
        field = next((f for f in SHOP_IMAGE_WIDTHS if rest.startswith(f"{f}-")), None)
        path = f"{PENDING_IMAGE_FOLDER}/{name}"
        if not merchant_id.isdigit() or field is None:
            continue  # not one of ours
        if storage.get_modified_time(path) < older_than:
            waiting.append((int(merchant_id), field, path))
    return waiting

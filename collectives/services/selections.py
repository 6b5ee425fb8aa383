"""Every write to selections: the organisers' curated lists of member products.

Organisers create, edit, publish and order a selection, and add products of the collective's
member shops to it; member shops propose their own products, which organisers accept or
decline. Nobody here ever changes a product: a selection only points at products.

Concurrency: every change to a selection's products locks the selection's row first, so two
clicks at once (two organisers accepting, a move during an add) are serialised and the
positions of the accepted products stay 0, 1, 2… The (selection, position) unique constraint
is DEFERRED: positions may be swapped within one transaction and are checked at commit.

Re-proposing: a shop cannot propose again a product the organisers declined for the same
selection (their answer stands, and the shop is told so); it may propose it again after
withdrawing its own proposal, or after an organiser removed it from the selection. An
organiser may still add a declined product themselves (they changed their mind).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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
from catalog.models import Product
from collectives.models import Collective, Membership, Selection, SelectionItem, SelectionPhoto
from collectives.permissions import can_organise
from merchants.images import validate_image_upload
from merchants.permissions import can_edit_merchant
from merchants.services.photos import photo_queue_processing
from merchants.slugs import unique_slug

Item = SelectionItem.Status

# What the selection form edits; the status and the cover have their own arguments.
EDITABLE_FIELDS = frozenset(
    {"title", "text", "visible_from", "visible_until", "is_featured", "accepts_proposals"}
)


# --- The selection itself --------------------------------------------------------------------


@transaction.atomic
def selection_create(
    *,
    actor: User,
    collective: Collective,
    title: str,
    cover: File | None = None,
    cover_alt_text: str = "",
    **fields: Any,
) -> Selection:
    """Create a draft selection of ``collective`` (organisers only), with an optional cover.

    Every problem is reported at once, by field (``title``, ``visible_until``, ``cover``…),
    and nothing is written unless everything is right.
    """
    require(can_organise(actor, collective))
    _check_fields(fields, "selection_create")
    selection = Selection(collective=collective, title=title, created_by=actor, **fields)
    selection.slug = _slug_for(selection)
    _validate(selection, cover=cover)
    selection.save()
    if cover is not None:
        _replace_cover(selection, cover, alt_text=cover_alt_text)
    return selection


@transaction.atomic
def selection_update(
    *,
    actor: User,
    selection: Selection,
    cover: File | None = None,
    cover_alt_text: str | None = None,
    remove_cover: bool = False,
    **fields: Any,
) -> Selection:
    """Change a selection's title, text, visibility window or switches; replace its cover
    with ``cover``, remove it with ``remove_cover``, or describe it with ``cover_alt_text``.

    The address (slug) follows the title while the selection is a draft; once published it
    stays, so that links people shared keep working (taken back to draft and renamed, it
    gets a new address).
    """
    require(can_organise(actor, selection.collective))
    _check_fields(fields, "selection_update")
    locked = _lock(selection)
    title_changed = "title" in fields and fields["title"] != locked.title
    for name, value in fields.items():
        setattr(locked, name, value)
    if title_changed and locked.status == Selection.Status.DRAFT:
        locked.slug = _slug_for(locked)
    _validate(locked, cover=cover)
    locked.save()
    if cover is not None:
        _replace_cover(locked, cover, alt_text=cover_alt_text or "")
    elif remove_cover:
        _delete_covers(locked)
    elif cover_alt_text is not None:
        locked.photos.update(alt_text=cover_alt_text.strip())
    return locked


@transaction.atomic
def selection_publish(*, actor: User, selection: Selection) -> Selection:
    """Publish a selection: the public sees it inside its visibility window. An empty
    selection is refused (its page would show nothing)."""
    require(can_organise(actor, selection.collective))
    locked = _lock(selection)
    if not locked.items.filter(status=Item.ACCEPTED).exists():
        raise ValidationError(
            _("Add at least one product before publishing the selection."), code="empty"
        )
    locked.status = Selection.Status.PUBLISHED
    locked.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def selection_unpublish(*, actor: User, selection: Selection) -> Selection:
    """Take a selection back to draft: it leaves the public pages at once."""
    require(can_organise(actor, selection.collective))
    locked = _lock(selection)
    locked.status = Selection.Status.DRAFT
    locked.save(update_fields=["status", "updated_at"])
    return locked


def _check_fields(fields: dict[str, Any], function: str) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"{function}() got unexpected fields: {sorted(unknown)}")


def _slug_for(selection: Selection) -> str:
    others = Selection.objects.filter(collective=selection.collective)
    if selection.pk is not None:
        others = others.exclude(pk=selection.pk)
    return unique_slug(others, selection.title, max_length=160)


def _validate(selection: Selection, *, cover: File | None) -> None:
    """``full_clean()`` plus the visibility window and the cover, all reported at once."""
    errors: dict[str, list[ValidationError]] = {}
    start, end = selection.visible_from, selection.visible_until
    if start is not None and end is not None and end <= start:
        # The database refuses it too; said here in words, next to the field.
        errors["visible_until"] = [
            ValidationError(
                _("The selection must stop being visible after it starts."), code="window"
            )
        ]
    try:
        # The window's check constraint is reported above, in words.
        selection.full_clean(validate_constraints=not errors)
    except ValidationError as error:
        for field, messages in error.error_dict.items():
            errors.setdefault(field, []).extend(messages)
    if cover is not None:
        try:
            validate_image_upload(cover)
        except ValidationError as error:
            errors.setdefault("cover", []).append(error)
    if errors:
        raise ValidationError(errors)


def _lock(selection: Selection) -> Selection:
    """The selection's row, locked until the end of the transaction: every change to a
    selection or its products takes this lock first."""
    return Selection.objects.select_for_update().select_related("collective").get(pk=selection.pk)


# --- The cover -------------------------------------------------------------------------------


def _replace_cover(selection: Selection, upload: File, *, alt_text: str) -> SelectionPhoto:
    """Store an already-validated upload as the cover (position 0) instead of the previous
    one, and queue its processing after the commit."""
    _delete_covers(selection)
    photo = SelectionPhoto(selection=selection, alt_text=alt_text.strip(), position=0)
    photo.image.save(PurePath(upload.name or "cover").name, upload, save=False)
    photo.save()
    photo_queue_processing(photo)
    return photo


def _delete_covers(selection: Selection) -> None:
    """Delete the selection's cover rows now and their files once the deletion is committed
    (a rolled-back transaction must not leave rows pointing at missing files)."""
    photos = list(selection.photos.all())
    if not photos:
        return
    names: list[str] = []
    for photo in photos:
        names += [str(photo.image.name)] if photo.image.name else []
        for entry in (photo.renditions or {}).values():
            names += [entry[fmt] for fmt in ("webp", "jpeg") if fmt in entry]
    storage = photos[0].image.storage
    SelectionPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)


# --- Products in the selection ---------------------------------------------------------------


def _accepted(selection: Selection) -> list[SelectionItem]:
    return list(selection.items.filter(status=Item.ACCEPTED).order_by("position", "pk"))


def _write_positions(items: Sequence[SelectionItem]) -> None:
    """Number the accepted items 0, 1, 2… in the given order (deferred unique constraint)."""
    changed = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            changed.append(item)
    SelectionItem.objects.bulk_update(changed, ["position"])


def _next_position(selection: Selection) -> int:
    last = selection.items.filter(status=Item.ACCEPTED).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _shown_in(collective: Collective, product: Product) -> bool:
    """Whether ``product`` is one the collective's pages may show: published, of an active
    shop that is an active member."""
    return Product.objects.published().for_collective(collective).filter(pk=product.pk).exists()


def _locked_item(selection: Selection, item: SelectionItem) -> SelectionItem | None:
    """``item`` re-read once its selection is locked (None if it was removed meanwhile)."""
    return (
        SelectionItem.objects.select_related("product__merchant")
        .filter(pk=item.pk, selection=selection)
        .first()
    )


@transaction.atomic
def selection_add_product(*, actor: User, selection: Selection, product: Product) -> SelectionItem:
    """An organiser adds a published product of an active member shop at the end of the
    selection. A pending proposal of that product is accepted by the same click; a declined
    one is taken back."""
    require(can_organise(actor, selection.collective))
    locked = _lock(selection)
    if not _shown_in(locked.collective, product):
        raise ValidationError(
            _("Only published products of the collective's member shops can be added."),
            code="not_a_member_product",
        )
    item = locked.items.filter(product=product).first()
    if item is not None and item.status == Item.ACCEPTED:
        raise ValidationError(
            _("%(product)s is already in this selection.") % {"product": product.title},
            code="already_in",
        )
    if item is None:
        item = SelectionItem(selection=locked, product=product)
    else:
        item.answered_at = timezone.now()
    item.status = Item.ACCEPTED
    item.position = _next_position(locked)
    item.save()
    return item


@transaction.atomic
def selection_remove_item(*, actor: User, item: SelectionItem) -> None:
    """An organiser takes a product out of the selection; the others close the gap. (The
    product itself is untouched; its shop may propose it again.)"""
    require(can_organise(actor, item.selection.collective))
    locked = _lock(item.selection)
    current = _locked_item(locked, item)
    if current is None or current.status != Item.ACCEPTED:
        raise ValidationError(
            _("This product is no longer in the selection."), code="not_in_selection"
        )
    current.delete()
    _write_positions(_accepted(locked))


@transaction.atomic
def selection_move_item(*, actor: User, item: SelectionItem, offset: int) -> SelectionItem:
    """Move a product ``offset`` places (-1: one up, towards the top; +1: one down). Moving
    past either end leaves it there. The keyboard and no-JavaScript way to reorder."""
    require(can_organise(actor, item.selection.collective))
    locked = _lock(item.selection)
    items = _accepted(locked)
    index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
    if index is None:
        raise ValidationError(
            _("This product is no longer in the selection."), code="not_in_selection"
        )
    target = max(0, min(len(items) - 1, index + offset))
    moved = items.pop(index)
    items.insert(target, moved)
    _write_positions(items)
    return moved


# --- Proposals by member shops ---------------------------------------------------------------


def selection_is_over(selection: Selection, now: dt.datetime | None = None) -> bool:
    """Whether the selection's visibility window has ended (it takes no more proposals)."""
    return selection.visible_until is not None and selection.visible_until <= (
        now or timezone.now()
    )


@transaction.atomic
def selection_propose(
    *, actor: User, selection: Selection, product: Product, note: str = ""
) -> SelectionItem:
    """A member shop's owner or staff proposes one of its own published products, with a
    note for the organisers. The selection may be a draft (organisers prepare « Noël local »
    in November) but must take proposals and not be over."""
    shop = product.merchant
    require(can_edit_merchant(actor, shop))
    if not Product.objects.published().filter(pk=product.pk).exists():
        raise ValidationError(
            {
                "product": ValidationError(
                    _("Only published products can be proposed."), "unpublished"
                )
            }
        )
    locked = _lock(selection)
    member = Membership.objects.active().filter(collective=locked.collective, merchant=shop)
    if not member.exists():
        raise ValidationError(
            _("Your shop is not an active member of this collective."), code="not_a_member"
        )
    if not locked.accepts_proposals:
        raise ValidationError(
            _("The organisers do not take proposals for this selection."), code="closed"
        )
    if selection_is_over(locked):
        raise ValidationError(_("This selection is over."), code="over")
    existing = locked.items.filter(product=product).first()
    if existing is not None:
        raise ValidationError({"product": [_already_message(existing)]})
    item = SelectionItem(
        selection=locked,
        product=product,
        status=Item.PROPOSED,
        note=note.strip(),
        proposed_by=actor,
    )
    # Constraints (one row per product, positions) are ensured above under the lock.
    item.full_clean(exclude=["selection", "product"], validate_constraints=False)
    item.save()
    return item


def _already_message(item: SelectionItem) -> ValidationError:
    product = {"product": item.product.title}
    if item.status == Item.ACCEPTED:
        return ValidationError(
            _("%(product)s is already in this selection.") % product, code="already_in"
        )
    if item.status == Item.PROPOSED:
        return ValidationError(
            _("%(product)s is already proposed and waits for the organisers' answer.") % product,
            code="already_proposed",
        )
    return ValidationError(
        _("The organisers declined %(product)s for this selection; propose another product.")
        % product,
        code="declined",
    )


def _open_proposal(selection: Selection, item: SelectionItem) -> SelectionItem:
    current = _locked_item(selection, item)
    if current is None or current.status != Item.PROPOSED:
        raise ValidationError(
            _("This proposal is no longer waiting for an answer."), code="answered"
        )
    return current


@transaction.atomic
def selection_proposal_accept(*, actor: User, item: SelectionItem) -> SelectionItem:
    """An organiser accepts a shop's proposal: the product joins the end of the selection,
    provided it is still published and its shop still a member."""
    require(can_organise(actor, item.selection.collective))
    locked = _lock(item.selection)
    current = _open_proposal(locked, item)
    if not _shown_in(locked.collective, current.product):
        raise ValidationError(
            _(
                "%(product)s is no longer published, or its shop is no longer a member: "
                "it cannot be added."
            )
            % {"product": current.product.title},
            code="not_a_member_product",
        )
    current.status = Item.ACCEPTED
    current.position = _next_position(locked)
    current.answered_at = timezone.now()
    current.save(update_fields=["status", "position", "answered_at"])
    return current


@transaction.atomic
def selection_proposal_decline(*, actor: User, item: SelectionItem) -> SelectionItem:
    """An organiser declines a shop's proposal; the shop sees the answer and cannot propose
    that product again for this selection."""
    require(can_organise(actor, item.selection.collective))
    locked = _lock(item.selection)
    current = _open_proposal(locked, item)
    current.status = Item.DECLINED
    current.position = None
    current.answered_at = timezone.now()
    current.save(update_fields=["status", "position", "answered_at"])
    return current


@transaction.atomic
def selection_proposal_withdraw(*, actor: User, item: SelectionItem) -> None:
    """The shop withdraws its proposal while it still waits for an answer (it may propose
    the product again later)."""
    require(can_edit_merchant(actor, item.product.merchant))
    locked = _lock(item.selection)
    current = _locked_item(locked, item)
    if current is None or current.status != Item.PROPOSED:
        raise ValidationError(
            _("The organisers have already answered this proposal."), code="answered"
        )
    current.delete()

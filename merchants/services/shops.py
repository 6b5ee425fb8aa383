"""Every write to shops, their staff, their hours and their photos."""

import datetime as dt
import itertools
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
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
        "logo",
        "cover_image",
    }
)


@transaction.atomic
def merchant_create(*, actor: User, name: str, **fields: Any) -> Merchant:
    """Create a draft shop and make ``actor`` its owner."""
    require(actor.is_authenticated)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"merchant_create() got unexpected fields: {sorted(unknown)}")
    merchant = Merchant(name=name, **fields)
    merchant.slug = unique_slug(Merchant.objects.all(), name)
    merchant.full_clean()
    merchant.save()
    MerchantMember.objects.create(merchant=merchant, user=actor, role=MerchantMember.Role.OWNER)
    return merchant


@transaction.atomic
def merchant_update(*, actor: User, merchant: Merchant, **fields: Any) -> Merchant:
    """Change the shop's profile fields."""
    require(can_edit_merchant(actor, merchant))
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"merchant_update() got unexpected fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(merchant, name, value)
    merchant.full_clean()
    merchant.save()
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

"""Rules of shops that hold for every row, enforced by PostgreSQL itself."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from merchants.models import Merchant, OpeningHours
from merchants.validators import validate_siret
from tests.factories import ClosureFactory, MerchantFactory, MerchantMemberFactory, UserFactory


@pytest.mark.parametrize("siret", ["73282932000074", "35600000000056", ""])
def test_valid_siret_numbers_pass(siret):
    validate_siret(siret)  # Luhn-valid; La Poste's site (sum of digits % 5); empty = none


@pytest.mark.parametrize(
    ("siret", "code"),
    [
        ("73282932000075", "siret_checksum"),
        ("7328293200007", "siret_format"),
        ("7328293200007A", "siret_format"),
    ],
)
def test_invalid_siret_numbers_are_refused_with_a_reason(siret, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_siret(siret)
    assert excinfo.value.code == code


@pytest.mark.django_db
def test_database_refuses_a_siret_that_is_not_14_digits():
    with pytest.raises(IntegrityError):
        MerchantFactory(siret="12345")


@pytest.mark.django_db
def test_slug_is_unique():
    MerchantFactory(slug="chez-marie")
    with pytest.raises(IntegrityError):
        MerchantFactory(slug="chez-marie")


@pytest.mark.django_db
def test_a_person_has_one_role_per_shop():
    member = MerchantMemberFactory()
    with pytest.raises(IntegrityError):
        MerchantMemberFactory(merchant=member.merchant, user=member.user, role="staff")


@pytest.mark.django_db
def test_coordinates_come_in_pairs():
    with pytest.raises(IntegrityError):
        MerchantFactory(latitude="44.400000", longitude=None)


@pytest.mark.django_db
def test_opening_hours_must_open_before_they_close():
    merchant = MerchantFactory()
    with pytest.raises(IntegrityError):
        OpeningHours.objects.create(
            merchant=merchant, weekday=0, opens=dt.time(19, 0), closes=dt.time(9, 0)
        )


@pytest.mark.django_db
def test_opening_ranges_of_a_day_may_touch_but_not_overlap():
    merchant = MerchantFactory()
    OpeningHours.objects.create(merchant=merchant, weekday=2, opens=dt.time(9), closes=dt.time(12))
    # Touching is fine, and another day or another shop is independent.
    OpeningHours.objects.create(merchant=merchant, weekday=2, opens=dt.time(12), closes=dt.time(14))
    OpeningHours.objects.create(merchant=merchant, weekday=3, opens=dt.time(10), closes=dt.time(11))
    OpeningHours.objects.create(
        merchant=MerchantFactory(), weekday=2, opens=dt.time(10), closes=dt.time(11)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(
            merchant=merchant, weekday=2, opens=dt.time(11), closes=dt.time(13)
        )
    assert merchant.opening_hours.count() == 3


@pytest.mark.django_db
def test_closure_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError):
        ClosureFactory(starts_on=dt.date(2026, 8, 19), ends_on=dt.date(2026, 8, 12))


@pytest.mark.django_db
def test_visible_to_lists_active_shops_and_the_users_own_drafts():
    active = MerchantFactory(status=Merchant.Status.ACTIVE)
    draft = MerchantFactory(status=Merchant.Status.DRAFT)
    others_draft = MerchantFactory(status=Merchant.Status.DRAFT)
    user = UserFactory()
    MerchantMemberFactory(user=user, merchant=draft)
    MerchantMemberFactory(merchant=active)  # another member must not duplicate the row

    visible = list(Merchant.objects.visible_to(user))
    assert sorted(m.pk for m in visible) == sorted([active.pk, draft.pk])
    assert others_draft not in visible

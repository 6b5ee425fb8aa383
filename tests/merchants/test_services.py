"""Shop services: who may create, publish and staff a shop."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from merchants import services
from merchants.models import Merchant, MerchantMember
from tests.factories import MerchantFactory, MerchantMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_creating_a_shop_makes_the_creator_its_owner_and_keeps_it_draft():
    user = UserFactory()
    merchant = services.merchant_create(actor=user, name="Fromagerie Lucie", trade="cheese")
    assert merchant.status == Merchant.Status.DRAFT
    assert merchant.slug == "fromagerie-lucie"
    assert MerchantMember.objects.get(merchant=merchant).user == user
    assert MerchantMember.objects.get(merchant=merchant).role == MerchantMember.Role.OWNER


def test_slugs_stay_unique_for_namesakes():
    user = UserFactory()
    first = services.merchant_create(actor=user, name="Le Fournil")
    second = services.merchant_create(actor=user, name="Le Fournil")
    assert (first.slug, second.slug) == ("le-fournil", "le-fournil-2")


def test_an_invalid_siret_is_refused_and_nothing_is_written():
    user = UserFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.merchant_create(actor=user, name="Chez Paul", siret="12345678901234")
    assert "siret" in excinfo.value.message_dict
    assert not Merchant.objects.filter(name="Chez Paul").exists()
    assert not MerchantMember.objects.filter(user=user).exists()


def test_owner_publishes_staff_cannot(owner):
    shop = owner.shop
    shop.status = Merchant.Status.DRAFT
    shop.save()
    staff = MerchantMemberFactory(merchant=shop, role="staff").user
    with pytest.raises(PermissionDenied):
        services.merchant_publish(actor=staff, merchant=shop)
    assert services.merchant_publish(actor=owner, merchant=shop).status == "active"


def test_a_suspended_shop_cannot_republish_itself(owner):
    Merchant.objects.filter(pk=owner.shop.pk).update(status=Merchant.Status.SUSPENDED)
    with pytest.raises(ValidationError):
        services.merchant_publish(actor=owner, merchant=owner.shop)


def test_only_the_owner_adds_staff(owner):
    newcomer = UserFactory()
    member = services.merchant_add_staff(actor=owner, merchant=owner.shop, user=newcomer)
    assert member.role == MerchantMember.Role.STAFF
    with pytest.raises(PermissionDenied):
        services.merchant_add_staff(actor=newcomer, merchant=owner.shop, user=UserFactory())
    with pytest.raises(ValidationError):
        services.merchant_add_staff(actor=owner, merchant=owner.shop, user=newcomer)


def test_staff_of_another_shop_cannot_edit_this_one(owner):
    other_owner = MerchantMemberFactory().user
    with pytest.raises(PermissionDenied):
        services.merchant_update(actor=other_owner, merchant=owner.shop, name="Piraté")
    assert Merchant.objects.get(pk=owner.shop.pk).name != "Piraté"


def test_weekly_hours_are_replaced_and_overlaps_refused(owner):
    shop = owner.shop
    services.opening_hours_replace(
        actor=owner,
        merchant=shop,
        ranges=[(1, dt.time(9), dt.time(12)), (1, dt.time(14), dt.time(19))],
    )
    assert shop.opening_hours.count() == 2
    with pytest.raises(ValidationError):
        services.opening_hours_replace(
            actor=owner,
            merchant=shop,
            ranges=[(2, dt.time(9), dt.time(13)), (2, dt.time(12), dt.time(19))],
        )
    with pytest.raises(ValidationError):
        services.opening_hours_replace(
            actor=owner, merchant=shop, ranges=[(2, dt.time(19), dt.time(9))]
        )
    # Refused changes left the previous hours in place.
    assert shop.opening_hours.count() == 2


def test_closure_dates_are_checked(owner):
    with pytest.raises(ValidationError):
        services.closure_add(
            actor=owner,
            merchant=owner.shop,
            starts_on=dt.date(2026, 8, 19),
            ends_on=dt.date(2026, 8, 12),
        )


def test_a_customer_cannot_touch_a_shop(customer):
    shop = MerchantFactory()
    with pytest.raises(PermissionDenied):
        services.closure_add(
            actor=customer,
            merchant=shop,
            starts_on=dt.date(2026, 8, 12),
            ends_on=dt.date(2026, 8, 19),
        )

"""Every model of the core data model is managed in the admin: its list, add and change
pages open for the platform operator."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import (
    ClosureFactory,
    CollectiveInvitationFactory,
    ImportJobFactory,
    MembershipFactory,
    MerchantMemberFactory,
    OpeningHoursFactory,
    OrganiserFactory,
    ProductImageFactory,
    StaffInvitationFactory,
    StoryImageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CORE_MODELS = [
    "accounts.user",
    "merchants.merchant",
    "merchants.merchantmember",
    "catalog.category",
    "catalog.product",
    "catalog.productimage",
    "collectives.collective",
    "collectives.membership",
    "collectives.organiser",
    "collectives.collectiveinvitation",
    "merchants.staffinvitation",
    "merchants.story",
    "catalog.importjob",
]


@pytest.fixture
def operator(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_core_models_are_registered():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert set(CORE_MODELS) <= registered


@pytest.mark.parametrize("model", CORE_MODELS)
def test_admin_pages_open(client, operator, model):
    MerchantMemberFactory()
    MembershipFactory()
    OrganiserFactory()
    OpeningHoursFactory()
    ClosureFactory()
    ProductImageFactory()
    StaffInvitationFactory()
    StoryImageFactory()
    ImportJobFactory()
    CollectiveInvitationFactory()
    app_label, model_name = model.split(".")
    model_class = next(
        m
        for m in admin.site._registry
        if m._meta.app_label == app_label and m._meta.model_name == model_name
    )
    obj = model_class.objects.order_by("pk").first()
    for url in (
        reverse(f"admin:{app_label}_{model_name}_changelist"),
        reverse(f"admin:{app_label}_{model_name}_add"),
        reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_customers_cannot_open_the_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302

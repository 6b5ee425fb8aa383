"""``manage.py seed_demo``: the demo town a new developer or a visitor first sees.

Files go to a throwaway MEDIA_ROOT (the autouse ``_media_in_tmp`` fixture of tests/conftest.py).
"""

from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from catalog.models import Product, ProductImage
from collectives import demo_data
from collectives.management.commands import seed_demo
from collectives.models import Collective, Membership, Organiser
from merchants.models import Closure, Merchant, MerchantMember, OpeningHours, Story, StoryImage

VILLENEUVE = "Les Commerçants de Villeneuve"


def _row_counts() -> dict[str, int]:
    models = (
        User, EmailAddress, Merchant, MerchantMember, OpeningHours, Closure, Product,
        ProductImage, Collective, Organiser, Membership, Story, StoryImage,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def _stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_loads_a_working_town_and_a_second_run_creates_nothing():
    output = _seed()

    collective = Collective.objects.get(name=VILLENEUVE)
    assert collective.status == Collective.Status.ACTIVE
    active = Membership.objects.filter(collective=collective, status=Membership.Status.ACTIVE)
    assert active.count() >= 10
    assert not active.exclude(merchant__status=Merchant.Status.ACTIVE).exists()
    assert Product.objects.published().for_collective(collective).count() >= 120
    # The rest of the story a demo tells: a request waiting, a draft shop, an upcoming closure,
    # products sold out, a second collective sharing a shop.
    assert Membership.objects.filter(collective=collective, status="requested").count() == 1
    assert Merchant.objects.filter(status=Merchant.Status.DRAFT).count() == 1
    assert Closure.objects.filter(starts_on__gt=timezone.localdate()).exists()
    assert Product.objects.published().filter(stock=0).exists()
    assert Collective.objects.active().count() == 2
    assert (
        Membership.objects.filter(merchant__name=demo_data.PRIMEUR.name, status="active").count()
        == 2
    )

    # Every product has a processed photo with its renditions on disk; no raw upload remains.
    assert not Product.objects.filter(images__isnull=True).exists()
    assert not ProductImage.objects.exclude(status=ProductImage.Status.READY).exists()
    files = _stored_files()
    for image in ProductImage.objects.all():
        assert image.alt_text
        assert set(image.renditions) == {str(w) for w in settings.HALLE_IMAGE_RENDITION_WIDTHS}
        assert Path(settings.MEDIA_ROOT, image.image.name) in files
        assert Path(settings.MEDIA_ROOT, image.renditions["320"]["webp"]) in files
    assert not any("originals" in path.parts for path in files)

    # Stories of craft: published, illustrated, telling about the shop's own products.
    stories = Story.objects.published()
    assert stories.count() == len(demo_data.STORIES)
    for story in stories:
        assert story.images.filter(status=StoryImage.Status.READY).exists()
        assert story.products.exists()
        assert not story.products.exclude(merchant=story.merchant).exists()

    # The log-ins the summary prints work, with the e-mail verification allauth requires.
    logins = (
        demo_data.PLATFORM_ADMIN,
        demo_data.ORGANISER,
        demo_data.BOULANGERIE.owner,
        demo_data.CUSTOMER,
    )
    for person in logins:
        user = authenticate(username=person.email, password=demo_data.DEMO_PASSWORD)
        assert user is not None, person.email
        assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
        assert person.email in output
    assert User.objects.get(email=demo_data.PLATFORM_ADMIN.email).is_superuser
    assert demo_data.DEMO_PASSWORD in output

    counts, files = _row_counts(), _stored_files()
    second = _seed()
    assert _row_counts() == counts
    assert _stored_files() == files
    assert "rien, tout existait déjà" in second


@pytest.mark.django_db
def test_seed_demo_leaves_nothing_behind_when_it_fails_halfway(monkeypatch):
    real_image_add = seed_demo.product_image_add
    calls = 0

    def failing_image_add(**kwargs):
        nonlocal calls
        calls += 1
        if calls == 30:
            raise RuntimeError("disk full")
        return real_image_add(**kwargs)

    monkeypatch.setattr(seed_demo, "product_image_add", failing_image_add)

    with pytest.raises(RuntimeError, match="disk full"):
        _seed()

    assert calls == 30
    assert all(count == 0 for count in _row_counts().values()), _row_counts()
    # The covers and photos stored before the failure were deleted with the rollback.
    assert _stored_files() == set()

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
from collectives.models import (
    Collective,
    Event,
    EventOccurrence,
    EventParticipation,
    EventPhoto,
    LineupItem,
    Membership,
    Organiser,
    Registration,
    Selection,
    SelectionItem,
    SelectionPhoto,
)
from merchants.models import Closure, Merchant, MerchantMember, OpeningHours, Story, StoryImage
from orders.models import GroupBuy, Pledge, Reservation, ReservationLine

VILLENEUVE = "Les Commerçants de Villeneuve"


def _row_counts() -> dict[str, int]:
    models = (
        User, EmailAddress, Merchant, MerchantMember, OpeningHours, Closure, Product,
        ProductImage, Collective, Organiser, Membership, Story, StoryImage, Event,
        EventOccurrence, EventParticipation, EventPhoto, LineupItem, Registration, Selection,
        SelectionItem, SelectionPhoto, Reservation, ReservationLine, GroupBuy, Pledge,
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

    # Events: a weekly market with one Saturday cancelled and one moved, a workshop with
    # limited seats and people registered, a live session with its line-up.
    market = Event.objects.get(collective=collective, title="Marché de la halle")
    assert market.status == "published"
    assert market.recurrence.startswith("FREQ=WEEKLY;BYDAY=SA")
    dates = market.occurrences.all()
    assert dates.count() >= 50
    assert {timezone.localtime(d.original_start).weekday() for d in dates} == {5}
    assert dates.filter(status="cancelled").count() == 1
    assert sum(1 for d in dates if d.is_moved) == 1
    assert market.participations.filter(status="accepted").count() == 4
    workshop = Event.objects.get(collective=collective, kind="workshop")
    workshop_date = workshop.occurrences.get()
    assert workshop_date.capacity == 6
    assert (
        workshop_date.seats_taken
        == workshop_date.registrations.filter(status="confirmed").count()
        == 5
    )
    live = Event.objects.get(collective=collective, kind="live")
    assert live.lineup.count() == 5
    assert live.stream_url
    assert not EventPhoto.objects.exclude(status="ready").exists()
    # Two selections, one with a shop's proposal waiting for the organisers.
    selections = Selection.objects.filter(collective=collective, status="published")
    assert selections.count() == 2
    assert SelectionItem.objects.filter(selection__in=selections, status="proposed").count() == 1
    assert not SelectionPhoto.objects.exclude(status="ready").exists()

    # Customers: the bakery's inbox has a reservation at each step, the cheese shop's group
    # buy is close to its first tier, and the demo customer follows what « Mon fil » shows.
    bakery = Merchant.objects.get(name=demo_data.BOULANGERIE.name)
    steps = set(Reservation.objects.filter(merchant=bakery).values_list("status", flat=True))
    assert steps == {"pending", "confirmed", "ready", "collected"}
    group_buy = GroupBuy.objects.get(status="open")
    first_tier = group_buy.tiers.order_by("min_quantity").first()
    assert 0 < first_tier.min_quantity - group_buy.pledged_quantity <= 3
    customer = User.objects.get(email=demo_data.CUSTOMER.email)
    assert customer.follows.filter(collective=collective).exists()

    # A year of figures behind both dashboards.
    from insights.models import CollectiveDay, ShopDay

    days = CollectiveDay.objects.filter(collective=collective).values("day").distinct().count()
    assert days >= 300
    assert ShopDay.objects.filter(merchant=bakery).count() >= 300

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

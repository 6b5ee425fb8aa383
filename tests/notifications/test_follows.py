"""Follow-updates: publishing a product, a story or an event notifies the followers of the
shop (and of its collectives) or of the collective — set-based, in batches, after commit,
in the daily digest by default, and never twice (notifications.services.follows)."""

import pytest

from catalog.services import product_publish
from collectives.models import Follow
from collectives.services.events import event_publish
from merchants.services.stories import story_publish
from notifications import tasks
from notifications.models import Notification
from notifications.services import follows
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fan_out(monkeypatch):
    """The fan-out tasks run at once, as the worker would run them; their calls recorded."""
    calls: list[tuple] = []

    def run(args=(), countdown=None, **options):
        calls.append(args)
        tasks.notify_followers(*args)

    monkeypatch.setattr(tasks.notify_followers, "apply_async", run)
    return calls


@pytest.fixture
def shop_owner():
    member = MerchantMemberFactory(role="owner")
    return member


def follow(user, *, merchant=None, collective=None):
    return Follow.objects.create(user=user, merchant=merchant, collective=collective)


def test_a_published_product_reaches_every_follower_once_in_the_digest(
    shop_owner, fan_out, django_capture_on_commit_callbacks
):
    shop = shop_owner.merchant
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=shop, status="active")
    both = UserFactory()
    follow(both, merchant=shop)
    follow(both, collective=collective)  # follows both: told once
    of_shop, of_collective = UserFactory(), UserFactory()
    follow(of_shop, merchant=shop)
    follow(of_collective, collective=collective)
    follow(UserFactory(), merchant=ProductFactory().merchant)  # another shop's follower
    product = ProductFactory(merchant=shop, status="draft", published_at=None, title="Tomme")
    with django_capture_on_commit_callbacks(execute=True):
        product_publish(actor=shop_owner.user, product=product)
    notifications = Notification.objects.filter(kind="follow.new_product")
    assert sorted(n.recipient_id for n in notifications) == sorted(
        [both.pk, of_shop.pk, of_collective.pk]
    )
    assert {n.email_status for n in notifications} == {"digest"}
    first = notifications.first()
    assert first.link == product.get_absolute_url()
    assert first.context["object_id"] == product.pk
    assert "Tomme" in first.summary


def test_nothing_is_queued_when_the_publication_rolls_back(shop_owner, fan_out):
    follow(UserFactory(), merchant=shop_owner.merchant)
    product = ProductFactory(merchant=shop_owner.merchant, status="draft", published_at=None)
    product_publish(actor=shop_owner.user, product=product)  # the test's transaction never commits
    assert fan_out == []
    assert not Notification.objects.exists()


def test_followers_are_notified_in_batches_and_a_duplicate_task_adds_nothing(
    shop_owner, fan_out, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(follows, "BATCH", 2)
    people = [UserFactory() for _ in range(5)]
    for person in people:
        follow(person, merchant=shop_owner.merchant)
    story = StoryFactory(merchant=shop_owner.merchant, status="draft", published_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        story_publish(actor=shop_owner.user, story=story)
    assert len(fan_out) == 3  # 2 + 2 + 1
    assert Notification.objects.filter(kind="follow.new_story").count() == 5
    for args in list(fan_out):  # the broker delivers every batch again
        tasks.notify_followers(*args)
    with django_capture_on_commit_callbacks(execute=True):  # published again
        story_publish(actor=shop_owner.user, story=story)
    assert Notification.objects.filter(kind="follow.new_story").count() == 5


def test_a_published_event_reaches_the_collectives_followers(
    fan_out, django_capture_on_commit_callbacks
):
    organiser = OrganiserFactory()
    person = UserFactory(preferred_language="en")
    follow(person, collective=organiser.collective)
    event = EventFactory(collective=organiser.collective, status="draft", title="Marché de nuit")
    with django_capture_on_commit_callbacks(execute=True):
        event_publish(actor=organiser.user, event=event)
    [notification] = Notification.objects.filter(recipient=person)
    assert notification.kind == "follow.new_event"
    assert notification.summary.endswith("Marché de nuit")
    assert notification.link == event.get_absolute_url()

"""A shop's side of events in « Mon commerce »: the events its collectives ask it to take part
in (with their dates and place), its answer, who may answer, and a query count that does
not grow with the events."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collectives.models import EventParticipation
from collectives.services.events import event_create, occurrence_cancel
from tests.factories import (
    EventFactory,
    EventParticipationFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OrganiserFactory,
)

pytestmark = pytest.mark.django_db


def url(name, merchant, *args):
    return reverse(f"shop_events:{name}", args=[merchant.slug, *args])


def invite(shop, **event_fields):
    """An invitation of ``shop`` to an event of a collective it is a member of."""
    event = EventFactory(**event_fields)
    MembershipFactory(collective=event.collective, merchant=shop)
    return EventParticipationFactory(merchant=shop, event=event)


def test_the_shop_sees_its_invitations_events_to_come_first(client, owner):
    later = invite(owner.shop, starts_at=timezone.now() + dt.timedelta(days=20), title="Plus tard")
    sooner = invite(owner.shop, starts_at=timezone.now() + dt.timedelta(days=3), title="Bientôt")
    over = invite(owner.shop, starts_at=timezone.now() - dt.timedelta(days=3), title="Passé")
    invite(MerchantFactory())  # another shop's invitation
    client.force_login(owner)
    response = client.get(url("list", owner.shop))
    assert response.status_code == 200
    events = response.context["events"]
    assert list(events.upcoming) == [sooner, later]
    assert list(events.past) == [over]
    html = response.content.decode()
    assert "Halle aux grains" in html  # the place
    assert html.count('data-action="accept"') == 2  # nothing to answer for a past event


def test_a_recurring_event_shows_its_next_dates_that_take_place(client, owner):
    organiser = OrganiserFactory()
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    market = event_create(
        actor=organiser.user,
        collective=organiser.collective,
        title="Marché",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=5),
        recurrence="FREQ=WEEKLY",
        place_name="Place de la Halle",
    )
    first, second, third, fourth = market.occurrences.order_by("starts_at")[:4]
    occurrence_cancel(actor=organiser.user, occurrence=second)
    EventParticipation.objects.create(event=market, merchant=owner.shop)
    client.force_login(owner)
    participation = client.get(url("list", owner.shop)).context["events"].upcoming[0]
    assert participation.event.next_dates == [first, third, fourth]


def test_the_owner_accepts_then_declines_an_invitation(client, owner):
    participation = invite(owner.shop)
    client.force_login(owner)
    response = client.post(url("answer", owner.shop, participation.pk), {"accept": "1"})
    assert response.url == url("list", owner.shop)
    participation.refresh_from_db()
    assert participation.status == EventParticipation.Status.ACCEPTED
    client.post(url("answer", owner.shop, participation.pk), {"accept": "0"})
    participation.refresh_from_db()
    assert participation.status == EventParticipation.Status.DECLINED
    assert participation.answered_at is not None


def test_a_shop_that_left_the_collective_cannot_say_yes(client, owner):
    participation = invite(owner.shop)
    participation.event.collective.memberships.update(status="left", left_at=timezone.now())
    client.force_login(owner)
    response = client.post(
        url("answer", owner.shop, participation.pk), {"accept": "1"}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    participation.refresh_from_db()
    assert participation.status == EventParticipation.Status.INVITED


def test_an_answer_must_say_yes_or_no(client, owner):
    participation = invite(owner.shop)
    client.force_login(owner)
    response = client.post(url("answer", owner.shop, participation.pk), {"accept": "peut-être"})
    assert response.status_code == 400
    participation.refresh_from_db()
    assert participation.status == EventParticipation.Status.INVITED


def test_another_shops_invitation_answers_404(client, owner):
    other = invite(MerchantFactory())
    client.force_login(owner)
    response = client.post(url("answer", owner.shop, other.pk), {"accept": "1"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == EventParticipation.Status.INVITED


def test_staff_see_the_invitations_but_only_owners_answer(client, owner):
    participation = invite(owner.shop)
    staff = MerchantMemberFactory(merchant=owner.shop, role="staff").user
    client.force_login(staff)
    response = client.get(url("list", owner.shop))
    assert response.status_code == 200
    assert response.context["is_owner"] is False
    assert 'data-action="accept"' not in response.content.decode()
    response = client.post(url("answer", owner.shop, participation.pk), {"accept": "1"})
    assert response.status_code == 403
    participation.refresh_from_db()
    assert participation.status == EventParticipation.Status.INVITED


def test_someone_outside_the_shop_gets_404(client, owner):
    client.force_login(MerchantMemberFactory().user)
    assert client.get(url("list", owner.shop)).status_code == 404


def test_the_list_query_count_does_not_grow_with_events(client, owner):
    client.force_login(owner)

    def add(n):
        for i in range(n):
            days = 3 + i if i % 4 else -3 - i
            invite(owner.shop, starts_at=timezone.now() + dt.timedelta(days=days))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("list", owner.shop)).status_code == 200
        return len(queries)

    add(3)
    small = count()
    add(27)
    assert count() == small

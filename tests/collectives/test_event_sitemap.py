"""The sitemap lists the events and selections the public can see, and nothing else."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import CollectiveFactory, EventFactory, SelectionFactory

pytestmark = pytest.mark.django_db


def sitemap(client) -> str:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return response.content.decode()


def test_published_events_with_a_date_to_come_are_listed_in_both_languages(client):
    event = EventFactory()
    content = sitemap(client)
    assert f"/collectifs/{event.collective.slug}/evenements/{event.slug}/" in content
    assert f"/en/collectifs/{event.collective.slug}/evenements/{event.slug}/" in content
    assert f"/collectifs/{event.collective.slug}/evenements/</loc>" in content


def test_drafts_past_events_and_events_of_draft_collectives_are_not_listed(client):
    yesterday = timezone.now() - dt.timedelta(days=1)
    draft = EventFactory(status="draft", published_at=None)
    past = EventFactory(starts_at=yesterday - dt.timedelta(hours=2), ends_at=yesterday)
    hidden = EventFactory(collective=CollectiveFactory(status="draft"))
    content = sitemap(client)
    for event in (draft, past, hidden):
        assert f"/evenements/{event.slug}/" not in content


def test_only_selections_shown_now_are_listed(client):
    shown = SelectionFactory()
    draft = SelectionFactory(status="draft")
    over = SelectionFactory(
        visible_from=timezone.now() - dt.timedelta(days=9),
        visible_until=timezone.now() - dt.timedelta(days=1),
    )
    content = sitemap(client)
    assert f"/collectifs/{shown.collective.slug}/selections/{shown.slug}/" in content
    assert f"/selections/{draft.slug}/" not in content
    assert f"/selections/{over.slug}/" not in content

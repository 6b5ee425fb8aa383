"""The in-app inbox: the list (its query count constant), marking read one or all, the
unread count fragment the bell fetches with htmx, and the bell in the site header
(notifications.views.inbox)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

INBOX = "/en/notifications/"


@pytest.fixture
def person(client):
    user = UserFactory()
    client.force_login(user)
    return user


def queries_for_inbox(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(INBOX).status_code == 200
    return len(captured)


def test_the_inbox_reads_a_constant_number_of_queries(client, person):
    """3 or 30 notifications: the same queries (session, user, count, page)."""
    NotificationFactory.create_batch(3, recipient=person)
    few = queries_for_inbox(client)
    NotificationFactory.create_batch(27, recipient=person)
    many = queries_for_inbox(client)
    assert few == many <= 4


def test_the_inbox_shows_only_the_persons_notifications_newest_first(client, person):
    older = NotificationFactory(recipient=person, summary="Older news")
    newer = NotificationFactory(recipient=person, summary="Newer news", link="/boutiques/dupuy/")
    NotificationFactory(summary="Somebody else's")
    page = client.get(INBOX)
    assert [n.pk for n in page.context["notifications"]] == [newer.pk, older.pk]
    content = page.content.decode()
    assert "Somebody else" not in content
    assert 'href="/en/boutiques/dupuy/"' in content  # the link in the page's language


def test_the_inbox_needs_a_log_in(client):
    assert client.get(reverse("notifications:inbox")).status_code == 302


def test_marking_one_read(client, person):
    notification = NotificationFactory(recipient=person)
    answer = client.post(reverse("notifications:mark_read", args=[notification.pk]))
    assert answer.status_code == 302
    notification.refresh_from_db()
    first = notification.read_at
    assert first is not None
    client.post(reverse("notifications:mark_read", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at == first  # reading again keeps the first time


def test_marking_read_with_htmx_re_renders_the_entry(client, person):
    notification = NotificationFactory(recipient=person)
    answer = client.post(
        reverse("notifications:mark_read", args=[notification.pk]), headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200
    assert 'data-read="true"' in answer.content.decode()


def test_opening_marks_read_and_goes_to_the_page(client, person):
    notification = NotificationFactory(recipient=person, link="/boutiques/fromagerie-dupuy/")
    answer = client.post(reverse("notifications:mark_read", args=[notification.pk]), {"open": "1"})
    assert answer["Location"] == "/boutiques/fromagerie-dupuy/"


def test_someone_elses_notification_is_a_404(client, person):
    other = NotificationFactory()
    assert client.post(reverse("notifications:mark_read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_marking_all_read(client, person):
    NotificationFactory.create_batch(3, recipient=person)
    theirs = NotificationFactory()
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=person, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_unread_count_fragment(client, person):
    url = reverse("notifications:unread")
    assert 'data-unread="0"' in client.get(url).content.decode()
    NotificationFactory.create_batch(2, recipient=person)
    NotificationFactory(recipient=person, read_at="2026-01-01T00:00:00Z")
    answer = client.get(url)
    assert 'data-unread="2"' in answer.content.decode()
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]
    client.logout()
    assert 'data-unread="0"' in client.get(url).content.decode()


def test_the_bell_is_in_the_site_header_for_a_logged_in_person(client, person):
    page = client.get("/en/").content.decode()
    # notifications-bell.js makes it an htmx element once the page has loaded.
    assert f'data-bell-count data-src="{reverse("notifications:unread")}"' in page
    assert 'href="/en/notifications/"' in page
    client.logout()
    assert "notifications:unread" not in client.get("/en/").content.decode()
    assert "/notifications/non-lues/" not in client.get("/en/").content.decode()

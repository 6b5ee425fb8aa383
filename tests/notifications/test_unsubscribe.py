"""One-click unsubscribing: a signed link works without logging in (RFC 8058: a POST with
no session and no CSRF token) and cannot be forged or bent to another person or topic
(notifications.unsubscribe, notifications.views.unsubscribe)."""

import pytest
from django.core import signing
from django.test import Client

from notifications.models import Notification, Preference
from notifications.selectors.preferences import opted_out_of_newsletter
from notifications.services.notify import notify
from notifications.unsubscribe import (
    read_unsubscribe_token,
    unsubscribe_token,
    unsubscribe_url,
)
from tests.factories import CollectiveFactory, UserFactory

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def csrf_client():
    """A client that enforces CSRF like a browser-less mail client would meet it."""
    return Client(enforce_csrf_checks=True)


def test_a_token_names_the_person_and_the_topic():
    person = UserFactory()
    assert read_unsubscribe_token(unsubscribe_token(person, "event.reminder")) == (
        person.pk,
        "event.reminder",
    )
    assert read_unsubscribe_token(unsubscribe_token(person, "newsletter:12")) == (
        person.pk,
        "newsletter:12",
    )
    with pytest.raises(ValueError, match="Not an unsubscribe topic"):
        unsubscribe_token(person, "newsletter:<script>")


def test_a_tampered_token_is_refused():
    person, other = UserFactory(), UserFactory()
    token = unsubscribe_token(person, "all")
    value, signature = token.rsplit(":", 1)
    forged_value = signing.Signer().sign_object({"u": other.pk, "t": "all"}, compress=True)
    assert read_unsubscribe_token(value + ":" + signature[:-2] + "xx") is None
    assert read_unsubscribe_token(forged_value.rsplit(":", 1)[0] + ":" + signature) is None
    # Signed with the secret key but without this salt (another feature's value): refused.
    assert read_unsubscribe_token(forged_value) is None
    assert read_unsubscribe_token("nonsense") is None


def test_the_url_is_absolute_and_in_the_persons_language(settings):
    english = UserFactory(preferred_language="en")
    url = unsubscribe_url(english, "all")
    assert url.startswith(settings.SITE_URL + "/en/notifications/desabonnement/")
    assert unsubscribe_url(UserFactory(), "all").startswith(
        settings.SITE_URL + "/notifications/desabonnement/"
    )


def test_one_click_works_without_logging_in_and_without_csrf(csrf_client):
    """What a mail client does with List-Unsubscribe-Post: POST, no cookie, no token."""
    person = UserFactory()
    url = path_of(unsubscribe_url(person, "event.reminder"))
    answer = csrf_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert Preference.objects.get(user=person, kind="event.reminder").mode == "off"
    # From now on the reminders stay in the inbox only.
    notification = notify(recipient=person, kind="event.reminder", context={})
    assert notification.email_status == Notification.EmailStatus.SKIPPED
    # Twice is harmless.
    assert csrf_client.post(url).status_code == 200
    assert Preference.objects.filter(user=person).count() == 1


def test_the_link_opened_in_a_browser_asks_first(client):
    person = UserFactory()
    url = path_of(unsubscribe_url(person, "follow.new_story"))
    page = client.get(url)
    assert page.status_code == 200
    assert b'method="post"' in page.content
    assert not Preference.objects.exists()  # a GET changes nothing (link scanners)


def test_a_forged_link_is_refused_and_changes_nothing(csrf_client):
    person = UserFactory()
    url = path_of(unsubscribe_url(person, "all"))
    forged = url[:-4] + ("AAA/" if not url.endswith("AAA/") else "BBB/")
    assert csrf_client.post(forged).status_code == 404
    assert csrf_client.get(forged).status_code == 404
    assert not Preference.objects.exists()


def test_a_newsletter_link_stops_that_collectives_newsletter_only(csrf_client):
    collective, other = CollectiveFactory(), CollectiveFactory()
    person = UserFactory()
    csrf_client.post(path_of(unsubscribe_url(person, f"newsletter:{collective.pk}")))
    assert list(opted_out_of_newsletter(collective.pk)) == [person.pk]
    assert list(opted_out_of_newsletter(other.pk)) == []


def test_all_stops_newsletters_and_non_essential_kinds_but_not_transactional_ones(csrf_client):
    person = UserFactory()
    csrf_client.post(path_of(unsubscribe_url(person, "all")))
    assert list(opted_out_of_newsletter(CollectiveFactory().pk)) == [person.pk]
    assert notify(recipient=person, kind="groupbuy.tier_reached").email_status == "skipped"
    assert notify(recipient=person, kind="reservation.ready").email_status == "pending"


def test_the_digest_link_turns_off_what_came_in_the_digest(csrf_client):
    person = UserFactory()
    Preference.objects.create(user=person, kind="event.reminder", mode="digest")
    csrf_client.post(path_of(unsubscribe_url(person, "digest")))
    modes = dict(Preference.objects.filter(user=person).values_list("kind", "mode"))
    assert modes["event.reminder"] == "off"
    assert modes["follow.new_product"] == modes["follow.new_event"] == "off"
    assert "groupbuy.tier_reached" not in modes  # it came straight away: untouched


def test_a_transactional_kind_cannot_be_unsubscribed(csrf_client):
    person = UserFactory()
    csrf_client.post(path_of(unsubscribe_url(person, "reservation.ready")))
    assert not Preference.objects.filter(user=person).exists()

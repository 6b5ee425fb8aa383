"""« Mon compte » pages: log-in required; each shows the actor's own data only; the overview
costs the same number of queries for 2 or 20 items of each kind; the settings form shows a
French error next to a bad address and keeps what was typed; the export downloads a JSON
file of the person's data; deletion is confirmed with the password, refused with its
reasons for a sole owner, and logs the person out for good."""

import datetime as dt
import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from collectives.models import Follow, Registration
from collectives.services.registrations import registration_create
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MerchantFactory,
    MerchantMemberFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.orders.factories import PledgeFactory, ReservationFactory, ReservationLineFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

OVERVIEW = reverse("account:overview")
SETTINGS = reverse("account:settings")
EXPORT = reverse("account:export")
DELETE = reverse("account:delete")


def english(url: str) -> str:
    return "/en" + url


@pytest.fixture
def person(client):
    user = UserFactory(email="marie@example.org", display_name="Marie L.")
    client.force_login(user)
    return user


def _items(user, count: int) -> None:
    """``count`` reservations (with a line), pledges, registrations and follows of ``user``."""
    for _n in range(count):
        reservation = ReservationFactory(customer=user)
        ReservationLineFactory(reservation=reservation)
        PledgeFactory(customer=user)
        RegistrationFactory(user=user, occurrence=EventFactory().occurrences.get())
        Follow.objects.create(user=user, merchant=MerchantFactory())
        Follow.objects.create(user=user, collective=CollectiveFactory())


@pytest.mark.parametrize("url", [OVERVIEW, SETTINGS, EXPORT, DELETE])
def test_account_pages_require_log_in(client, url):
    """Rule: every account page is for the logged-in person; a visitor is sent to log in."""
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(url).status_code == 302


def test_overview_shows_only_the_actors_own_data(client, person):
    """Rule: the overview lists the person's reservations (with their codes), pledges,
    registrations and follows — and nobody else's."""
    mine = ReservationFactory(customer=person, merchant=MerchantFactory(name="Fromagerie"))
    theirs = ReservationFactory(merchant=mine.merchant)
    PledgeFactory(customer=person, group_buy__product__title="Miel de châtaignier")
    PledgeFactory(group_buy__product__title="Confiture d'autrui")
    RegistrationFactory(
        user=person, occurrence=EventFactory(title="Atelier pain").occurrences.get()
    )
    RegistrationFactory(occurrence=EventFactory(title="Atelier secret").occurrences.get())
    Follow.objects.create(user=person, collective=CollectiveFactory(name="Bastide"))
    Follow.objects.create(user=UserFactory(), collective=CollectiveFactory(name="Autre ville"))

    response = client.get(english(OVERVIEW))

    page = response.content.decode()
    assert response.status_code == 200
    for shown in (mine.code, "Fromagerie", "Miel de châtaignier", "Atelier pain", "Bastide"):
        assert shown in page
    for hidden in (theirs.code, "Confiture d&#x27;autrui", "Atelier secret", "Autre ville"):
        assert hidden not in page


def test_overview_lists_upcoming_registrations_first(client, person):
    """Rule: the dates to come come first, soonest first; past ones after."""
    now = timezone.now()
    for title, days in (("Passé", -3), ("Dans dix jours", 10), ("Demain", 1)):
        event = EventFactory(
            title=title, starts_at=now + dt.timedelta(days=days), registration_open=True
        )
        RegistrationFactory(user=person, occurrence=event.occurrences.get())

    page = client.get(OVERVIEW).content.decode()

    assert page.index("Demain") < page.index("Dans dix jours") < page.index("Passé")


def test_overview_queries_are_constant(client, person, django_assert_max_num_queries):
    """Rule: the overview's number of queries does not grow with the number of items."""
    _items(person, 2)
    with django_assert_max_num_queries(8) as small:
        assert client.get(OVERVIEW).status_code == 200
    _items(person, 18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert response.content.decode().count('class="pickup-code"') == 20


def test_overview_offers_unfollow_buttons(client, person):
    """Rule: each follow can be stopped from the account page (a POST form back to it)."""
    shop = MerchantFactory(slug="fromagerie")
    Follow.objects.create(user=person, merchant=shop)

    page = client.get(OVERVIEW).content.decode()

    assert f'action="{reverse("follows:unfollow_shop", kwargs={"slug": "fromagerie"})}"' in page


# --- Settings ------------------------------------------------------------------------------


def test_settings_are_saved(client, person):
    """Rule: the person changes their name, language and notification address."""
    response = client.post(
        SETTINGS,
        {
            "display_name": "Marie Lefèvre",
            "preferred_language": "en",
            "notification_email": "avis@example.org",
        },
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.display_name, person.preferred_language, person.notification_email) == (
        "Marie Lefèvre",
        "en",
        "avis@example.org",
    )


def test_settings_refuse_a_bad_email_in_french_and_keep_the_input(client, person):
    """Rule: a bad notification address gets a French error next to its field; what was
    typed is kept and nothing is saved."""
    response = client.post(
        SETTINGS,
        {
            "display_name": "Marie Lefèvre",
            "preferred_language": "fr",
            "notification_email": "marie-at-example",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Saisissez une adresse e-mail valide." in page
    assert 'value="marie-at-example"' in page
    assert 'value="Marie Lefèvre"' in page
    person.refresh_from_db()
    assert person.display_name == "Marie L."
    assert person.notification_email == ""


# --- Export --------------------------------------------------------------------------------


def test_export_page_then_download(client, person):
    """Rule: GET explains; POST downloads the person's data as a dated JSON file."""
    mine = ReservationFactory(customer=person)
    theirs = ReservationFactory(merchant=mine.merchant)

    assert client.get(EXPORT).status_code == 200
    response = client.post(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="halle-mes-donnees-{day}.json"'
    )
    data = json.loads(response.content)
    assert data["profile"]["email"] == "marie@example.org"
    assert [r["code"] for r in data["reservations"]] == [mine.code]
    assert theirs.code not in response.content.decode()


# --- Deletion ------------------------------------------------------------------------------


def test_delete_page_explains_and_asks_for_the_password(client, person):
    """Rule: the confirmation page says what is erased and what shops keep, and asks for
    the password."""
    page = client.get(english(DELETE)).content.decode()

    assert "What shops keep" in page
    assert 'type="password"' in page


def test_a_wrong_password_deletes_nothing(client, person):
    """Rule: without the right password, nothing happens."""
    response = client.post(DELETE, {"secret": "not my password"})

    assert response.status_code == 200
    assert User.objects.filter(pk=person.pk).exists()
    assert client.session.get(SESSION_KEY) == str(person.pk)


def test_deletion_logs_out_for_good_and_frees_the_address(client, person):
    """Rule: after deletion the person is logged out, cannot log in again, and the address
    can sign up anew; their registrations are gone."""
    registration_create(actor=person, occurrence=EventFactory(capacity=5).occurrences.get())

    response = client.post(DELETE, {"secret": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("collectives:home")
    assert SESSION_KEY not in client.session
    assert not User.objects.filter(email="marie@example.org").exists()
    assert not Registration.objects.filter(user_id=person.pk).exists()
    assert client.get(OVERVIEW).status_code == 302
    assert not client.login(email="marie@example.org", password=PASSWORD)
    signup = client.post(
        reverse("account_signup"),
        {
            "email": "marie@example.org",
            "password1": "Une autre phrase 42",
            "password2": "Une autre phrase 42",
        },
    )
    assert signup.status_code == 302
    assert User.objects.filter(email="marie@example.org").exists()


def test_a_sole_owner_sees_why_and_cannot_delete(client, person):
    """Rule: the only owner of an active shop is told to hand it over first; the form is not
    offered and a POST changes nothing."""
    MerchantMemberFactory(user=person, merchant=MerchantFactory(name="Chez Marie"), role="owner")

    page = client.get(DELETE).content.decode()
    response = client.post(DELETE, {"secret": PASSWORD})

    assert "Chez Marie" in page
    assert 'id="deletion-refusals"' in page
    assert 'name="secret"' not in page
    assert response.status_code == 200
    assert "Chez Marie" in response.content.decode()
    assert User.objects.filter(pk=person.pk).exists()
    assert client.session.get(SESSION_KEY) == str(person.pk)


def test_an_account_without_password_confirms_with_its_email(client):
    """Rule: an account with no usable password (made by the platform) confirms by typing
    its e-mail address."""
    user = UserFactory(email="sans@example.org")
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    assert client.post(DELETE, {"secret": "autre@example.org"}).status_code == 200
    assert User.objects.filter(pk=user.pk).exists()
    assert client.post(DELETE, {"secret": "Sans@Example.org"}).status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()

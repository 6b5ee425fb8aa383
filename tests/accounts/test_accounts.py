"""Accounts: e-mail is the login, verification is mandatory, passwords can be reset."""

import re

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_stored_lower_case_and_is_the_login():
    user = User.objects.create_user("Marie.Durand@Example.ORG", "un mot de passe solide")
    assert user.email == "marie.durand@example.org"
    assert authenticate(email="marie.durand@example.org", password="un mot de passe solide")


def test_email_is_unique_whatever_its_case():
    UserFactory(email="jean@example.org")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="JEAN@example.org")])


def test_user_has_no_username_field():
    assert not hasattr(User, "username")
    assert User.USERNAME_FIELD == "email"


def _signup(client, email="claire@example.org", display_name="Claire B."):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": "des-fraises-au-marché",
            "password2": "des-fraises-au-marché",
            "display_name": display_name,
            "preferred_language": "fr",
        },
    )


def test_signup_requires_email_verification_before_login(client):
    response = _signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="claire@example.org")
    assert user.display_name == "Claire B."
    assert len(mail.outbox) == 1
    # Not logged in yet: the account page sends back to log-in / verification.
    login = client.post(
        reverse("account_login"),
        {"login": "claire@example.org", "password": "des-fraises-au-marché"},
    )
    assert "_auth_user_id" not in client.session
    assert login.status_code in (200, 302)

    link = re.search(r"https?://[^\s]+/confirm-email/[^\s]+", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    confirm = client.post("/" + path)
    assert confirm.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_signup_form_errors_are_in_french_and_nothing_is_created(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "nouveau@example.org", "password1": "abc", "password2": "abc"},
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in response.content.decode()
    assert not User.objects.filter(email="nouveau@example.org").exists()


def test_signup_with_a_taken_email_does_not_reveal_the_account(client):
    """Account enumeration protection: the form looks successful, the owner gets an e-mail."""
    UserFactory(email="pris@example.org")
    response = _signup(client, email="pris@example.org")
    assert response.status_code == 302
    assert User.objects.filter(email="pris@example.org").count() == 1
    assert mail.outbox[0].to == ["pris@example.org"]


def test_signup_keeps_the_browsing_language_when_none_is_chosen(client):
    client.post(
        "/en/compte/signup/",
        {
            "email": "anna@example.org",
            "password1": "des-fraises-au-marché",
            "password2": "des-fraises-au-marché",
        },
    )
    assert User.objects.get(email="anna@example.org").preferred_language == "en"


def test_password_reset_sends_a_link(client):
    UserFactory(email="paul@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "paul@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "paul@example.org" in mail.outbox[0].to
    assert "/password/reset/key/" in mail.outbox[0].body


def test_logout_is_a_post(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

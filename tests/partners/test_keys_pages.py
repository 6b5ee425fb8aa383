"""Partner keys: the organisers' pages (list, create — the secret shown once and only its hash
stored —, revoke; another collective's keys out of reach), the services' rules (sites,
rates, who may create which key) and the admin's platform keys."""

import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from partners.models import PartnerKey
from partners.services.keys import normalise_origin, partner_key_create, partner_key_revoke
from tests.factories import CollectiveFactory, OrganiserFactory, UserFactory
from tests.partners.factories import PartnerKeyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client):
    seat = OrganiserFactory(role="organiser")
    client.force_login(seat.user)
    return seat


def page(name, collective, *args):
    return reverse(f"organiser_partners:{name}", args=[collective.slug, *args])


def secret_in(content: bytes) -> str:
    return re.search(r'id="new-key-secret" value="([^"]+)"', content.decode()).group(1)


def test_an_organiser_creates_a_key_shown_once_and_stored_hashed(client, organiser):
    collective = organiser.collective
    response = client.post(
        page("key_create", collective),
        {
            "name": "Site de la mairie",
            "allowed_origins": "https://www.mairie-exemple.fr/\nHTTPS://Office-Tourisme.example",
            "rate_per_minute": "120",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = secret_in(response.content)
    key = PartnerKey.objects.get()
    assert (key.collective, key.created_by, key.rate_per_minute) == (
        collective,
        organiser.user,
        120,
    )
    assert key.allowed_origins == [
        "https://www.mairie-exemple.fr",
        "https://office-tourisme.example",
    ]
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(key.prefix)
    assert secret not in {key.prefix, key.key_hash, key.name}
    # The list shows the key by its prefix, never the secret again.
    listing = client.get(page("keys", collective)).content.decode()
    assert key.prefix in listing
    assert secret not in listing
    # And the secret works.
    api = client.get(reverse("api:collective_list"), HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert api.status_code == 200


def test_bad_sites_and_rates_are_refused_next_to_their_fields(client, organiser):
    response = client.post(
        page("key_create", organiser.collective),
        {"name": "Journal", "allowed_origins": "mairie.fr/agenda", "rate_per_minute": "5000"},
    )
    assert response.status_code == 200
    assert not PartnerKey.objects.exists()
    form = response.context["form"]
    assert "rate_per_minute" in form.errors
    response = client.post(
        page("key_create", organiser.collective),
        {"name": "Journal", "allowed_origins": "https://mairie.fr/agenda", "rate_per_minute": "60"},
    )
    assert "allowed_origins" in response.context["form"].errors
    assert 'value="Journal"' in response.content.decode()  # nothing typed is lost
    assert not PartnerKey.objects.exists()


def test_an_organiser_revokes_a_key_and_it_stops_working(client, organiser):
    key = PartnerKeyFactory(collective=organiser.collective)
    response = client.post(page("key_revoke", organiser.collective, key.pk))
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    api = client.get(reverse("api:collective_list"), HTTP_AUTHORIZATION=f"Api-Key {key.plaintext}")
    assert api.status_code == 401
    listing = client.get(page("keys", organiser.collective)).content.decode()
    assert 'data-status="revoked"' in listing


def test_revoking_needs_a_post(client, organiser):
    key = PartnerKeyFactory(collective=organiser.collective)
    assert client.get(page("key_revoke", organiser.collective, key.pk)).status_code == 405


def test_another_collectives_keys_are_out_of_reach(client, organiser):
    other = CollectiveFactory()
    theirs = PartnerKeyFactory(collective=other)
    platform = PartnerKeyFactory(collective=None)
    assert client.get(page("keys", other)).status_code == 404
    assert client.post(page("key_create", other), {"name": "x"}).status_code == 404
    for key in (theirs, platform):
        response = client.post(page("key_revoke", organiser.collective, key.pk))
        assert response.status_code == 404
        key.refresh_from_db()
        assert key.revoked_at is None
    listing = client.get(page("keys", organiser.collective)).content.decode()
    assert theirs.prefix not in listing
    assert platform.prefix not in listing


def test_visitors_and_customers_do_not_reach_the_keys(client):
    collective = CollectiveFactory()
    assert client.get(page("keys", collective)).status_code == 302  # to the log-in page
    client.force_login(UserFactory())
    assert client.get(page("keys", collective)).status_code == 404


def test_the_list_of_keys_reads_a_constant_number_of_queries(
    client, organiser, django_assert_max_num_queries
):
    counts = []
    for size in (2, 12):
        PartnerKey.objects.all().delete()
        for n in range(size):
            PartnerKeyFactory(collective=organiser.collective, allowed_origins=[f"https://s{n}.fr"])
        with django_assert_max_num_queries(8) as captured:
            response = client.get(page("keys", organiser.collective))
        assert response.status_code == 200
        assert response.content.decode().count("data-key=") == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- Services ------------------------------------------------------------------------------


def test_only_platform_staff_create_platform_keys():
    organiser = OrganiserFactory()
    with pytest.raises(PermissionDenied):
        partner_key_create(actor=organiser.user, collective=None, name="Partout")
    staff = UserFactory(is_staff=True)
    key, _secret = partner_key_create(actor=staff, collective=None, name="Partout", rate=5000)
    assert key.collective is None
    assert key.rate_per_minute == 5000


def test_organisers_create_keys_for_their_collective_only():
    organiser = OrganiserFactory()
    with pytest.raises(PermissionDenied):
        partner_key_create(actor=organiser.user, collective=CollectiveFactory(), name="Ailleurs")
    with pytest.raises(ValidationError) as caught:
        partner_key_create(
            actor=organiser.user, collective=organiser.collective, name="Trop", rate=601
        )
    assert "rate_per_minute" in caught.value.error_dict


def test_revoking_twice_changes_nothing_and_others_may_not():
    organiser = OrganiserFactory()
    key, _secret = partner_key_create(
        actor=organiser.user, collective=organiser.collective, name="Mairie"
    )
    with pytest.raises(PermissionDenied):
        partner_key_revoke(actor=UserFactory(), key=key)
    revoked = partner_key_revoke(actor=organiser.user, key=key)
    again = partner_key_revoke(actor=organiser.user, key=key)
    assert again.revoked_at == revoked.revoked_at


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://www.mairie.fr/", "https://www.mairie.fr"),
        ("HTTPS://Mairie.FR:443", "https://mairie.fr"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("https://mairie.fr:8443", "https://mairie.fr:8443"),
    ],
)
def test_origins_are_written_as_browsers_send_them(given, expected):
    assert normalise_origin(given) == expected


@pytest.mark.parametrize(
    "given",
    ["mairie.fr", "https://mairie.fr/agenda", "*", "https://*.mairie.fr", "ftp://mairie.fr", ""],
)
def test_what_is_not_an_origin_is_refused(given):
    with pytest.raises(ValidationError):
        normalise_origin(given)


# --- The admin: platform keys --------------------------------------------------------------


def test_platform_staff_create_a_platform_key_in_the_admin_and_see_it_once(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:partners_partnerkey_add"),
        {
            "name": "Office de tourisme",
            "collective": "",
            "allowed_origins_text": "https://tourisme.example",
            "rate_per_minute": "3000",
        },
        follow=True,
    )
    assert response.status_code == 200
    key = PartnerKey.objects.get()
    assert (key.collective, key.rate_per_minute) == (None, 3000)
    assert key.allowed_origins == ["https://tourisme.example"]
    shown = [str(m) for m in response.context["messages"]]
    secrets = [s for m in shown for s in re.findall(r"hk_[\w-]{30,}", m)]
    assert len(secrets) == 1
    assert hashlib.sha256(secrets[0].encode()).hexdigest() == key.key_hash
    change = client.get(reverse("admin:partners_partnerkey_change", args=[key.pk]))
    assert change.status_code == 200
    assert secrets[0] not in change.content.decode()
    assert client.get(reverse("admin:partners_partnerkey_changelist")).status_code == 200


def test_the_admin_revokes_keys(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    key = PartnerKeyFactory(collective=None)
    client.post(
        reverse("admin:partners_partnerkey_changelist"),
        {"action": "revoke_keys", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.revoked_at is not None

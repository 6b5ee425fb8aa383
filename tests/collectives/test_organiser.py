"""The organiser space (who sees what, admin-only actions, members and requests, suspending)
and a shop's side of its memberships in « Mon commerce »."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collectives import services
from collectives.models import Collective, CollectiveInvitation, Membership, Organiser
from tests.factories import (
    CollectiveFactory,
    CollectiveInvitationFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return OrganiserFactory(role="admin", collective=CollectiveFactory(status="draft"))


@pytest.fixture
def organiser(admin):
    return OrganiserFactory(role="organiser", collective=admin.collective)


def url(name, collective, *args):
    return reverse(f"organiser:{name}", args=[collective.slug, *args])


# --- Services: suspending and reinstating --------------------------------------------------


def test_an_organiser_suspends_and_reinstates_an_active_member(organiser):
    membership = MembershipFactory(collective=organiser.collective)
    joined_at = membership.joined_at
    suspended = services.membership_suspend(
        actor=organiser.user, membership=membership, message="Charte non respectée"
    )
    assert suspended.status == Membership.Status.SUSPENDED
    assert suspended.message == "Charte non respectée"
    reinstated = services.membership_reinstate(actor=organiser.user, membership=membership)
    assert reinstated.status == Membership.Status.ACTIVE
    assert reinstated.joined_at == joined_at  # a suspension does not reset the seniority


def test_only_active_members_are_suspended_and_only_suspended_ones_reinstated(organiser):
    requested = MembershipFactory(
        collective=organiser.collective, status="requested", joined_at=None
    )
    with pytest.raises(ValidationError):
        services.membership_suspend(actor=organiser.user, membership=requested)
    active = MembershipFactory(collective=organiser.collective)
    with pytest.raises(ValidationError):
        services.membership_reinstate(actor=organiser.user, membership=active)


def test_only_organisers_suspend(organiser):
    membership = MembershipFactory(collective=organiser.collective)
    with pytest.raises(PermissionDenied):
        services.membership_suspend(actor=UserFactory(), membership=membership)
    owner = MerchantMemberFactory(merchant=membership.merchant, role="owner").user
    with pytest.raises(PermissionDenied):
        services.membership_suspend(actor=owner, membership=membership)


def test_only_admins_edit_the_collective(organiser, admin):
    with pytest.raises(PermissionDenied):
        services.collective_update(
            actor=organiser.user, collective=organiser.collective, charter="Nope"
        )
    services.collective_update(actor=admin.user, collective=admin.collective, charter="Oui")
    admin.collective.refresh_from_db()
    assert admin.collective.charter == "Oui"


def test_a_co_organiser_is_added_by_the_email_of_an_existing_account(admin):
    person = UserFactory(email="paul@example.org")
    organiser = services.organiser_add_by_email(
        actor=admin.user, collective=admin.collective, email="Paul@Example.org"
    )
    assert organiser.user == person
    assert organiser.role == Organiser.Role.ORGANISER
    with pytest.raises(ValidationError) as error:
        services.organiser_add_by_email(
            actor=admin.user, collective=admin.collective, email="nobody@example.org"
        )
    assert "email" in error.value.error_dict


# --- Permissions of the pages --------------------------------------------------------------


ORGANISER_PAGES = ["dashboard", "members", "invite"]
ADMIN_PAGES = ["edit", "organisers"]


@pytest.mark.parametrize("name", ORGANISER_PAGES + ADMIN_PAGES)
def test_a_non_organiser_gets_404(client, admin, name):
    client.force_login(UserFactory())
    assert client.get(url(name, admin.collective)).status_code == 404


@pytest.mark.parametrize("name", ORGANISER_PAGES + ADMIN_PAGES)
def test_a_visitor_is_sent_to_log_in(client, admin, name):
    response = client.get(url(name, admin.collective))
    assert response.status_code == 302
    assert "next=" in response.url


@pytest.mark.parametrize("name", ORGANISER_PAGES)
def test_an_organiser_opens_the_organiser_pages(client, organiser, name):
    client.force_login(organiser.user)
    assert client.get(url(name, organiser.collective)).status_code == 200


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_an_organiser_gets_403_on_admin_pages(client, organiser, admin, name):
    client.force_login(organiser.user)
    assert client.get(url(name, organiser.collective)).status_code == 403
    client.force_login(admin.user)
    assert client.get(url(name, admin.collective)).status_code == 200


def test_an_organiser_cannot_publish(client, organiser):
    client.force_login(organiser.user)
    assert client.post(url("publish", organiser.collective)).status_code == 403
    organiser.collective.refresh_from_db()
    assert organiser.collective.status == Collective.Status.DRAFT


def test_another_collectives_membership_answers_404(client, organiser):
    elsewhere = MembershipFactory()
    client.force_login(organiser.user)
    response = client.post(url("membership_suspend", organiser.collective, elsewhere.pk))
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == Membership.Status.ACTIVE


# --- Pages --------------------------------------------------------------------------------


def test_creating_a_collective_on_the_page(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("organiser:create"),
        {"name": "Cœur de Bastide", "town": "Villeneuve", "description": "", "charter": "C"},
    )
    collective = Collective.objects.get(name="Cœur de Bastide")
    assert response.url == reverse("organiser:dashboard", args=[collective.slug])
    assert collective.status == Collective.Status.DRAFT
    assert client.get(reverse("organiser:index")).context["collectives"][0] == collective


def test_the_admin_publishes_and_edits_the_page(client, admin):
    client.force_login(admin.user)
    client.post(url("publish", admin.collective))
    response = client.post(
        url("edit", admin.collective),
        {
            "name": admin.collective.name,
            "town": "Villeneuve-sur-Lot",
            "description": "Les commerces de la bastide",
            "charter": "Nous ouvrons le dimanche.",
            "map_latitude": "44,4087",
            "map_longitude": "0,7044",
            "map_zoom": "15",
        },
    )
    assert response.status_code == 302
    admin.collective.refresh_from_db()
    assert admin.collective.status == Collective.Status.ACTIVE
    assert admin.collective.town == "Villeneuve-sur-Lot"
    assert str(admin.collective.map_latitude).startswith("44.4087")


def test_the_dashboard_counts_members_requests_and_open_invitations(client, organiser):
    collective = organiser.collective
    MembershipFactory.create_batch(2, collective=collective)
    MembershipFactory(collective=collective, status="requested", joined_at=None)
    CollectiveInvitationFactory(collective=collective)
    client.force_login(organiser.user)
    counts = client.get(url("dashboard", collective)).context["counts"]
    assert counts == {"members": 2, "requests": 1, "invitations": 1}


def test_approving_and_declining_requests_on_the_members_page(client, organiser):
    collective = organiser.collective
    first = MembershipFactory(collective=collective, status="requested", joined_at=None)
    second = MembershipFactory(collective=collective, status="requested", joined_at=None)
    client.force_login(organiser.user)
    client.post(url("membership_approve", collective, first.pk))
    client.post(url("membership_reject", collective, second.pk), {"message": "Hors de la bastide"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Membership.Status.ACTIVE
    assert (second.status, second.message) == ("declined", "Hors de la bastide")


def test_suspending_and_reinstating_on_the_members_page(client, organiser):
    membership = MembershipFactory(collective=organiser.collective)
    client.force_login(organiser.user)
    client.post(url("membership_suspend", organiser.collective, membership.pk))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.SUSPENDED
    client.post(url("membership_reinstate", organiser.collective, membership.pk))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_inviting_and_withdrawing_on_the_pages(client, organiser):
    client.force_login(organiser.user)
    response = client.post(url("invite", organiser.collective), {"email": "jo@example.org"})
    assert response.url == url("members", organiser.collective)
    invitation = CollectiveInvitation.objects.get(collective=organiser.collective)
    client.post(url("invitation_withdraw", organiser.collective, invitation.pk))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_the_members_page_query_count_does_not_grow_with_members(client, organiser):
    collective = organiser.collective
    client.force_login(organiser.user)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("members", collective)).status_code == 200
        return len(queries)

    def add(n):
        for status in ["active", "suspended", "requested"] * (n // 3):
            MembershipFactory(
                collective=collective,
                status=status,
                joined_at=None if status == "requested" else timezone.now(),
            )
        CollectiveInvitationFactory.create_batch(n // 3, collective=collective)

    add(3)
    small = count_queries()
    add(12)
    assert count_queries() == small


# --- The shop's side -----------------------------------------------------------------------


def shop_url(name, merchant, *args):
    return reverse(f"shop_collectives:{name}", args=[merchant.slug, *args])


def test_the_owner_accepts_an_organisers_invitation(client, owner):
    membership = MembershipFactory(merchant=owner.shop, status="invited", joined_at=None)
    client.force_login(owner)
    client.post(shop_url("accept", owner.shop, membership.pk))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_the_owner_declines_an_invitation(client, owner):
    membership = MembershipFactory(merchant=owner.shop, status="invited", joined_at=None)
    client.force_login(owner)
    client.post(shop_url("decline", owner.shop, membership.pk), {"message": "Pas pour nous"})
    membership.refresh_from_db()
    assert membership.status == Membership.Status.DECLINED


def test_staff_see_the_list_but_cannot_answer_for_the_shop(client, owner):
    membership = MembershipFactory(merchant=owner.shop, status="invited", joined_at=None)
    staff = MerchantMemberFactory(merchant=owner.shop, role="staff").user
    client.force_login(staff)
    response = client.get(shop_url("list", owner.shop))
    assert response.status_code == 200
    assert response.context["is_owner"] is False
    assert client.post(shop_url("accept", owner.shop, membership.pk)).status_code == 403
    membership.refresh_from_db()
    assert membership.status == Membership.Status.INVITED


def test_the_owner_asks_to_join_an_active_collective_only(client, owner):
    active = CollectiveFactory(status="active")
    draft = CollectiveFactory(status="draft")
    MembershipFactory(merchant=owner.shop)  # already in another one
    client.force_login(owner)
    choices = client.get(shop_url("list", owner.shop)).context["request_form"]
    assert list(choices.fields["collective"].queryset) == [active]
    response = client.post(shop_url("request", owner.shop), {"collective": draft.pk})
    assert response.context["request_form"].errors["collective"]
    client.post(shop_url("request", owner.shop), {"collective": active.pk, "message": "Bonjour"})
    membership = Membership.objects.get(collective=active, merchant=owner.shop)
    assert (membership.status, membership.message) == ("requested", "Bonjour")


def test_the_owner_leaves_after_a_confirmation(client, owner):
    membership = MembershipFactory(merchant=owner.shop)
    client.force_login(owner)
    assert client.get(shop_url("leave", owner.shop, membership.pk)).status_code == 200
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE  # nothing happens on GET
    client.post(shop_url("leave", owner.shop, membership.pk))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT


def test_another_shops_membership_answers_404(client, owner):
    other = MembershipFactory(merchant=MerchantFactory(), status="invited", joined_at=None)
    client.force_login(owner)
    assert client.post(shop_url("accept", owner.shop, other.pk)).status_code == 404


# --- The answer e-mailed to the shop -------------------------------------------------------


@pytest.fixture
def run_answer_tasks(monkeypatch):
    from collectives import tasks

    monkeypatch.setattr(
        tasks.send_membership_answer, "delay", lambda *args: tasks.send_membership_answer(*args)
    )


@pytest.mark.parametrize("approve", [True, False])
def test_the_shops_owners_receive_the_answer_once(
    organiser, run_answer_tasks, django_capture_on_commit_callbacks, approve
):
    from django.core import mail

    from collectives.tasks import send_membership_answer

    membership = MembershipFactory(
        collective=organiser.collective, status="requested", joined_at=None
    )
    owner = MerchantMemberFactory(merchant=membership.merchant, role="owner").user
    MerchantMemberFactory(merchant=membership.merchant, role="staff")
    with django_capture_on_commit_callbacks(execute=True):
        if approve:
            services.membership_approve(actor=organiser.user, membership=membership)
        else:
            services.membership_reject(
                actor=organiser.user, membership=membership, message="Hors de la bastide"
            )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    assert organiser.collective.name in mail.outbox[0].subject
    assert ("Hors de la bastide" in mail.outbox[0].body) is not approve
    # A second delivery of the same task sends nothing.
    membership.refresh_from_db()
    assert send_membership_answer(membership.pk, membership.status) is False
    assert len(mail.outbox) == 1

"""Collective services: organisers, invitations and join requests."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from collectives import services
from collectives.models import Collective, Membership, Organiser
from tests.factories import (
    CollectiveFactory,
    MembershipFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser():
    return OrganiserFactory(role="organiser")


def test_creating_a_collective_makes_its_creator_admin():
    user = UserFactory()
    collective = services.collective_create(
        actor=user, name="Les Halles de Marmande", town="Marmande"
    )
    assert collective.status == Collective.Status.DRAFT
    assert Organiser.objects.get(collective=collective).role == Organiser.Role.ADMIN


def test_only_admins_add_organisers(organiser):
    with pytest.raises(PermissionDenied):
        services.organiser_add(
            actor=organiser.user, collective=organiser.collective, user=UserFactory()
        )
    admin = OrganiserFactory(collective=organiser.collective, role="admin").user
    added = services.organiser_add(actor=admin, collective=organiser.collective, user=UserFactory())
    assert added.role == Organiser.Role.ORGANISER


def test_invitation_accepted_by_the_owner(organiser, owner):
    membership = services.membership_invite(
        actor=organiser.user,
        collective=organiser.collective,
        merchant=owner.shop,
        message="Rejoignez-nous !",
    )
    assert membership.status == Membership.Status.INVITED
    accepted = services.membership_accept(actor=owner, membership=membership)
    assert accepted.status == Membership.Status.ACTIVE
    assert accepted.joined_at is not None


def test_invitation_declined_then_reinvited(organiser, owner):
    membership = services.membership_invite(
        actor=organiser.user, collective=organiser.collective, merchant=owner.shop
    )
    services.membership_decline(actor=owner, membership=membership)
    with pytest.raises(ValidationError):
        services.membership_accept(actor=owner, membership=membership)
    again = services.membership_invite(
        actor=organiser.user, collective=organiser.collective, merchant=owner.shop
    )
    assert again.pk == membership.pk  # one row per (collective, shop)
    assert again.status == Membership.Status.INVITED


def test_staff_cannot_commit_the_shop_only_the_owner(organiser, owner):
    staff = MerchantMemberFactory(merchant=owner.shop, role="staff").user
    membership = services.membership_invite(
        actor=organiser.user, collective=organiser.collective, merchant=owner.shop
    )
    with pytest.raises(PermissionDenied):
        services.membership_accept(actor=staff, membership=membership)


def test_non_organisers_cannot_invite(owner):
    collective = CollectiveFactory()
    with pytest.raises(PermissionDenied):
        services.membership_invite(actor=owner, collective=collective, merchant=owner.shop)
    assert not Membership.objects.exists()


def test_join_request_approved(organiser, owner):
    request = services.membership_request(
        actor=owner, collective=organiser.collective, merchant=owner.shop
    )
    assert request.status == Membership.Status.REQUESTED
    with pytest.raises(PermissionDenied):
        services.membership_approve(actor=owner, membership=request)
    approved = services.membership_approve(actor=organiser.user, membership=request)
    assert approved.status == Membership.Status.ACTIVE
    assert approved.invited_by == organiser.user


def test_join_request_declined_with_a_message(organiser, owner):
    request = services.membership_request(
        actor=owner, collective=organiser.collective, merchant=owner.shop
    )
    declined = services.membership_reject(
        actor=organiser.user, membership=request, message="Réservé aux commerces du centre."
    )
    assert declined.status == Membership.Status.DECLINED
    assert declined.message == "Réservé aux commerces du centre."


def test_inviting_a_shop_that_asked_to_join_admits_it(organiser, owner):
    services.membership_request(actor=owner, collective=organiser.collective, merchant=owner.shop)
    membership = services.membership_invite(
        actor=organiser.user, collective=organiser.collective, merchant=owner.shop
    )
    assert membership.status == Membership.Status.ACTIVE


def test_cannot_request_twice_or_when_already_member(organiser, owner):
    services.membership_request(actor=owner, collective=organiser.collective, merchant=owner.shop)
    with pytest.raises(ValidationError):
        services.membership_request(
            actor=owner, collective=organiser.collective, merchant=owner.shop
        )


def test_cannot_ask_to_join_a_draft_collective(owner):
    collective = CollectiveFactory(status=Collective.Status.DRAFT)
    with pytest.raises(ValidationError):
        services.membership_request(actor=owner, collective=collective, merchant=owner.shop)


def test_member_leaves(owner):
    membership = MembershipFactory(merchant=owner.shop)
    left = services.membership_leave(actor=owner, membership=membership)
    assert left.status == Membership.Status.LEFT
    assert left.left_at is not None


def test_a_collective_never_takes_the_slug_of_a_page_of_the_organiser_space():
    collective = services.collective_create(
        actor=UserFactory(), name="Nouveau collectif", town="Marmande"
    )
    assert collective.slug == "nouveau-collectif-2"


def test_a_join_request_tells_each_organiser():
    from notifications.models import Notification
    from tests.factories import (
        CollectiveFactory,
        MerchantMemberFactory,
        OrganiserFactory,
    )

    collective = CollectiveFactory()
    admin = OrganiserFactory(collective=collective, role="admin")
    helper = OrganiserFactory(collective=collective, role="organiser")
    owner = MerchantMemberFactory(role="owner")
    services.membership_request(
        actor=owner.user, collective=collective, merchant=owner.merchant, message="Bonjour !"
    )
    notices = Notification.objects.filter(kind="membership.requested")
    assert sorted(n.recipient_id for n in notices) == sorted([admin.user_id, helper.user_id])
    assert all(n.link.endswith(f"/organiser/{collective.slug}/membres/") for n in notices)

"""Invitations to join a collective by e-mail: sending, renewing, withdrawing, expiring, and
accepting once with a shop one owns and the charter ticked."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from collectives import services
from collectives.models import CollectiveInvitation, Membership
from collectives.services.invitations import collective_invitation_is_open
from collectives.tasks import send_collective_invitation
from merchants.services.staff import invitation_token_hash
from tests.factories import (
    CollectiveFactory,
    MembershipFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_mail_tasks(monkeypatch):
    """Queued invitation e-mails are sent at commit, as the worker would send them."""
    monkeypatch.setattr(
        send_collective_invitation, "delay", lambda *args: send_collective_invitation(*args)
    )


@pytest.fixture
def organiser():
    return OrganiserFactory(
        role="organiser", collective=CollectiveFactory(charter="We open on Sundays.")
    )


@pytest.fixture
def shopkeeper():
    """A user owning one shop: ``shopkeeper.shop``."""
    member = MerchantMemberFactory(role="owner", user=UserFactory(email="marie@example.org"))
    member.user.shop = member.merchant
    return member.user


def invite(organiser, email="marie@example.org", **kwargs):
    return services.collective_invite(
        actor=organiser.user, collective=organiser.collective, email=email, **kwargs
    )


def test_an_invitation_stores_only_the_hash_and_mails_the_link_after_commit(
    organiser, run_mail_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, token = invite(organiser, message="Venez !")
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert invitation.token_hash == invitation_token_hash(token)
    assert token not in invitation.token_hash
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=13)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["marie@example.org"]
    assert reverse("join:accept", kwargs={"token": token}) in mail.outbox[0].body
    assert "Venez !" in mail.outbox[0].body


def test_only_organisers_invite(organiser):
    with pytest.raises(PermissionDenied):
        services.collective_invite(
            actor=UserFactory(), collective=organiser.collective, email="x@example.org"
        )


def test_inviting_again_renews_the_open_invitation_and_the_old_link_dies(organiser):
    first, old_token = invite(organiser)
    second, new_token = invite(organiser, email="MARIE@example.org")
    assert second.pk == first.pk
    assert CollectiveInvitation.objects.filter(collective=organiser.collective).count() == 1
    # The task queued for the old link sends nothing: its token no longer matches.
    assert send_collective_invitation(first.pk, old_token) is False
    assert send_collective_invitation(second.pk, new_token) is True


def test_a_withdrawn_invitation_cannot_be_accepted_nor_sent(organiser, shopkeeper):
    invitation, token = invite(organiser)
    services.collective_invitation_withdraw(actor=organiser.user, invitation=invitation)
    invitation.refresh_from_db()
    assert not collective_invitation_is_open(invitation)
    assert send_collective_invitation(invitation.pk, token) is False
    with pytest.raises(ValidationError) as error:
        services.collective_invitation_accept(
            actor=shopkeeper, token=token, merchant=shopkeeper.shop, charter_accepted=True
        )
    assert error.value.code == "withdrawn"


def test_an_expired_invitation_cannot_be_accepted(organiser, shopkeeper):
    invitation, token = invite(organiser)
    CollectiveInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=20),
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        services.collective_invitation_accept(
            actor=shopkeeper, token=token, merchant=shopkeeper.shop, charter_accepted=True
        )
    assert error.value.code == "expired"


def test_accepting_makes_the_shop_an_active_member_once(organiser, shopkeeper):
    invitation, token = invite(organiser)
    membership = services.collective_invitation_accept(
        actor=shopkeeper, token=token, merchant=shopkeeper.shop, charter_accepted=True
    )
    assert membership.status == Membership.Status.ACTIVE
    assert membership.joined_at is not None
    invitation.refresh_from_db()
    assert invitation.accepted_by == shopkeeper
    assert invitation.merchant == shopkeeper.shop
    with pytest.raises(ValidationError) as error:
        services.collective_invitation_accept(
            actor=shopkeeper, token=token, merchant=shopkeeper.shop, charter_accepted=True
        )
    assert error.value.code == "used"


def test_accepting_reactivates_a_shop_that_had_left(organiser, shopkeeper):
    left = MembershipFactory(
        collective=organiser.collective,
        merchant=shopkeeper.shop,
        status="left",
        left_at=timezone.now(),
    )
    _invitation, token = invite(organiser)
    membership = services.collective_invitation_accept(
        actor=shopkeeper, token=token, merchant=shopkeeper.shop, charter_accepted=True
    )
    assert membership.pk == left.pk
    assert membership.status == Membership.Status.ACTIVE
    assert membership.left_at is None


def test_accepting_with_a_shop_one_does_not_own_is_refused(organiser, shopkeeper):
    _invitation, token = invite(organiser)
    other_shop = MerchantMemberFactory(role="owner").merchant
    staff_shop = MerchantMemberFactory(role="staff", user=shopkeeper).merchant
    for shop in (other_shop, staff_shop):
        with pytest.raises(PermissionDenied):
            services.collective_invitation_accept(
                actor=shopkeeper, token=token, merchant=shop, charter_accepted=True
            )
    assert not Membership.objects.filter(collective=organiser.collective).exists()


def test_the_wrong_account_cannot_accept(organiser):
    _invitation, token = invite(organiser)
    intruder = MerchantMemberFactory(role="owner")
    with pytest.raises(ValidationError) as error:
        services.collective_invitation_accept(
            actor=intruder.user, token=token, merchant=intruder.merchant, charter_accepted=True
        )
    assert error.value.code == "wrong_email"


# --- The join page ---------------------------------------------------------------------


def test_the_join_page_asks_a_visitor_to_log_in_and_come_back(client, organiser):
    _invitation, token = invite(organiser)
    url = reverse("join:accept", kwargs={"token": token})
    response = client.get(url)
    assert response.status_code == 200
    assert "next=" in response.content.decode()
    assert organiser.collective.name in response.content.decode()


def test_the_join_page_shows_the_charter_and_the_owned_shops(client, organiser, shopkeeper):
    _invitation, token = invite(organiser)
    MerchantMemberFactory(role="staff", user=shopkeeper)  # a shop they only work for
    client.force_login(shopkeeper)
    response = client.get(reverse("join:accept", kwargs={"token": token}))
    assert response.status_code == 200
    assert "We open on Sundays." in response.content.decode()
    assert list(response.context["form"].fields["merchant"].queryset) == [shopkeeper.shop]


def test_the_charter_must_be_ticked(client, organiser, shopkeeper):
    _invitation, token = invite(organiser)
    client.force_login(shopkeeper)
    response = client.post(
        reverse("join:accept", kwargs={"token": token}), {"merchant": shopkeeper.shop.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["accept_charter"]
    assert not Membership.objects.filter(collective=organiser.collective).exists()


def test_a_shop_one_does_not_own_is_a_form_error(client, organiser, shopkeeper):
    _invitation, token = invite(organiser)
    other_shop = MerchantMemberFactory(role="owner").merchant
    client.force_login(shopkeeper)
    response = client.post(
        reverse("join:accept", kwargs={"token": token}),
        {"merchant": other_shop.pk, "accept_charter": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["merchant"]
    assert not Membership.objects.filter(collective=organiser.collective).exists()


def test_accepting_on_the_page_joins_and_goes_to_the_shops_collectives(
    client, organiser, shopkeeper
):
    _invitation, token = invite(organiser)
    client.force_login(shopkeeper)
    response = client.post(
        reverse("join:accept", kwargs={"token": token}),
        {"merchant": shopkeeper.shop.pk, "accept_charter": "on"},
    )
    assert response.status_code == 302
    assert response.url == reverse(
        "shop_collectives:list", kwargs={"merchant_slug": shopkeeper.shop.slug}
    )
    membership = Membership.objects.get(collective=organiser.collective)
    assert membership.merchant == shopkeeper.shop
    assert membership.status == "active"


def test_an_already_active_shop_is_a_clear_message_and_the_link_stays_usable(
    client, organiser, shopkeeper
):
    MembershipFactory(collective=organiser.collective, merchant=shopkeeper.shop)
    invitation, token = invite(organiser)
    client.force_login(shopkeeper)
    response = client.post(
        reverse("join:accept", kwargs={"token": token}),
        {"merchant": shopkeeper.shop.pk, "accept_charter": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["merchant"]
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize(
    ("state", "status"), [("unknown", 404), ("used", 410), ("withdrawn", 410), ("expired", 410)]
)
def test_dead_links_answer_a_clear_page(client, organiser, shopkeeper, state, status):
    invitation, token = invite(organiser)
    if state == "unknown":
        token = "not-a-token"
    elif state == "used":
        services.collective_invitation_accept(
            actor=shopkeeper, token=token, merchant=shopkeeper.shop, charter_accepted=True
        )
    elif state == "withdrawn":
        services.collective_invitation_withdraw(actor=organiser.user, invitation=invitation)
    else:
        CollectiveInvitation.objects.filter(pk=invitation.pk).update(
            created_at=timezone.now() - dt.timedelta(days=20),
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
    client.force_login(shopkeeper)
    response = client.get(reverse("join:accept", kwargs={"token": token}))
    assert response.status_code == status
    assert response.context["problem"] == state


def test_an_invitee_without_a_shop_is_offered_to_create_one_and_come_back(client, organiser):
    invitee = UserFactory(email="marie@example.org")
    _invitation, token = invite(organiser)
    client.force_login(invitee)
    url = reverse("join:accept", kwargs={"token": token})
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["has_shops"] is False
    assert f"{reverse('shop:create')}?next=/rejoindre/" in response.content.decode()


def test_another_account_gets_a_clear_403_page(client, organiser):
    _invitation, token = invite(organiser)
    client.force_login(MerchantMemberFactory(role="owner").user)
    response = client.get(reverse("join:accept", kwargs={"token": token}))
    assert response.status_code == 403
    assert response.context["problem"] == "wrong_email"

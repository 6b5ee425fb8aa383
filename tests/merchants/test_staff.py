"""A shop's team: inviting by e-mail (expiring, single-use links), accepting, withdrawing,
removing members — and who may do it."""

import datetime as dt
import hashlib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from merchants import services, tasks
from merchants.models import MerchantMember, StaffInvitation
from merchants.services.staff import INVITATION_VALIDITY
from tests.factories import (
    MerchantFactory,
    MerchantMemberFactory,
    StaffInvitationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    """French is the site's default language; an earlier test may have left another one
    active in this thread (a request to /en/… does), which would change reverse() and the
    messages."""
    with translation.override("fr"):
        yield


def staff_of(shop):
    return MerchantMemberFactory(merchant=shop, role=MerchantMember.Role.STAFF).user


def invite(owner, email="vendeuse@example.org"):
    return services.staff_invite(actor=owner, merchant=owner.shop, email=email)


def code_of(call):
    with pytest.raises(ValidationError) as excinfo:
        call()
    return excinfo.value.code or excinfo.value.error_list[0].code


@pytest.fixture
def run_mail_tasks(monkeypatch):
    """Queued invitation e-mails are sent at commit, as the worker would send them."""
    monkeypatch.setattr(
        tasks.send_staff_invitation, "delay", lambda *args: tasks.send_staff_invitation(*args)
    )


# --- Services -----------------------------------------------------------------------------


def test_an_invitation_stores_only_the_hash_of_its_token_and_lasts_seven_days(owner):
    before = timezone.now()
    invitation, token = invite(owner)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert len(token) >= 40
    assert (
        before + INVITATION_VALIDITY
        <= invitation.expires_at
        <= timezone.now() + dt.timedelta(days=7)
    )
    assert invitation.role == MerchantMember.Role.STAFF
    assert invitation.invited_by == owner


def test_the_invitation_email_is_sent_after_commit_with_a_working_link(
    owner, run_mail_tasks, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://halle.example"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _invitation, token = invite(owner, "Vendeuse@Example.org")
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Vendeuse@Example.org"]
    assert owner.shop.name in message.subject
    link = "https://halle.example" + reverse("shop:invitation", kwargs={"token": token})
    assert link in message.body


def test_the_email_task_sends_nothing_for_a_withdrawn_or_renewed_invitation(owner):
    invitation, token = invite(owner)
    _same, new_token = invite(owner)
    assert tasks.send_staff_invitation(invitation.pk, token) is False  # renewed since
    assert tasks.send_staff_invitation(invitation.pk, new_token) is True
    services.staff_invitation_withdraw(actor=owner, invitation=invitation)
    assert tasks.send_staff_invitation(invitation.pk, new_token) is False
    assert len(mail.outbox) == 1


def test_an_invitation_is_accepted_once(owner):
    invitation, token = invite(owner)
    newcomer = UserFactory(email="vendeuse@example.org")
    member = services.staff_invitation_accept(actor=newcomer, token=token)
    assert (member.merchant, member.user, member.role) == (owner.shop, newcomer, "staff")
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer
    assert invitation.accepted_at is not None

    other = UserFactory()
    MerchantMember.objects.filter(pk=member.pk).delete()
    assert code_of(lambda: services.staff_invitation_accept(actor=newcomer, token=token)) == "used"
    assert code_of(lambda: services.staff_invitation_accept(actor=other, token=token)) == "used"


def test_the_invited_address_matches_whatever_its_case(owner):
    _invitation, token = invite(owner, "Marie.Dupont@Example.org")
    marie = UserFactory(email="marie.dupont@example.org")
    assert services.staff_invitation_accept(actor=marie, token=token).user == marie


def test_an_expired_invitation_cannot_be_accepted(owner):
    invitation, token = invite(owner)
    StaffInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=8),
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    newcomer = UserFactory(email="vendeuse@example.org")
    assert code_of(lambda: services.staff_invitation_accept(actor=newcomer, token=token)) == (
        "expired"
    )
    assert not MerchantMember.objects.filter(user=newcomer).exists()


def test_a_withdrawn_invitation_cannot_be_accepted(owner):
    invitation, token = invite(owner)
    services.staff_invitation_withdraw(actor=owner, invitation=invitation)
    newcomer = UserFactory(email="vendeuse@example.org")
    assert code_of(lambda: services.staff_invitation_accept(actor=newcomer, token=token)) == (
        "withdrawn"
    )
    assert not MerchantMember.objects.filter(user=newcomer).exists()


def test_an_invitation_needs_the_invited_address(owner):
    _invitation, token = invite(owner)
    stranger = UserFactory(email="quelquun@example.org")
    assert code_of(lambda: services.staff_invitation_accept(actor=stranger, token=token)) == (
        "wrong_email"
    )
    assert not MerchantMember.objects.filter(user=stranger).exists()


def test_an_unknown_token_is_refused(owner):
    assert code_of(lambda: services.staff_invitation_accept(actor=owner, token="nope")) == (
        "unknown"
    )


def test_inviting_the_same_address_again_renews_the_open_invitation(owner):
    first, old_token = invite(owner, "vendeuse@example.org")
    StaffInvitation.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - dt.timedelta(days=9),
        expires_at=timezone.now() - dt.timedelta(days=2),
    )
    renewed, new_token = invite(owner, "VENDEUSE@example.org")
    assert renewed.pk == first.pk
    assert StaffInvitation.objects.filter(merchant=owner.shop).count() == 1
    assert renewed.expires_at > timezone.now() + dt.timedelta(days=6)
    newcomer = UserFactory(email="vendeuse@example.org")
    assert code_of(lambda: services.staff_invitation_accept(actor=newcomer, token=old_token)) == (
        "unknown"
    )
    assert services.staff_invitation_accept(actor=newcomer, token=new_token).user == newcomer


def test_a_withdrawn_invitation_is_not_renewed_but_replaced(owner):
    first, _token = invite(owner)
    services.staff_invitation_withdraw(actor=owner, invitation=first)
    second, _token = invite(owner)
    assert second.pk != first.pk


def test_a_member_is_not_invited_again(owner):
    staff = staff_of(owner.shop)
    with pytest.raises(ValidationError) as excinfo:
        invite(owner, staff.email.upper())
    assert "email" in excinfo.value.message_dict


def test_staff_cannot_invite_withdraw_or_remove(owner):
    staff = staff_of(owner.shop)
    invitation, _token = invite(owner)
    with pytest.raises(PermissionDenied):
        services.staff_invite(actor=staff, merchant=owner.shop, email="x@example.org")
    with pytest.raises(PermissionDenied):
        services.staff_invitation_withdraw(actor=staff, invitation=invitation)
    owner_member = MerchantMember.objects.get(user=owner)
    with pytest.raises(PermissionDenied):
        services.staff_member_remove(actor=staff, member=owner_member)
    assert MerchantMember.objects.filter(merchant=owner.shop).count() == 2


def test_the_owner_removes_staff(owner):
    member = MerchantMemberFactory(merchant=owner.shop, role="staff")
    services.staff_member_remove(actor=owner, member=member)
    assert not MerchantMember.objects.filter(pk=member.pk).exists()


def test_the_last_owner_cannot_be_removed_not_even_by_themselves(owner):
    me = MerchantMember.objects.get(user=owner)
    assert code_of(lambda: services.staff_member_remove(actor=owner, member=me)) == "last_owner"
    assert MerchantMember.objects.filter(pk=me.pk).exists()


def test_an_owner_may_leave_when_another_owner_remains(owner):
    MerchantMemberFactory(merchant=owner.shop, role="owner")
    me = MerchantMember.objects.get(user=owner)
    services.staff_member_remove(actor=owner, member=me)
    assert not MerchantMember.objects.filter(pk=me.pk).exists()


# --- Pages --------------------------------------------------------------------------------


def staff_url(name, shop, **kwargs):
    return reverse(f"shop:{name}", kwargs={"merchant_slug": shop.slug, **kwargs})


def test_only_owners_open_the_team_page(client, owner):
    client.force_login(owner)
    assert client.get(staff_url("staff", owner.shop)).status_code == 200
    client.force_login(staff_of(owner.shop))
    assert client.get(staff_url("staff", owner.shop)).status_code == 403
    client.force_login(MerchantMemberFactory().user)
    assert client.get(staff_url("staff", owner.shop)).status_code == 404
    client.logout()
    response = client.get(staff_url("staff", owner.shop))
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_cannot_use_the_team_actions(client, owner):
    invitation, _token = invite(owner)
    owner_member = MerchantMember.objects.get(user=owner)
    client.force_login(staff_of(owner.shop))
    assert client.post(staff_url("staff_invite", owner.shop), {"email": "a@b.fr"}).status_code == (
        403
    )
    response = client.post(
        staff_url("staff_invitation_withdraw", owner.shop, invitation_id=invitation.pk)
    )
    assert response.status_code == 403
    response = client.post(staff_url("staff_member_remove", owner.shop, member_id=owner_member.pk))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_the_owner_invites_from_the_team_page(
    client, owner, run_mail_tasks, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            staff_url("staff_invite", owner.shop), {"email": "vendeuse@example.org"}
        )
    assert response["Location"] == staff_url("staff", owner.shop)
    assert StaffInvitation.objects.get(merchant=owner.shop).email == "vendeuse@example.org"
    assert len(mail.outbox) == 1
    page = client.get(staff_url("staff", owner.shop)).content.decode()
    assert "vendeuse@example.org" in page


def test_an_invalid_address_is_a_french_field_error(client, owner):
    client.force_login(owner)
    response = client.post(staff_url("staff_invite", owner.shop), {"email": "pas une adresse"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Saisissez une adresse e-mail valide."]
    assert not StaffInvitation.objects.exists()


def test_the_owner_withdraws_an_invitation(client, owner):
    invitation, _token = invite(owner)
    client.force_login(owner)
    client.post(staff_url("staff_invitation_withdraw", owner.shop, invitation_id=invitation.pk))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_an_invitation_of_another_shop_is_out_of_reach(client, owner):
    other = StaffInvitationFactory()
    client.force_login(owner)
    response = client.post(
        staff_url("staff_invitation_withdraw", owner.shop, invitation_id=other.pk)
    )
    assert response.status_code == 404
    other_member = MerchantMemberFactory(role="staff")
    response = client.post(staff_url("staff_member_remove", owner.shop, member_id=other_member.pk))
    assert response.status_code == 404
    assert MerchantMember.objects.filter(pk=other_member.pk).exists()


def test_the_owner_removes_a_member_from_the_team_page(client, owner):
    member = MerchantMemberFactory(merchant=owner.shop, role="staff")
    client.force_login(owner)
    response = client.post(staff_url("staff_member_remove", owner.shop, member_id=member.pk))
    assert response["Location"] == staff_url("staff", owner.shop)
    assert not MerchantMember.objects.filter(pk=member.pk).exists()


def test_removing_the_last_owner_from_the_page_is_refused_with_a_message(client, owner):
    me = MerchantMember.objects.get(user=owner)
    client.force_login(owner)
    response = client.post(
        staff_url("staff_member_remove", owner.shop, member_id=me.pk), follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert MerchantMember.objects.filter(pk=me.pk).exists()


def test_an_owner_who_leaves_is_sent_back_to_my_shop(client, owner):
    MerchantMemberFactory(merchant=owner.shop, role="owner")
    me = MerchantMember.objects.get(user=owner)
    client.force_login(owner)
    response = client.post(staff_url("staff_member_remove", owner.shop, member_id=me.pk))
    assert response["Location"] == reverse("shop:index")


@pytest.mark.parametrize("size", [2, 10])
def test_the_team_page_makes_a_constant_number_of_queries(
    client, owner, size, django_assert_num_queries
):
    for _ in range(size - 1):
        MerchantMemberFactory(merchant=owner.shop, role="staff")
    for n in range(size):
        StaffInvitationFactory(merchant=owner.shop, invited_by=owner, email=f"i{n}@example.org")
    client.force_login(owner)
    # session, user, the membership (tenant), the shop switcher, members, invitations
    with django_assert_num_queries(6):
        response = client.get(staff_url("staff", owner.shop))
    assert len(response.context["members"]) == size
    assert len(response.context["invitations"]) == size


# --- Accepting from the link --------------------------------------------------------------


def invitation_url(token):
    return reverse("shop:invitation", kwargs={"token": token})


def test_a_logged_out_invitee_is_asked_to_log_in_or_sign_up_and_come_back(client, owner):
    _invitation, token = invite(owner, "vendeuse@example.org")
    response = client.get(invitation_url(token))
    assert response.status_code == 200
    page = response.content.decode()
    back = "?next=" + invitation_url(token)
    assert reverse("account_login") + back in page
    assert reverse("account_signup") + back in page
    assert "v•••@example.org" in page
    assert "vendeuse@example.org" not in page


def test_the_invitee_accepts_with_a_click(client, owner):
    _invitation, token = invite(owner, "vendeuse@example.org")
    newcomer = UserFactory(email="vendeuse@example.org")
    client.force_login(newcomer)
    response = client.get(invitation_url(token))
    assert response.status_code == 200
    assert owner.shop.name in response.content.decode()
    assert not MerchantMember.objects.filter(user=newcomer).exists()  # a GET accepts nothing

    response = client.post(invitation_url(token))
    assert response["Location"] == reverse(
        "shop:dashboard", kwargs={"merchant_slug": owner.shop.slug}
    )
    assert MerchantMember.objects.get(user=newcomer).role == "staff"
    # The new member can work on the shop but not manage its team.
    assert client.get(response["Location"]).status_code == 200
    assert client.get(staff_url("staff", owner.shop)).status_code == 403


@pytest.mark.parametrize(
    ("state", "status"),
    [("used", 410), ("withdrawn", 410), ("expired", 410), ("wrong_email", 403), ("unknown", 404)],
)
def test_a_link_that_cannot_be_used_explains_why(client, owner, state, status):
    invitation, token = invite(owner, "vendeuse@example.org")
    user = UserFactory(email="vendeuse@example.org")
    if state == "used":
        StaffInvitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    elif state == "withdrawn":
        StaffInvitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    elif state == "expired":
        StaffInvitation.objects.filter(pk=invitation.pk).update(
            created_at=timezone.now() - dt.timedelta(days=8),
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
    elif state == "wrong_email":
        user = UserFactory(email="autre@example.org")
    elif state == "unknown":
        token = "x" * 43
    client.force_login(user)
    for method in (client.get, client.post):
        response = method(invitation_url(token))
        assert response.status_code == status
        assert response.context["problem"] == state
        assert response.templates[0].name == "merchants/backoffice/invitation_problem.html"
    assert not MerchantMember.objects.filter(user=user).exists()


def test_a_dead_link_explains_itself_to_logged_out_visitors_too(client, owner):
    invitation, token = invite(owner)
    services.staff_invitation_withdraw(actor=owner, invitation=invitation)
    response = client.get(invitation_url(token))
    assert response.status_code == 410
    assert response.context["problem"] == "withdrawn"


def test_someone_already_in_the_team_is_told_so(client, owner):
    staff = staff_of(owner.shop)
    invitation = StaffInvitationFactory(merchant=owner.shop, email=staff.email)
    token = "t" * 43
    StaffInvitation.objects.filter(pk=invitation.pk).update(
        token_hash=hashlib.sha256(token.encode()).hexdigest()
    )
    client.force_login(staff)
    response = client.get(invitation_url(token))
    assert response.context["problem"] == "already_member"
    assert reverse("shop:dashboard", kwargs={"merchant_slug": owner.shop.slug}) in (
        response.content.decode()
    )


def test_two_shops_do_not_share_invitations(owner):
    other_owner = MerchantMemberFactory(merchant=MerchantFactory()).user
    mine, _t = invite(owner, "same@example.org")
    theirs, _t = services.staff_invite(
        actor=other_owner,
        merchant=other_owner.merchant_memberships.get().merchant,
        email="same@example.org",
    )
    assert mine.pk != theirs.pk

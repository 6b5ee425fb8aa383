"""A person's data: the export holds every section of their own data and nobody else's, as
JSON; deleting the account erases it — open reservations cancelled with their stock given
back, the shop keeping an anonymous line; registrations cancelled so seats go to the waiting
list; pledges withdrawn; follows and team places gone — or, for the only owner of a shop or
the only admin of a collective, is refused with nothing changed."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from accounts.personal_data import deletion_refusals, export_user_data
from accounts.services import account_delete, account_update_settings
from collectives.models import EventOccurrence, Follow, Organiser, Registration
from collectives.services.registrations import registration_create
from merchants.models import Merchant, MerchantMember
from orders.models import GroupBuy, Pledge, Reservation
from orders.personal_data import deleted_customer_label
from orders.services.group_buys import pledge_place
from orders.services.reservations import LineRequest, reservation_record
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.orders.factories import (
    GroupBuyFactory,
    PledgeFactory,
    ReservationFactory,
    ReservationLineFactory,
)

pytestmark = pytest.mark.django_db


def _reserve(customer, product, quantity=2, **fields):
    """A reservation made as the service makes it: stock held, price frozen."""
    return reservation_record(
        merchant=product.merchant,
        customer=customer,
        lines=[LineRequest(product=product, quantity=quantity)],
        pickup_deadline=timezone.now() + dt.timedelta(days=2),
        customer_phone=fields.pop("phone", "06 12 34 56 78"),
        note=fields.pop("note", "Je passe samedi."),
        **fields,
    )


@pytest.fixture
def person():
    return UserFactory(email="marie@example.org", display_name="Marie L.")


@pytest.fixture
def shop():
    return MerchantFactory(name="Fromagerie Dupont")


# --- Export --------------------------------------------------------------------------------


def test_export_has_every_section_and_is_json(person, shop):
    """Rule: the download holds the profile, reservations (lines and codes), pledges,
    registrations, follows, and the shops and collectives the person runs — as JSON, with
    ISO dates and amounts as strings."""
    product = ProductFactory(merchant=shop, title="Tomme", price=Decimal("12.50"), stock=10)
    reservation = _reserve(person, product)
    PledgeFactory(customer=person, quantity=3, group_buy__product__title="Miel")
    registration = RegistrationFactory(user=person, occurrence=EventFactory().occurrences.get())
    Follow.objects.create(user=person, merchant=shop)
    Follow.objects.create(user=person, collective=CollectiveFactory(name="Bastide"))
    MerchantMemberFactory(user=person, merchant=MerchantFactory(name="Ma boutique"), role="staff")
    OrganiserFactory(user=person, collective=CollectiveFactory(name="Marché"), role="organiser")

    data = export_user_data(person)
    text = json.dumps(data)  # would raise on a datetime, a Decimal, a lazy string

    assert json.loads(text) == data
    assert data["profile"]["email"] == "marie@example.org"
    assert data["profile"]["display_name"] == "Marie L."
    [exported] = data["reservations"]
    assert exported["code"] == reservation.code
    assert exported["shop"] == "Fromagerie Dupont"
    assert exported["total"] == "25.00"
    assert exported["customer_phone"] == "06 12 34 56 78"
    assert exported["lines"] == [{"product": "Tomme", "unit_price": "12.50", "quantity": 2}]
    assert dt.datetime.fromisoformat(exported["reserved_at"]).utcoffset() is not None
    [pledge] = data["pledges"]
    assert (pledge["product"], pledge["quantity"]) == ("Miel", 3)
    [exported_registration] = data["registrations"]
    assert exported_registration["event"] == registration.occurrence.event.title
    assert sorted(f["name"] for f in data["follows"]) == ["Bastide", "Fromagerie Dupont"]
    assert [s["shop"] for s in data["shops"]] == ["Ma boutique"]
    assert [c["collective"] for c in data["collectives"]] == ["Marché"]


def test_export_holds_nobody_elses_personal_data(person, shop):
    """Rule: the export contains no other person's data — not the other customers of the
    same shop, nor the e-mail addresses of the teams of the person's shops."""
    MerchantMemberFactory(user=person, merchant=shop, role="staff")
    MerchantMemberFactory(merchant=shop, user__email="patron@example.org", role="owner")
    other = UserFactory(email="voisin@example.org", display_name="Voisin Secret")
    product = ProductFactory(merchant=shop, stock=10)
    _reserve(other, product, phone="07 00 00 00 00", note="Message privé")
    _reserve(person, product)
    event_date = EventFactory().occurrences.get()
    RegistrationFactory(user=person, occurrence=event_date)
    RegistrationFactory(user=other, occurrence=event_date)
    group_buy = GroupBuyFactory()
    PledgeFactory(customer=person, group_buy=group_buy)
    PledgeFactory(customer=other, group_buy=group_buy)
    Follow.objects.create(user=other, merchant=shop)

    text = json.dumps(export_user_data(person))

    for secret in ("voisin@example.org", "Voisin Secret", "07 00 00 00 00", "Message privé"):
        assert secret not in text
    assert "patron@example.org" not in text
    data = json.loads(text)
    assert len(data["reservations"]) == len(data["registrations"]) == len(data["pledges"]) == 1


# --- Deleting: what goes, what shops keep ---------------------------------------------------


def test_deleting_cancels_open_reservations_and_keeps_an_anonymous_line(
    person, shop, django_capture_on_commit_callbacks
):
    """Rule: open reservations are cancelled with their stock given back; every reservation
    stays for the shop, without the person's name, e-mail, phone or message."""
    product = ProductFactory(merchant=shop, stock=10)
    open_one = _reserve(person, product, quantity=3)
    collected = ReservationFactory(
        customer=person,
        merchant=shop,
        status=Reservation.Status.COLLECTED,
        customer_phone="06 99",
        note="Merci",
    )
    ReservationLineFactory(reservation=collected, product=product, quantity=1)
    product.refresh_from_db()
    assert product.stock == 7

    with django_capture_on_commit_callbacks():
        account_delete(actor=person, user=person)

    product.refresh_from_db()
    assert product.stock == 10
    open_one.refresh_from_db()
    collected.refresh_from_db()
    assert open_one.status == Reservation.Status.CANCELLED
    assert collected.status == Reservation.Status.COLLECTED
    for reservation in (open_one, collected):
        assert reservation.customer_id is None
        assert reservation.customer_name == deleted_customer_label()
        assert (reservation.customer_email, reservation.customer_phone, reservation.note) == (
            "",
            "",
            "",
        )
        assert reservation.lines.count() == 1  # the shop's line of what it sold stays
    assert not User.objects.filter(email="marie@example.org").exists()


def test_deleted_customer_label_is_in_the_sites_language():
    """Rule: the shop reads the anonymous label in the site's language, whatever language
    the deleting person browses in."""
    from django.utils import translation

    with translation.override("en"):
        label = deleted_customer_label()
    with translation.override("fr"):
        assert label == deleted_customer_label()


def test_deleting_cancels_registrations_and_the_seat_goes_to_the_waiting_list(
    person, django_capture_on_commit_callbacks
):
    """Rule: a registration to come is cancelled through the registration service, so the
    freed seat goes to the first person waiting; the person's registration rows go."""
    event = EventFactory(capacity=1)
    occurrence = event.occurrences.get()
    RegistrationFactory(user=person, occurrence=occurrence)
    occurrence.seats_taken = 1
    occurrence.save(update_fields=["seats_taken"])
    waiting = RegistrationFactory(
        occurrence=occurrence, status=Registration.Status.WAITLISTED, confirmed_at=None
    )

    with django_capture_on_commit_callbacks() as callbacks:
        account_delete(actor=person, user=person)

    waiting.refresh_from_db()
    occurrence.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert occurrence.seats_taken == 1
    assert not Registration.objects.filter(occurrence=occurrence).exclude(pk=waiting.pk).exists()
    assert callbacks, "the person promoted from the waiting list is e-mailed"


def test_deleting_withdraws_active_pledges_and_keeps_past_ones_anonymous(person):
    """Rule: an active pledge is withdrawn — the group buy's total drops by its quantity —
    and every pledge stays as an anonymous count."""
    group_buy = GroupBuyFactory()
    other = UserFactory()
    pledge_place(actor=person, group_buy=group_buy, quantity=4)
    pledge_place(actor=other, group_buy=group_buy, quantity=2)
    past = PledgeFactory(customer=person, status=Pledge.Status.RELEASED, quantity=5)

    account_delete(actor=person, user=person)

    group_buy.refresh_from_db()
    assert group_buy.pledged_quantity == 2
    mine = Pledge.objects.get(group_buy=group_buy, quantity=4)
    assert (mine.status, mine.customer_id) == (Pledge.Status.WITHDRAWN, None)
    past.refresh_from_db()
    assert (past.status, past.customer_id) == (Pledge.Status.RELEASED, None)


def test_deleting_withdraws_a_pledge_whose_deadline_passed_before_closing(person):
    """Rule: a group buy past its deadline but not yet closed refuses withdrawals, yet a
    deleted account's pledge still leaves it (else it would become a reservation for
    nobody), and the total stays exact."""
    group_buy = GroupBuyFactory()
    pledge_place(actor=person, group_buy=group_buy, quantity=3)
    GroupBuy.objects.filter(pk=group_buy.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))

    account_delete(actor=person, user=person)

    group_buy.refresh_from_db()
    assert group_buy.pledged_quantity == 0
    assert Pledge.objects.get(group_buy=group_buy).status == Pledge.Status.WITHDRAWN


def test_deleting_removes_follows_and_team_places(person, shop):
    """Rule: follows go, and so do the person's places in teams they do not solely own."""
    Follow.objects.create(user=person, merchant=shop)
    MerchantMemberFactory(user=person, merchant=shop, role="staff")
    co_owned = MerchantFactory()
    MerchantMemberFactory(user=person, merchant=co_owned, role="owner")
    MerchantMemberFactory(merchant=co_owned, role="owner")
    collective = CollectiveFactory()
    OrganiserFactory(user=person, collective=collective, role="organiser")
    OrganiserFactory(collective=collective, role="admin")

    account_delete(actor=person, user=person)

    assert not Follow.objects.filter(merchant=shop).exists()
    assert MerchantMember.objects.filter(merchant=co_owned).count() == 1
    assert Organiser.objects.filter(collective=collective).count() == 1


def test_a_draft_shop_run_alone_does_not_block_deletion(person):
    """Rule: a draft shop nobody else works on is the person's own; it stays unpublished."""
    draft = MerchantFactory(status=Merchant.Status.DRAFT)
    MerchantMemberFactory(user=person, merchant=draft, role="owner")

    assert deletion_refusals(person) == []
    account_delete(actor=person, user=person)

    draft.refresh_from_db()
    assert draft.status == Merchant.Status.DRAFT
    assert not draft.members.exists()


# --- Deleting: refusals change nothing ------------------------------------------------------


def _snapshot(person, product):
    product.refresh_from_db()
    occurrences = Registration.objects.filter(user=person).values("occurrence")
    return (
        User.objects.filter(pk=person.pk).exists(),
        Follow.objects.filter(user=person).count(),
        Registration.objects.filter(user=person).count(),
        list(Reservation.objects.filter(customer=person).values_list("status", "customer_name")),
        MerchantMember.objects.filter(user=person).count(),
        Organiser.objects.filter(user=person).count(),
        product.stock,
        sorted(EventOccurrence.objects.filter(pk__in=occurrences).values_list("seats_taken")),
    )


@pytest.mark.parametrize(
    "situation",
    ["sole_owner_active", "sole_owner_draft_with_staff", "sole_admin_active", "admin_of_team"],
)
def test_deletion_is_refused_for_a_sole_owner_or_admin_and_nothing_changes(person, situation):
    """Rule: the only owner of a shop customers know or others work for, and the only admin
    of an active collective or of one others organise, cannot delete their account; the
    refusal names it and leaves every row as it was (one transaction)."""
    if situation == "sole_owner_active":
        MerchantMemberFactory(user=person, merchant=MerchantFactory(name="Chez Marie"))
    elif situation == "sole_owner_draft_with_staff":
        draft = MerchantFactory(name="Chez Marie", status=Merchant.Status.DRAFT)
        MerchantMemberFactory(user=person, merchant=draft, role="owner")
        MerchantMemberFactory(merchant=draft, role="staff")
    elif situation == "sole_admin_active":
        OrganiserFactory(user=person, collective=CollectiveFactory(name="Chez Marie"))
    else:
        collective = CollectiveFactory(name="Chez Marie", status="draft")
        OrganiserFactory(user=person, collective=collective, role="admin")
        OrganiserFactory(collective=collective, role="organiser")
    product = ProductFactory(stock=10)
    _reserve(person, product)
    RegistrationFactory(user=person)
    Follow.objects.create(user=person, merchant=product.merchant)
    before = _snapshot(person, product)

    with pytest.raises(ValidationError) as refused:
        account_delete(actor=person, user=person)

    assert all(e.code == "refused" for e in refused.value.error_list)
    assert "Chez Marie" in " ".join(refused.value.messages)
    assert _snapshot(person, product) == before


def test_a_failure_after_erasing_started_rolls_everything_back(person, monkeypatch):
    """Rule: nothing half-done — an eraser failing after every other one has run leaves
    every row as it was (one transaction)."""
    from accounts import personal_data

    def fail(user):
        raise ValidationError("Refusé au dernier moment", code="refused")

    monkeypatch.setitem(
        personal_data._sections,
        "last",
        personal_data.Section("last", export=list, erase=fail, check=None, order=10_000),
    )
    shop = MerchantFactory()
    MerchantMemberFactory(user=person, merchant=shop, role="staff")
    Follow.objects.create(user=person, merchant=shop)
    OrganiserFactory(user=person, role="organiser")
    registration_create(actor=person, occurrence=EventFactory(capacity=5).occurrences.get())
    product = ProductFactory(stock=10)
    _reserve(person, product)
    before = _snapshot(person, product)

    with pytest.raises(ValidationError):
        account_delete(actor=person, user=person)

    assert _snapshot(person, product) == before


def test_only_the_person_deletes_their_account(person):
    """Rule: nobody deletes someone else's account through this service."""
    with pytest.raises(PermissionDenied):
        account_delete(actor=UserFactory(), user=person)
    assert User.objects.filter(pk=person.pk).exists()


def test_the_email_can_sign_up_again_after_deletion(person):
    """Rule: the address is free once the account is deleted (the row is gone, not kept
    under a unique address)."""
    account_delete(actor=person, user=person)

    again = User.objects.create_user("Marie@example.org", "another password 123")

    assert again.email == "marie@example.org"


# --- Settings ------------------------------------------------------------------------------


def test_settings_are_saved_and_validated(person):
    """Rule: the person changes their name, language and notification address; a bad
    address is refused on its field."""
    account_update_settings(
        actor=person,
        user=person,
        display_name="  Marie Lefèvre ",
        preferred_language="en",
        notification_email="Notices@Example.org",
    )
    person.refresh_from_db()
    assert (person.display_name, person.preferred_language, person.notification_email) == (
        "Marie Lefèvre",
        "en",
        "notices@example.org",
    )
    with pytest.raises(ValidationError) as bad:
        account_update_settings(
            actor=person,
            user=person,
            display_name="",
            preferred_language="fr",
            notification_email="pas-une-adresse",
        )
    assert "notification_email" in bad.value.message_dict
    with pytest.raises(PermissionDenied):
        account_update_settings(
            actor=UserFactory(),
            user=person,
            display_name="X",
            preferred_language="fr",
            notification_email="",
        )


def test_export_and_deletion_cover_the_notifications(person):
    """Rule: the inbox, the e-mail preferences and the newsletters received are the
    person's data too: exported, and erased with the account."""
    from notifications.models import Notification, Preference
    from tests.notifications.factories import NotificationFactory, PreferenceFactory

    NotificationFactory(recipient=person, kind="event.reminder", summary="Demain : atelier")
    PreferenceFactory(user=person, kind="follow.new_product", mode="off")
    someone = NotificationFactory(summary="Pas pour Marie")

    data = export_user_data(person)["notifications"]
    assert [n["summary"] for n in data["inbox"]] == ["Demain : atelier"]
    assert data["preferences"] == {"follow.new_product": "off"}

    account_delete(actor=person, user=person)
    assert not Notification.objects.filter(summary="Demain : atelier").exists()
    assert not Preference.objects.filter(kind="follow.new_product").exists()
    assert Notification.objects.filter(pk=someone.pk).exists()

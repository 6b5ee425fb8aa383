"""The domain's notices go through the notification path: an inbox entry for each person,
the e-mail rendered from the stored ids when it is sent — by the domain's task or later by
the sweep — in the person's language (orders, collectives, catalog → notifications)."""

import pytest
from django.conf import settings
from django.core import mail

from catalog.models import ImportJob
from catalog.tasks import _notify_import_finished
from collectives import tasks as collective_tasks
from notifications.models import Notification
from notifications.services.delivery import notification_deliver
from notifications.services.notify import notify
from orders.models import Reservation
from orders.services.reservations import reservation_notice_send
from tests.factories import (
    ImportJobFactory,
    MembershipFactory,
    MerchantMemberFactory,
    UserFactory,
)
from tests.orders.factories import ReservationFactory, ReservationLineFactory

pytestmark = pytest.mark.django_db

S = Notification.EmailStatus


def test_the_customers_notice_is_an_inbox_entry_and_one_e_mail():
    customer = UserFactory(preferred_language="en")
    reservation = ReservationFactory(customer=customer, status=Reservation.Status.READY)
    ReservationLineFactory(reservation=reservation)
    assert reservation_notice_send(reservation_id=reservation.pk, kind="ready") is True
    [notification] = Notification.objects.filter(recipient=customer)
    assert notification.kind == "reservation.ready"
    assert notification.email_status == S.SENT
    assert notification.link == f"/reservations/{reservation.pk}/"
    assert reservation.merchant.name in notification.summary
    [message] = mail.outbox
    assert reservation.code in message.body
    assert "List-Unsubscribe" not in message.extra_headers  # a pickup code: transactional


def test_the_shops_team_gets_one_e_mail_and_an_inbox_entry_each():
    reservation = ReservationFactory()
    ReservationLineFactory(reservation=reservation)
    team = [
        MerchantMemberFactory(merchant=reservation.merchant, role=r).user
        for r in ("owner", "staff")
    ]
    assert reservation_notice_send(reservation_id=reservation.pk, kind="new") is True
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted(user.email for user in team)
    entries = Notification.objects.filter(kind="reservation.created")
    assert sorted(n.recipient_id for n in entries) == sorted(user.pk for user in team)
    assert {n.email_status for n in entries} == {S.SKIPPED}  # the team's e-mail went already


def test_a_notice_left_to_the_sweep_is_written_from_its_ids():
    """The domain task died before sending: the delivery task renders the same e-mail from
    the ids stored in the notification."""
    customer = UserFactory()
    reservation = ReservationFactory(customer=customer, status=Reservation.Status.CONFIRMED)
    ReservationLineFactory(reservation=reservation)
    notification = notify(
        recipient=customer,
        kind="reservation.confirmed",
        context={"reservation_id": reservation.pk, "notice": "confirmed"},
        link=f"/reservations/{reservation.pk}/",
        queue=False,
    )
    assert notification_deliver(notification_id=notification.pk) is True
    assert f"{settings.SITE_URL}/reservations/{reservation.pk}/" in mail.outbox[0].body


def test_each_owner_hears_the_answer_to_the_shops_request_in_their_language():
    membership = MembershipFactory(status="declined", message="Hors de la bastide")
    english = MerchantMemberFactory(merchant=membership.merchant, role="owner").user
    english.preferred_language = "en"
    english.save()
    french = MerchantMemberFactory(merchant=membership.merchant, role="owner").user
    assert collective_tasks.send_membership_answer(membership.pk, "declined") is True
    assert sorted(m.to[0] for m in mail.outbox) == sorted([english.email, french.email])
    to_english = next(m for m in mail.outbox if m.to == [english.email])
    assert "Hors de la bastide" in to_english.body
    assert "/en/mon-commerce/" in to_english.body
    assert Notification.objects.filter(kind="membership.answered").count() == 2
    assert collective_tasks.send_membership_answer(membership.pk, "declined") is False
    assert len(mail.outbox) == 2


def test_whoever_started_a_background_import_hears_it_is_finished_once():
    job = ImportJobFactory(
        status=ImportJob.Status.DONE, created_count=3, updated_count=2, created_by=UserFactory()
    )
    _notify_import_finished(job)
    _notify_import_finished(job)  # the task delivered twice
    [notification] = Notification.objects.filter(kind="import.finished")
    assert notification.recipient == job.created_by
    assert notification.email_status == S.PENDING
    assert notification_deliver(notification_id=notification.pk) is True
    assert job.merchant.name in mail.outbox[0].subject
    assert "3" in mail.outbox[0].body

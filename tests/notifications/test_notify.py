"""notify(): the outbox row is written in the caller's transaction (it commits with the
change it reports and vanishes with its rollback), its delivery is queued only after
commit, and the person's preference decides what the e-mail does
(notifications.services.notify)."""

import pytest
from django.db import transaction

from collectives.models import Follow
from notifications.models import Notification, Preference
from notifications.services.notify import notify, notify_many
from tests.factories import MerchantFactory, UserFactory
from tests.notifications.factories import PreferenceFactory

pytestmark = pytest.mark.django_db

S = Notification.EmailStatus
PRODUCT = {"merchant_name": "Fromagerie Dupuy", "title": "Tomme de brebis"}


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_the_outbox_row_commits_with_the_change_and_vanishes_with_its_rollback(queued):
    """The outbox rule: the notification exists if and only if the change it reports
    was committed, and its delivery is queued only once that happened."""
    person, shop = UserFactory(), MerchantFactory()
    with transaction.atomic():
        Follow.objects.create(user=person, merchant=shop)
        kept = notify(recipient=person, kind="reservation.ready", context={"x": 1})
        assert queued == []  # not before the commit
    assert queued == [kept.pk]
    assert Notification.objects.filter(pk=kept.pk).exists()

    written: list[int] = []

    def follow_stopped_and_notified_then_failed() -> None:
        with transaction.atomic():
            Follow.objects.filter(user=person).delete()
            written.append(notify(recipient=person, kind="reservation.ready", context={}).pk)
            raise Boom

    with pytest.raises(Boom):
        follow_stopped_and_notified_then_failed()
    assert not Notification.objects.filter(pk=written[0]).exists()
    assert Follow.objects.filter(user=person).exists()
    assert queued == [kept.pk]  # nothing queued for what was rolled back


def test_an_immediate_kind_is_pending_and_queued(queued, django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            recipient=person, kind="groupbuy.tier_reached", context={}, summary="Palier atteint"
        )
    assert notification.email_status == S.PENDING
    assert notification.summary == "Palier atteint"
    assert queued == [notification.pk]


def test_follow_updates_wait_for_the_digest_by_default(queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=UserFactory(), kind="follow.new_product", context=PRODUCT)
    assert notification.email_status == S.DIGEST
    assert queued == []


def test_the_persons_choice_wins_over_the_default(queued, django_capture_on_commit_callbacks):
    straight = PreferenceFactory(kind="follow.new_product", mode="immediate").user
    never = PreferenceFactory(kind="follow.new_product", mode="off").user
    with django_capture_on_commit_callbacks(execute=True):
        sent = notify(recipient=straight, kind="follow.new_product", context=PRODUCT)
        skipped = notify(recipient=never, kind="follow.new_product", context=PRODUCT)
    assert sent.email_status == S.PENDING
    assert skipped.email_status == S.SKIPPED  # still in the inbox, never e-mailed
    assert queued == [sent.pk]


def test_a_transactional_kind_cannot_be_turned_off(queued, django_capture_on_commit_callbacks):
    """A pickup code reaches the person whatever they chose (a stray « off » row, or
    « only essential e-mails »)."""
    person = UserFactory()
    Preference.objects.create(user=person, kind="reservation.ready", mode="off")
    Preference.objects.create(user=person, kind="all", mode="off")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=person, kind="reservation.ready", context={})
    assert notification.email_status == S.PENDING
    assert queued == [notification.pk]


def test_all_off_stops_every_kind_that_is_not_transactional():
    person = UserFactory()
    Preference.objects.create(user=person, kind="all", mode="off")
    assert notify(recipient=person, kind="event.reminder", context={}).email_status == S.SKIPPED
    assert notify(recipient=person, kind="follow.new_story", context={}).email_status == S.SKIPPED


def test_no_e_mail_for_an_inactive_account_or_when_the_caller_mails_itself():
    gone = UserFactory(is_active=False)
    assert notify(recipient=gone, kind="reservation.ready", context={}).email_status == S.SKIPPED
    inbox_only = notify(recipient=UserFactory(), kind="reservation.ready", email=False)
    assert inbox_only.email_status == S.SKIPPED


def test_an_unknown_kind_fails_loudly():
    with pytest.raises(KeyError):
        notify(recipient=UserFactory(), kind="reservation.readdy", context={})


def test_the_summary_is_the_subject_in_the_recipients_language():
    french = notify(recipient=UserFactory(), kind="follow.new_product", context=PRODUCT)
    english = notify(
        recipient=UserFactory(preferred_language="en"), kind="follow.new_product", context=PRODUCT
    )
    assert english.summary == "New at Fromagerie Dupuy: Tomme de brebis"
    assert "Tomme de brebis" in french.summary


def test_notify_many_writes_everyone_in_constant_queries(
    queued, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """A fan-out batch: one query for the people, one for their choices, one insert —
    whatever their number; each person's choice still applies."""
    people = [UserFactory() for _ in range(20)]
    PreferenceFactory(user=people[0], mode="immediate")
    PreferenceFactory(user=people[1], mode="off")
    people[2].preferred_language = "en"
    people[2].save()
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(5):
        count = notify_many(
            recipient_ids=[p.pk for p in people], kind="follow.new_product", context=PRODUCT
        )
    assert count == 20
    statuses = dict(Notification.objects.values_list("recipient_id", "email_status"))
    assert statuses[people[0].pk] == S.PENDING
    assert statuses[people[1].pk] == S.SKIPPED
    assert statuses[people[3].pk] == S.DIGEST
    assert queued == [Notification.objects.get(recipient=people[0]).pk]
    english = Notification.objects.get(recipient=people[2])
    assert english.summary == "New at Fromagerie Dupuy: Tomme de brebis"

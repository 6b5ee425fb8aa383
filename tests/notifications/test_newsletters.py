"""A collective's newsletter (notifications.services.newsletters, its selectors, tasks and the
organiser pages): Halle's draft from the collective's week, editing, scheduling, who
receives it (followers only, unsubscribed ones skipped), the fan-out in batches (each
recipient e-mailed once, whatever runs twice or fails), the progress page, permissions.

Tasks are not queued to Redis here: the queueing functions are replaced by a list that the
tests run, as a worker would, one task at a time (tests/integration/test_newsletter_worker.py
runs a real worker). Page text is asserted on /en/ pages or on data (subjects, numbers)."""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from collections import Counter
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation

from collectives.models import EventOccurrence, Follow, Membership
from notifications.models import Newsletter, NewsletterDelivery, Preference
from notifications.selectors.newsletters import (
    masked_email,
    newsletter_audience,
    newsletter_progress,
)
from notifications.services import newsletters as nl
from notifications.tasks_newsletters import send_due_newsletters, send_newsletter_batch
from notifications.unsubscribe import TOPIC_ALL, newsletter_topic
from orders.models import GroupBuy
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    OrganiserFactory,
    ProductFactory,
    StoryFactory,
    UserFactory,
)
from tests.orders.factories import GroupBuyFactory

pytestmark = pytest.mark.django_db

N = Newsletter.Status
D = NewsletterDelivery.Status


# --- Fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def collective():
    return CollectiveFactory(name="Les Halles de Villeneuve", slug="halles-villeneuve")


@pytest.fixture
def organiser(collective):
    return OrganiserFactory(collective=collective, role="organiser").user


def follower(collective, *, verified=True, **fields):
    """A person following the collective, with a verified log-in address by default."""
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    Follow.objects.create(user=user, collective=collective)
    return user


@pytest.fixture
def letter_tasks(monkeypatch):
    """The tasks the services queue, as (task name, args), instead of Redis."""
    calls: list[tuple[str, tuple]] = []

    def queue_now(task, *args, countdown=None):
        calls.append((task.name.rsplit(".", 1)[-1], args))
        return True

    def queue_on_commit(task, *args):
        transaction.on_commit(lambda: queue_now(task, *args))

    monkeypatch.setattr(nl, "queue_now", queue_now)
    monkeypatch.setattr(nl, "queue_on_commit", queue_on_commit)
    return calls


def committed():
    """Run what the code inside queues « on commit », as a real commit would (the test's
    transaction never commits)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def worker(letter_tasks):
    """Runs the queued tasks one after the other, as a worker would (what a task queues
    joins the end of the list). Returns how many tasks ran."""

    def run() -> int:
        ran = 0
        while letter_tasks:
            name, args = letter_tasks.pop(0)
            with committed():
                if name == "start_newsletter":
                    nl.newsletter_start(newsletter_id=args[0])
                else:
                    assert name == "send_newsletter_batch"
                    newsletter_id, after_id, size = args
                    nl.newsletter_send_batch(
                        newsletter_id=newsletter_id, after_id=after_id, size=size
                    )
            ran += 1
        return ran

    return run


def sending(collective, organiser, *, subject="La lettre de juin", body="Bonjour à tous.\n"):
    """A letter started (recipients snapshotted), its first batch queued."""
    newsletter = Newsletter.objects.create(
        collective=collective,
        subject=subject,
        body=body,
        status=N.SCHEDULED,
        send_at=timezone.now(),
        created_by=organiser,
    )
    with committed():
        started = nl.newsletter_start(newsletter_id=newsletter.pk)
    assert started is not None
    return started


def addresses(messages) -> Counter:
    return Counter(message.to[0] for message in messages)


class RefusingBackend(EmailBackend):
    """A mail server that refuses the addresses in ``refused`` (one message each)."""

    refused: set[str] = set()

    def send_messages(self, email_messages):
        for message in email_messages:
            if message.to[0] in RefusingBackend.refused:
                address = message.to[0]
                raise smtplib.SMTPRecipientsRefused(
                    {address: (550, f"5.1.1 <{address}>: Recipient address rejected".encode())}
                )
        return super().send_messages(email_messages)


class DownBackend(EmailBackend):
    """A mail server that cannot be reached."""

    def open(self):
        raise ConnectionRefusedError("Connection refused")


class BreakingBackend(EmailBackend):
    """A connection that breaks at the third message."""

    def send_messages(self, email_messages):
        if len(mail.outbox) == 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(email_messages)


# --- The draft -----------------------------------------------------------------------------


@pytest.fixture
def week(collective):
    """A collective's week: things that belong in the draft, and things that do not."""
    now = timezone.now()
    shop = MerchantFactory(name="Boulangerie Martin", slug="boulangerie-martin")
    MembershipFactory(collective=collective, merchant=shop)
    outsider = MerchantFactory(name="Hors Collectif", slug="hors-collectif")
    gone = MerchantFactory(name="Partie", slug="partie")
    MembershipFactory(
        collective=collective, merchant=gone, status=Membership.Status.LEFT, left_at=now
    )
    days = dt.timedelta(days=1)
    ProductFactory(
        merchant=shop,
        title="Pain au levain",
        slug="pain-au-levain",
        price=Decimal("4.50"),
        published_at=now - 2 * days,
    )
    ProductFactory(merchant=shop, title="Vieux croissant", published_at=now - 10 * days)
    ProductFactory(merchant=shop, title="Brouillon secret", status="draft", published_at=None)
    ProductFactory(merchant=outsider, title="Produit voisin", published_at=now - days)
    ProductFactory(merchant=gone, title="Produit parti", published_at=now - days)
    EventFactory(
        collective=collective,
        title="Marché du samedi",
        slug="marche-du-samedi",
        starts_at=now + 3 * days,
        ends_at=now + 3 * days + dt.timedelta(hours=4),
    )
    EventFactory(
        collective=collective,
        title="Foire lointaine",
        starts_at=now + 20 * days,
        ends_at=now + 20 * days + dt.timedelta(hours=4),
    )
    EventFactory(
        collective=collective,
        title="Atelier en brouillon",
        status="draft",
        published_at=None,
        starts_at=now + 2 * days,
        ends_at=now + 2 * days + dt.timedelta(hours=2),
    )
    cancelled = EventFactory(
        collective=collective,
        title="Date annulée",
        starts_at=now + 4 * days,
        ends_at=now + 4 * days + dt.timedelta(hours=2),
    )
    EventOccurrence.objects.filter(event=cancelled).update(
        status=EventOccurrence.Status.CANCELLED, cancelled_at=now
    )
    EventFactory(
        title="Événement d'un autre collectif",
        starts_at=now + days,
        ends_at=now + days + dt.timedelta(hours=2),
    )
    huile = ProductFactory(merchant=shop, title="Huile de noix", published_at=now - 30 * days)
    open_buy = GroupBuyFactory(merchant=shop, product=huile, deadline=now + 5 * days)
    GroupBuyFactory(merchant=shop, product=huile, status=GroupBuy.Status.SUCCEEDED)
    GroupBuyFactory(
        merchant=outsider,
        product=ProductFactory(
            merchant=outsider, title="Miel voisin", published_at=now - 30 * days
        ),
    )
    story = StoryFactory(
        merchant=shop, title="Le fournil à 4 h", slug="le-fournil", published_at=now - days
    )
    StoryFactory(merchant=shop, title="Histoire ancienne", published_at=now - 9 * days)
    StoryFactory(merchant=outsider, title="Histoire voisine", published_at=now - days)
    return {"shop": shop, "group_buy": open_buy, "story": story}


def test_draft_gathers_the_collective_week_with_absolute_links(collective, organiser, week):
    """Rule: Halle drafts « this week » from what the public sees of the collective —
    products published in the last 7 days by active member shops, published event dates of
    the next 14 days, open group buys of member shops, members' stories of the week — with
    absolute links, and nothing else."""
    organiser.preferred_language = "en"
    organiser.save()

    newsletter = nl.newsletter_draft(actor=organiser, collective=collective)

    assert newsletter.status == N.DRAFT
    assert newsletter.created_by == organiser
    assert "Les Halles de Villeneuve" in newsletter.subject
    body = newsletter.body
    site = settings.SITE_URL.rstrip("/")
    for expected in (
        "# New products",
        "Pain au levain — Boulangerie Martin, 4.50 €",
        f"<{site}/boutiques/boulangerie-martin/pain-au-levain/?source=newsletter>",
        "# Coming up",
        "Marché du samedi",
        f"<{site}/collectifs/halles-villeneuve/evenements/marche-du-samedi/>",
        "# Group buys open now",
        "Huile de noix — Boulangerie Martin, until",
        f"<{site}/achats-groupes/{week['group_buy'].pk}/>",
        "# Stories from our shops",
        "« Le fournil à 4 h » — Boulangerie Martin",
        f"<{site}/boutiques/boulangerie-martin/histoires/le-fournil/>",
        f"<{site}/collectifs/halles-villeneuve/>",
    ):
        assert expected in body
    for left_out in (
        "Vieux croissant",
        "Brouillon secret",
        "Produit voisin",
        "Produit parti",
        "Foire lointaine",
        "Atelier en brouillon",
        "Date annulée",
        "autre collectif",
        "Miel voisin",
        "Histoire ancienne",
        "Histoire voisine",
    ):
        assert left_out not in body
    assert "/en/" not in body  # links in the default language: the letter goes to everybody


def test_draft_of_a_quiet_week_invites_the_organisers_to_write(collective, organiser):
    """Rule: with nothing new, the draft still has a frame and says to write one's news."""
    organiser.preferred_language = "en"
    organiser.save()

    newsletter = nl.newsletter_draft(actor=organiser, collective=collective)

    assert "write your own news here" in newsletter.body
    assert "# " not in newsletter.body


def test_only_the_collectives_organisers_draft_its_letters(collective):
    """Rule: an organiser of another collective cannot write this collective's letters."""
    stranger = OrganiserFactory().user
    with pytest.raises(PermissionDenied):
        nl.newsletter_draft(actor=stranger, collective=collective)


def test_body_html_has_sections_links_and_no_raw_html():
    """Rule: the HTML version is the text's Markdown, sanitised: sections are headings, web
    addresses links, typed HTML shown as text."""
    html = nl.newsletter_body_html(
        "# Nouveautés\n\n- Pain\n  <https://halle.example/pain/>\n\n"
        "Voir https://halle.example/marche/ ce samedi.\n\n<script>alert(1)</script>"
    )
    assert "<h2>Nouveautés</h2>" in html
    assert 'href="https://halle.example/pain/"' in html
    assert 'href="https://halle.example/marche/"' in html
    assert "<script>" not in html


# --- Editing and scheduling ----------------------------------------------------------------


def test_a_draft_is_edited_but_a_letter_being_sent_is_not(collective, organiser, letter_tasks):
    """Rule: organisers change a draft or a scheduled letter; once sending starts, never."""
    newsletter = nl.newsletter_draft(actor=organiser, collective=collective)

    nl.newsletter_update(
        actor=organiser, newsletter=newsletter, subject="  Juin au marché ", body="Bonjour !"
    )
    newsletter.refresh_from_db()
    assert (newsletter.subject, newsletter.body) == ("Juin au marché", "Bonjour !\n")

    with pytest.raises(ValidationError):
        nl.newsletter_update(actor=organiser, newsletter=newsletter, subject="", body="x")

    started = sending(collective, organiser)
    with pytest.raises(ValidationError) as error:
        nl.newsletter_update(actor=organiser, newsletter=started, subject="Autre", body="x")
    assert error.value.code == "not_editable"


def test_scheduling_needs_a_future_time_and_can_be_undone(collective, organiser):
    """Rule: a letter is scheduled for a time to come; cancelling makes it a draft again."""
    newsletter = nl.newsletter_draft(actor=organiser, collective=collective)
    with pytest.raises(ValidationError) as error:
        nl.newsletter_schedule(
            actor=organiser, newsletter=newsletter, send_at=timezone.now() - dt.timedelta(hours=1)
        )
    assert "send_at" in error.value.message_dict

    when = timezone.now() + dt.timedelta(days=1)
    nl.newsletter_schedule(actor=organiser, newsletter=newsletter, send_at=when)
    newsletter.refresh_from_db()
    assert (newsletter.status, newsletter.send_at) == (N.SCHEDULED, when)

    nl.newsletter_cancel_schedule(actor=organiser, newsletter=newsletter)
    newsletter.refresh_from_db()
    assert (newsletter.status, newsletter.send_at) == (N.DRAFT, None)


def test_the_minute_sweep_starts_a_scheduled_letter_when_its_time_comes(
    collective, organiser, letter_tasks, monkeypatch
):
    """Rule: a scheduled letter starts at its time (beat, every minute), not before, and
    once."""
    follower(collective)
    newsletter = nl.newsletter_draft(actor=organiser, collective=collective)
    when = timezone.now() + dt.timedelta(hours=2)
    nl.newsletter_schedule(actor=organiser, newsletter=newsletter, send_at=when)

    assert send_due_newsletters() == 0
    newsletter.refresh_from_db()
    assert newsletter.status == N.SCHEDULED

    later = when + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert send_due_newsletters() == 1
    assert send_due_newsletters() == 0
    newsletter.refresh_from_db()
    assert (newsletter.status, newsletter.started_at, newsletter.recipient_count) == (
        N.SENDING,
        later,
        1,
    )


def test_send_now_queues_the_start_after_commit(
    collective, organiser, letter_tasks, django_capture_on_commit_callbacks
):
    """Rule: « send now » sends nothing in the request: it schedules the letter for now and
    queues its start once committed."""
    follower(collective)
    newsletter = nl.newsletter_draft(actor=organiser, collective=collective)

    with django_capture_on_commit_callbacks(execute=True):
        nl.newsletter_send_now(actor=organiser, newsletter=newsletter)
        assert letter_tasks == []

    assert letter_tasks == [("start_newsletter", (newsletter.pk,))]
    newsletter.refresh_from_db()
    assert newsletter.status == N.SCHEDULED
    assert mail.outbox == []


def test_send_now_refuses_a_letter_nobody_can_receive(collective, organiser, letter_tasks):
    """Rule: a letter is not sent to nobody (no follower with a verified address)."""
    follower(collective, verified=False)
    newsletter = nl.newsletter_draft(actor=organiser, collective=collective)
    with pytest.raises(ValidationError) as error:
        nl.newsletter_send_now(actor=organiser, newsletter=newsletter)
    assert error.value.code == "no_recipient"


# --- Recipients ----------------------------------------------------------------------------


def test_recipients_are_the_followers_snapshotted_once_unsubscribed_ones_skipped(
    collective, organiser, letter_tasks
):
    """Rule: the letter goes to the collective's followers with an active account and a
    verified address — not to a member shop's followers, nor another collective's; those
    who unsubscribed from this collective's letters (or from all e-mail) are recorded as
    skipped; starting twice snapshots once."""
    reader = follower(collective)
    off = follower(collective)
    Preference.objects.create(user=off, kind=newsletter_topic(collective.pk), mode="off")
    all_off = follower(collective)
    Preference.objects.create(user=all_off, kind=TOPIC_ALL, mode="off")
    other_letter_off = follower(collective)
    Preference.objects.create(user=other_letter_off, kind=newsletter_topic(999999), mode="off")
    follower(collective, verified=False)
    follower(collective, is_active=False)
    follower(CollectiveFactory())
    shop = MembershipFactory(collective=collective).merchant
    shop_fan = UserFactory()
    EmailAddress.objects.create(user=shop_fan, email=shop_fan.email, verified=True)
    Follow.objects.create(user=shop_fan, merchant=shop)

    audience = newsletter_audience(collective=collective)
    assert (audience.recipients, audience.unsubscribed) == (2, 2)

    newsletter = sending(collective, organiser)
    assert nl.newsletter_start(newsletter_id=newsletter.pk) is None  # started already

    rows = dict(
        NewsletterDelivery.objects.filter(newsletter=newsletter).values_list("user_id", "status")
    )
    assert rows == {
        reader.pk: D.PENDING,
        other_letter_off.pk: D.PENDING,
        off.pk: D.SKIPPED,
        all_off.pk: D.SKIPPED,
    }
    assert newsletter.recipient_count == 2


def test_unsubscribing_from_the_link_stops_the_next_letters(
    client, collective, organiser, letter_tasks, worker
):
    """Rule: the one-click link of a letter (List-Unsubscribe header, RFC 8058) stops that
    collective's letters for that person: the next one skips them."""
    leaver = follower(collective)
    stayer = follower(collective)
    sending(collective, organiser)
    worker()
    message = next(m for m in mail.outbox if m.to == [leaver.email])
    link = re.fullmatch(r"<(.+)>", message.extra_headers["List-Unsubscribe"])[1]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body

    response = client.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200

    mail.outbox.clear()
    second = sending(collective, organiser, subject="La lettre de juillet")
    worker()
    assert addresses(mail.outbox) == Counter({stayer.email: 1})
    skipped = NewsletterDelivery.objects.get(newsletter=second, user=leaver)
    assert skipped.status == D.SKIPPED


# --- Sending in batches --------------------------------------------------------------------


def test_batches_send_every_recipient_once_then_finish(
    collective, organiser, letter_tasks, worker, monkeypatch
):
    """Rule: the letter fans out in batches of N over one connection each; every recipient
    gets exactly one e-mail (text and HTML, the collective's name in From, unsubscribe
    headers, in their language); the letter ends « sent »."""
    monkeypatch.setattr(nl, "BATCH_SIZE", 10)
    people = [follower(collective) for _ in range(24)]
    english = follower(collective, preferred_language="en", notification_email="avis@example.org")
    newsletter = sending(collective, organiser, body="# Nouveautés\n\nDu pain frais.\n")

    ran = worker()

    assert ran == 4  # batches of 10, 10, 5, then one that finds nothing left
    assert addresses(mail.outbox) == Counter(
        {**{person.email: 1 for person in people}, "avis@example.org": 1}
    )
    newsletter.refresh_from_db()
    assert newsletter.status == N.SENT
    assert newsletter.finished_at is not None
    assert newsletter_progress(newsletter=newsletter).sent == 25
    assert set(
        NewsletterDelivery.objects.filter(newsletter=newsletter).values_list("attempts", flat=True)
    ) == {1}
    message = next(m for m in mail.outbox if m.to == ["avis@example.org"])
    assert message.subject == "La lettre de juin"
    assert message.from_email.startswith("Les Halles de Villeneuve <")
    assert message.extra_headers["List-Id"].startswith(f"<newsletter-{collective.pk}.")
    html = message.alternatives[0][0]
    assert "<h2>Nouveautés</h2>" in html
    assert "/en/notifications/desabonnement/" in html  # the footer speaks their language
    assert "Du pain frais." in message.body
    assert english.email not in html


def test_a_batch_run_twice_sends_nobody_twice(collective, organiser, letter_tasks, worker):
    """Rule: a batch task delivered twice (or a sweep re-queuing a chain) never e-mails a
    recipient twice: rows are claimed before they are sent."""
    people = [follower(collective) for _ in range(6)]
    newsletter = sending(collective, organiser)
    first = nl.newsletter_send_batch(newsletter_id=newsletter.pk, after_id=0, size=3)
    again = nl.newsletter_send_batch(newsletter_id=newsletter.pk, after_id=0, size=3)
    assert (first.sent, again.sent) == (3, 3)
    worker()  # the chains they queued, and the first batch queued by the start
    nl.newsletter_send_batch(newsletter_id=newsletter.pk, after_id=0, size=3)  # once more

    assert addresses(mail.outbox) == Counter({person.email: 1 for person in people})
    newsletter.refresh_from_db()
    assert newsletter.status == N.SENT


def test_a_resend_after_refusals_sends_only_the_failed_ones(
    collective, organiser, letter_tasks, worker, settings
):
    """Rule: recipients the mail server refused are « failed » (its answer kept, addresses
    masked); a resend of the finished letter sends them and nobody else."""
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    people = [follower(collective) for _ in range(5)]
    refused = {people[1].email, people[3].email}
    RefusingBackend.refused = set(refused)
    newsletter = sending(collective, organiser)
    worker()

    newsletter.refresh_from_db()
    assert newsletter.status == N.SENT
    progress = newsletter_progress(newsletter=newsletter)
    assert (progress.sent, progress.failed, progress.to_retry) == (3, 2, 2)
    failed = NewsletterDelivery.objects.get(newsletter=newsletter, user=people[1])
    assert failed.error.startswith("550 5.1.1")
    assert people[1].email not in failed.error
    assert masked_email(people[1].email) in failed.error
    assert addresses(mail.outbox) == Counter({p.email: 1 for p in people if p.email not in refused})

    RefusingBackend.refused = set()
    mail.outbox.clear()
    with committed():
        assert nl.newsletter_resend(actor=organiser, newsletter=newsletter) == 2
    worker()

    assert addresses(mail.outbox) == Counter(dict.fromkeys(refused, 1))
    newsletter.refresh_from_db()
    assert newsletter.status == N.SENT
    assert newsletter_progress(newsletter=newsletter).sent == 5
    with pytest.raises(ValidationError) as error:
        nl.newsletter_resend(actor=organiser, newsletter=newsletter)
    assert error.value.code == "nothing_to_resend"


def test_an_unreachable_mail_server_gives_the_rows_back_then_fails_them(
    collective, organiser, letter_tasks, settings
):
    """Rule: when the mail server cannot be reached the batch raises (the task retries with
    backoff) and its rows wait again; after MAX_ATTEMPTS they are « failed »."""
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    follower(collective)
    newsletter = sending(collective, organiser)
    row = NewsletterDelivery.objects.get(newsletter=newsletter)

    for attempt in range(1, nl.MAX_ATTEMPTS + 1):
        with pytest.raises(OSError, match="Connection refused"):
            nl.newsletter_send_batch(newsletter_id=newsletter.pk, after_id=0, queue_next=False)
        row.refresh_from_db()
        assert row.attempts == attempt
        assert row.status == (D.PENDING if attempt < nl.MAX_ATTEMPTS else D.FAILED)

    newsletter.refresh_from_db()
    assert newsletter.status == N.SENT  # nothing left to send; the organisers may resend


def test_a_connection_broken_mid_batch_keeps_what_left_and_resends_nothing_sent(
    collective, organiser, letter_tasks, settings
):
    """Rule: a connection that breaks mid-batch: the messages handed over are « sent », the
    one being sent is « failed » (it may have left: not sent again by the retry), the rest
    wait for the retry."""
    settings.EMAIL_BACKEND = f"{__name__}.BreakingBackend"
    for _ in range(5):
        follower(collective)
    newsletter = sending(collective, organiser)

    with pytest.raises(OSError, match="unexpectedly closed"):
        nl.newsletter_send_batch(newsletter_id=newsletter.pk, after_id=0)

    progress = newsletter_progress(newsletter=newsletter)
    assert (progress.sent, progress.failed, progress.pending, progress.sending) == (2, 1, 2, 0)


def test_the_sweep_resumes_a_letter_whose_chain_was_lost(
    collective, organiser, letter_tasks, worker, monkeypatch
):
    """Rule: a letter « sending » where no batch claimed anything for a while lost its
    tasks: the minute's sweep queues a new chain, which sends what waits."""
    people = [follower(collective) for _ in range(3)]
    newsletter = sending(collective, organiser)
    letter_tasks.clear()  # the first batch is lost
    assert send_due_newsletters() == 0
    assert letter_tasks == []  # not stalled yet

    later = timezone.now() + nl.STALL_AFTER + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with committed():
        send_due_newsletters()
    assert [name for name, _args in letter_tasks] == ["send_newsletter_batch"]
    worker()

    assert addresses(mail.outbox) == Counter({person.email: 1 for person in people})
    newsletter.refresh_from_db()
    assert newsletter.status == N.SENT


def test_the_sweep_finishes_a_letter_whose_last_rows_were_interrupted(
    collective, organiser, letter_tasks, monkeypatch
):
    """Rule: rows left « sending » by a worker that died may have left: they are never sent
    again — the sweep finishes the letter without them, and a resend does not take them."""
    follower(collective)
    newsletter = sending(collective, organiser)
    NewsletterDelivery.objects.filter(newsletter=newsletter).update(status=D.SENDING)

    later = timezone.now() + nl.STALL_AFTER + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    send_due_newsletters()

    newsletter.refresh_from_db()
    assert newsletter.status == N.SENT
    assert newsletter_progress(newsletter=newsletter).sending == 1
    with pytest.raises(ValidationError):
        nl.newsletter_resend(actor=organiser, newsletter=newsletter)
    assert mail.outbox == []


def test_a_retried_batch_task_does_not_queue_its_successor_again(
    collective, organiser, letter_tasks
):
    """Rule: only a batch task's first attempt queues the next batch — retries after a mail
    server failure would otherwise multiply the chains."""
    for _ in range(4):
        follower(collective)
    newsletter = sending(collective, organiser)
    letter_tasks.clear()

    with committed():
        send_newsletter_batch.apply(args=(newsletter.pk, 0, 2), retries=1)
    assert letter_tasks == []
    with committed():
        send_newsletter_batch.apply(args=(newsletter.pk, 0, 1))
    third = NewsletterDelivery.objects.filter(newsletter=newsletter).order_by("pk")[2].pk
    assert letter_tasks == [("send_newsletter_batch", (newsletter.pk, third, 1))]
    assert len(mail.outbox) == 3


# --- Pages ---------------------------------------------------------------------------------


def url(name, collective, newsletter=None, language=""):
    kwargs = {"collective_slug": collective.slug}
    if newsletter is not None:
        kwargs["newsletter_id"] = newsletter.pk
    with translation.override(language or settings.LANGUAGE_CODE):
        return reverse(f"organiser_newsletters:{name}", kwargs=kwargs)


def test_new_letter_drafts_and_opens_the_editor_whose_errors_keep_the_text(
    client, collective, organiser
):
    """Rule: « New letter » creates Halle's draft and opens it; a rejected edit keeps what
    was typed and says why next to the field."""
    client.force_login(organiser)
    response = client.post(url("create", collective))
    newsletter = Newsletter.objects.get(collective=collective)
    assert response.status_code == 302
    assert response["Location"] == url("edit", collective, newsletter)

    response = client.post(
        url("edit", collective, newsletter), {"subject": "", "body": "Mon texte à garder"}
    )
    assert response.status_code == 200
    assert "Mon texte à garder" in response.content.decode()
    assert response.context["form"].errors["subject"]

    response = client.post(
        url("edit", collective, newsletter),
        {"subject": "Juin", "body": "Bonjour", "preview": "1"},
    )
    assert response["Location"] == url("preview", collective, newsletter)
    newsletter.refresh_from_db()
    assert newsletter.subject == "Juin"


def test_preview_shows_the_letter_as_emailed(client, collective, organiser):
    """Rule: the preview is the e-mail itself (HTML in a sandboxed frame, and its text)."""
    client.force_login(organiser)
    newsletter = Newsletter.objects.create(
        collective=collective, subject="Aperçu de juin", body="# Marché\n\nVenez samedi.\n"
    )
    response = client.get(url("preview", collective, newsletter, "en"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'sandbox=""' in html
    frame = re.search(r'<iframe id="preview-html"[^>]*srcdoc="([^"]*)"', html)
    assert frame is not None  # the e-mail's whole HTML, escaped inside the attribute
    assert "&lt;h2&gt;Marché&lt;/h2&gt;" in frame[1]
    assert "Aperçu de juin" in html
    assert mail.outbox == []


def test_send_page_counts_the_recipients_and_sends_from_a_task(
    client, collective, organiser, letter_tasks, django_capture_on_commit_callbacks
):
    """Rule: before sending, the organiser sees how many followers will receive it; « send
    now » queues the work and leads to the progress page."""
    client.force_login(organiser)
    for _ in range(3):
        follower(collective)
    newsletter = Newsletter.objects.create(collective=collective, subject="Juin", body="Bonjour")

    response = client.get(url("send", collective, newsletter, "en"))
    assert 'data-recipients="3"' in response.content.decode()
    assert "Send now to 3 followers" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("send_now", collective, newsletter))
    assert response["Location"] == url("progress", collective, newsletter)
    assert letter_tasks == [("start_newsletter", (newsletter.pk,))]
    assert mail.outbox == []


def test_a_scheduled_letter_says_when_and_can_be_taken_back(client, collective, organiser):
    """Rule: a scheduled letter shows its time on its pages, with a button to take it back
    to draft; a letter being sent opens on its progress page, not in the editor."""
    client.force_login(organiser)
    when = timezone.now() + dt.timedelta(days=2)
    newsletter = Newsletter.objects.create(
        collective=collective, subject="Juin", body="Bonjour", status=N.SCHEDULED, send_at=when
    )
    for name in ("edit", "send"):
        html = client.get(url(name, collective, newsletter, "en")).content.decode()
        assert 'id="newsletter-scheduled"' in html
        assert url("cancel_schedule", collective, newsletter) in html

    response = client.post(url("cancel_schedule", collective, newsletter))
    assert response["Location"] == url("edit", collective, newsletter)
    newsletter.refresh_from_db()
    assert newsletter.status == N.DRAFT

    Newsletter.objects.filter(pk=newsletter.pk).update(status=N.SENDING)
    response = client.get(url("edit", collective, newsletter))
    assert response["Location"] == url("progress", collective, newsletter)


def test_schedule_form_errors_are_shown_next_to_the_field(client, collective, organiser):
    """Rule: a time in the past is refused next to the field; the letter stays a draft."""
    client.force_login(organiser)
    newsletter = Newsletter.objects.create(collective=collective, subject="Juin", body="Bonjour")
    past = timezone.localtime() - dt.timedelta(days=1)
    response = client.post(
        url("schedule", collective, newsletter), {"send_at": past.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 400
    assert response.context["schedule_form"].errors["send_at"]
    newsletter.refresh_from_db()
    assert newsletter.status == N.DRAFT


def test_pages_of_another_collective_answer_404(client, collective, organiser):
    """Rule: an organiser of another collective reaches none of its letters (404 — their
    existence is not revealed), not even through their own collective's address."""
    newsletter = Newsletter.objects.create(collective=collective, subject="Privé", body="x")
    other = OrganiserFactory().user
    client.force_login(other)
    own = CollectiveFactory()
    OrganiserFactory(collective=own, user=other)
    for name in ("edit", "preview", "send", "progress", "progress_part"):
        assert client.get(url(name, collective, newsletter)).status_code == 404
        assert client.get(url(name, own, newsletter)).status_code == 404
    for name in ("send_now", "delete", "resend", "cancel_schedule"):
        assert client.post(url(name, own, newsletter)).status_code == 404
    assert client.get(url("list", collective)).status_code == 404
    assert client.post(url("create", collective)).status_code == 404
    assert Newsletter.objects.filter(collective=collective).count() == 1


def test_progress_page_counts_by_status_and_never_shows_full_addresses(
    client, collective, organiser, letter_tasks, worker, settings
):
    """Rule: the progress page counts recipients by status and lists them by display name
    or masked address — organisers never read their followers' addresses."""
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    named = follower(collective, display_name="Marie L.")
    anonymous = follower(collective, display_name="", email="jeanne.dupont@exemple.fr")
    refused = follower(collective, display_name="")
    RefusingBackend.refused = {refused.email}
    newsletter = sending(collective, organiser)
    worker()
    client.force_login(organiser)

    response = client.get(url("progress", collective, newsletter, "en"))
    html = response.content.decode()
    assert 'data-count="sent">2<' in html
    assert 'data-count="failed">1<' in html
    assert "Marie L." in html
    assert "j•••@exemple.fr" in html
    for person in (named, anonymous, refused):
        assert person.email not in html
    assert 'id="resend"' in html
    assert not re.search(r'id="newsletter-progress"[^>]*hx-get', html)  # finished: no polling

    failed_only = client.get(url("progress", collective, newsletter) + "?statut=failed")
    assert [row[0].status for row in failed_only.context["rows"]] == [D.FAILED]


def test_progress_part_polls_while_the_letter_goes_out(client, collective, organiser, letter_tasks):
    """Rule: while sending, the counts part asks for itself again (htmx polling)."""
    follower(collective)
    newsletter = sending(collective, organiser)
    client.force_login(organiser)
    part = client.get(url("progress_part", collective, newsletter)).content.decode()
    assert 'hx-trigger="every 2s"' in part
    assert 'data-count="pending">1<' in part


@pytest.mark.parametrize("size", [2, 12])
def test_list_page_reads_a_constant_number_of_queries(
    client, collective, organiser, size, django_assert_num_queries
):
    """Rule: the list of letters costs the same whatever their number (5 queries: session,
    user, organiser seat, letters with their counts, audience); its nav link is current."""
    follower(collective)
    for n in range(size):
        newsletter = Newsletter.objects.create(
            collective=collective, subject=f"Lettre {n}", body="x", status=N.SENT
        )
        NewsletterDelivery.objects.create(newsletter=newsletter, user=UserFactory(), status=D.SENT)
    client.force_login(organiser)
    with django_assert_num_queries(5):
        response = client.get(url("list", collective, language="en"))
    html = response.content.decode()
    assert html.count("data-newsletter=") == size
    assert re.search(r'href="[^"]+/lettres/" aria-current="page">Newsletters<', html)


@pytest.mark.parametrize("size", [5, 60])
def test_progress_page_reads_a_constant_number_of_queries(
    client, collective, organiser, size, django_assert_num_queries
):
    """Rule: the progress page costs the same whatever the number of recipients (7 queries:
    session, user, organiser seat, letter, counts by status, page count, page of rows)."""
    newsletter = Newsletter.objects.create(
        collective=collective, subject="Juin", body="x", status=N.SENDING
    )
    users = UserFactory.create_batch(size)
    NewsletterDelivery.objects.bulk_create(
        NewsletterDelivery(newsletter=newsletter, user=user) for user in users
    )
    client.force_login(organiser)
    with django_assert_num_queries(7):
        response = client.get(url("progress", collective, newsletter))
    assert len(response.context["rows"]) == min(size, 50)

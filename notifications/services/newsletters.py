"""A collective's newsletter: Halle's draft, the organisers' edits, scheduling, and the
fan-out of the e-mails in batches by Celery tasks (no request sends anything).

Life of a letter: ``draft`` (written by :func:`newsletter_draft`, edited by the organisers)
→ ``scheduled`` (a time is set; « send now » schedules it for now and queues its start) →
``sending`` (:func:`newsletter_start` has snapshotted the recipients) → ``sent`` (no
delivery is left to send). A resend of a sent letter puts it back to ``sending`` for its
failed deliveries only.

Recipients are snapshotted when the sending starts, in one ``INSERT … SELECT``: one
:class:`~notifications.models.NewsletterDelivery` row per follower (see
:mod:`notifications.selectors.newsletters` for who), ``pending`` or ``skipped`` for those
who unsubscribed. People who follow the collective afterwards do not get this letter.

At most once. Each batch claims its rows (``pending`` → ``sending``, ``SELECT … FOR UPDATE
SKIP LOCKED`` then ``UPDATE``, committed before any e-mail leaves), so two tasks — a task
delivered twice, a resend, the sweep re-queuing a chain — never hold the same row. Only the
claimer sends, and it records each outcome: ``sent``, or ``failed`` when the mail server
refused that message. A server that cannot be reached gives the rows back (``pending``) and
the task retries with backoff; after :data:`MAX_ATTEMPTS` they are ``failed``. Nothing ever
moves a ``sent`` row, and a resend only takes ``failed`` and ``pending`` ones. A worker that
dies between handing messages to the server and recording them leaves its rows ``sending``:
whether they left is unknown, so they are never sent again (the letter finishes without
them and the progress page counts them apart). Locks are never held across network I/O.

Batches run as a chain: a batch claims the next :data:`BATCH_SIZE` rows after its cursor
and queues the following batch as soon as its claim is committed, before it sends — with
several workers, batches of one letter are sent side by side. The last to finish marks the
letter ``sent``. A letter whose chain was lost (Redis or the worker down) is picked up by the
minute's sweep (:func:`newsletters_resume_stalled`) once nothing happened for
:data:`STALL_AFTER`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from email.utils import formataddr, parseaddr
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from collectives.models import Collective, Event
from collectives.permissions import can_organise
from merchants.story_text import render_story_text
from notifications.emails import address_of, unsubscribe_headers
from notifications.models import Newsletter, NewsletterDelivery
from notifications.queueing import queue_now, queue_on_commit
from notifications.selectors.newsletters import (
    DraftMaterial,
    due_newsletters,
    masked_email,
    newsletter_audience,
    newsletter_draft_material,
    newsletter_followers,
)
from notifications.unsubscribe import newsletter_topic, unsubscribe_url

N = Newsletter.Status
D = NewsletterDelivery.Status

# E-mails per batch: one SMTP connection each, and a claim small enough that a worker lost
# mid-batch leaves few rows unconfirmed.
BATCH_SIZE = 100
# A mail server that cannot be reached this many times for a row makes it « failed »
# (the organisers may resend it later) instead of being retried for ever.
MAX_ATTEMPTS = 3
# A letter « sending » with no batch claimed for this long lost its chain of tasks.
STALL_AFTER = dt.timedelta(minutes=10)
ERROR_LENGTH = 300

_TEMPLATES = "notifications/newsletters/email/newsletter"


# --- Writing -------------------------------------------------------------------------------


def _site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _price(value: Decimal) -> str:
    return f"{formats.number_format(value, 2)} €"


def _when(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "l j F, H:i")


def _place(event: Event) -> str:
    place = "" if event.is_online else (event.place_name or event.city)
    return f", {place}" if place else ""


def _draft_text(collective: Collective, material: DraftMaterial) -> str:
    """The body Halle proposes, in the active language: short sections (``# Title``), one
    line per item and its absolute link on the next (``<https://…>``, a link in the HTML
    version and readable as text)."""
    # Links in the default language (no /en/ prefix): the letter goes to everybody.
    with translation.override(settings.LANGUAGE_CODE):
        collective_link = _site_link(collective.get_absolute_url())
        # ?source=newsletter: a reservation made from the letter says where it came from.
        product_links = [
            _site_link(p.get_absolute_url() + "?source=newsletter") for p in material.products
        ]
        event_links = [_site_link(o.event.get_absolute_url()) for o in material.occurrences]
        group_buy_links = [
            _site_link(reverse("group_buys:detail", kwargs={"group_buy_id": g.pk}))
            for g in material.group_buys
        ]
        story_links = [
            _site_link(
                reverse("catalog:story", kwargs={"merchant_slug": s.merchant.slug, "slug": s.slug})
            )
            for s in material.stories
        ]
    lines = [
        _("Hello,"),
        "",
        _("Here is what is new this week at %(collective)s.") % {"collective": collective.name},
    ]

    def section(title: str, items: Iterable[tuple[str, str]]) -> None:
        lines.extend(["", f"# {title}", ""])
        for text, link in items:
            lines.extend([f"- {text}", f"  <{link}>"])

    if material.products:
        section(
            _("New products"),
            (
                (f"{p.title} — {p.merchant.name}, {_price(p.price)}", link)
                for p, link in zip(material.products, product_links, strict=True)
            ),
        )
    if material.occurrences:
        section(
            _("Coming up"),
            (
                (f"{_when(o.starts_at)} — {o.event.title}{_place(o.event)}", link)
                for o, link in zip(material.occurrences, event_links, strict=True)
            ),
        )
    if material.group_buys:
        section(
            _("Group buys open now"),
            (
                (
                    _("%(product)s — %(shop)s, until %(deadline)s")
                    % {
                        "product": g.product.title,
                        "shop": g.merchant.name,
                        "deadline": _when(g.deadline),
                    },
                    link,
                )
                for g, link in zip(material.group_buys, group_buy_links, strict=True)
            ),
        )
    if material.stories:
        section(
            _("Stories from our shops"),
            (
                (f"« {s.title} » — {s.merchant.name}", link)
                for s, link in zip(material.stories, story_links, strict=True)
            ),
        )
    if material.is_empty:
        lines.extend(["", _("Nothing new on Halle this week: write your own news here.")])
    lines.extend(
        [
            "",
            _("See you soon in our shops!"),
            _("The team of %(collective)s") % {"collective": collective.name},
            f"<{collective_link}>",
        ]
    )
    return "\n".join(lines) + "\n"


@transaction.atomic
def newsletter_draft(
    *, actor: User, collective: Collective, now: dt.datetime | None = None
) -> Newsletter:
    """A new draft letter, written by Halle from the collective's week (see
    :func:`~notifications.selectors.newsletters.newsletter_draft_material`) in the
    organiser's language; the organisers then edit it."""
    require(can_organise(actor, collective))
    now = now or timezone.now()
    material = newsletter_draft_material(collective=collective, now=now)
    with translation.override(actor.preferred_language or settings.LANGUAGE_CODE):
        subject = _("%(collective)s: this week (%(date)s)") % {
            "collective": collective.name,
            "date": formats.date_format(timezone.localtime(now), "j F"),
        }
        body = _draft_text(collective, material)
    newsletter = Newsletter(
        collective=collective, subject=subject[:200], body=body, created_by=actor
    )
    newsletter.full_clean()
    newsletter.save()
    return newsletter


def _locked(newsletter: Newsletter) -> Newsletter:
    """The letter's row, locked and read again (its status may have moved on)."""
    return (
        Newsletter.objects.select_for_update(of=("self",))
        .select_related("collective")
        .get(pk=newsletter.pk)
    )


def _require_editable(newsletter: Newsletter) -> None:
    if newsletter.status not in (N.DRAFT, N.SCHEDULED):
        raise ValidationError(
            _("This letter is being sent or was sent: it can no longer be changed."),
            code="not_editable",
        )


@transaction.atomic
def newsletter_update(
    *, actor: User, newsletter: Newsletter, subject: str, body: str
) -> Newsletter:
    """Change the subject and text of a draft or scheduled letter (a scheduled one keeps its
    time)."""
    require(can_organise(actor, newsletter.collective))
    newsletter = _locked(newsletter)
    _require_editable(newsletter)
    newsletter.subject = subject.strip()
    newsletter.body = body.strip() + "\n"
    newsletter.full_clean()
    newsletter.save(update_fields=["subject", "body", "updated_at"])
    return newsletter


@transaction.atomic
def newsletter_delete(*, actor: User, newsletter: Newsletter) -> None:
    """Throw away a draft (a letter scheduled, being sent or sent is kept)."""
    require(can_organise(actor, newsletter.collective))
    newsletter = _locked(newsletter)
    if newsletter.status != N.DRAFT:
        raise ValidationError(_("Only a draft can be deleted."), code="not_draft")
    newsletter.delete()


@transaction.atomic
def newsletter_schedule(
    *, actor: User, newsletter: Newsletter, send_at: dt.datetime, now: dt.datetime | None = None
) -> Newsletter:
    """Send the letter at ``send_at`` (in the future): the minute's sweep starts it then."""
    require(can_organise(actor, newsletter.collective))
    newsletter = _locked(newsletter)
    _require_editable(newsletter)
    if send_at <= (now or timezone.now()):
        raise ValidationError({"send_at": _("Choose a time in the future.")}, code="send_at_past")
    newsletter.status = N.SCHEDULED
    newsletter.send_at = send_at
    newsletter.full_clean()
    newsletter.save(update_fields=["status", "send_at", "updated_at"])
    return newsletter


@transaction.atomic
def newsletter_cancel_schedule(*, actor: User, newsletter: Newsletter) -> Newsletter:
    """Back to draft: a scheduled letter that has not started is not sent."""
    require(can_organise(actor, newsletter.collective))
    newsletter = _locked(newsletter)
    if newsletter.status != N.SCHEDULED:
        raise ValidationError(
            _("This letter is not scheduled (it may have started already)."),
            code="not_scheduled",
        )
    newsletter.status = N.DRAFT
    newsletter.send_at = None
    newsletter.save(update_fields=["status", "send_at", "updated_at"])
    return newsletter


@transaction.atomic
def newsletter_send_now(
    *, actor: User, newsletter: Newsletter, now: dt.datetime | None = None
) -> Newsletter:
    """Send the letter as soon as a worker takes it: it is scheduled for now and its start is
    queued after commit (the minute's sweep starts it anyway if that task is lost)."""
    require(can_organise(actor, newsletter.collective))
    newsletter = _locked(newsletter)
    _require_editable(newsletter)
    if not newsletter_audience(collective=newsletter.collective).recipients:
        raise ValidationError(
            _("Nobody can receive this letter yet: the collective has no follower to e-mail."),
            code="no_recipient",
        )
    newsletter.status = N.SCHEDULED
    newsletter.send_at = now or timezone.now()
    newsletter.save(update_fields=["status", "send_at", "updated_at"])
    from notifications.tasks_newsletters import start_newsletter

    # A broker down is logged, never raised into the request: the sweep starts it anyway.
    queue_on_commit(start_newsletter, newsletter.pk)
    return newsletter


@transaction.atomic
def newsletter_resend(*, actor: User, newsletter: Newsletter) -> int:
    """Send a sent letter again to the recipients it failed to reach — never to anyone it
    was sent to. Returns how many deliveries are queued again."""
    require(can_organise(actor, newsletter.collective))
    newsletter = _locked(newsletter)
    if newsletter.status != N.SENT:
        raise ValidationError(
            _("Only a letter that finished sending can be sent again."), code="not_sent"
        )
    rows = NewsletterDelivery.objects.filter(newsletter=newsletter)
    rows.filter(status=D.FAILED).update(status=D.PENDING, error="")
    count = rows.filter(status=D.PENDING).count()
    if not count:
        raise ValidationError(
            _("Every recipient was reached: there is nobody to send it to again."),
            code="nothing_to_resend",
        )
    newsletter.status = N.SENDING
    newsletter.finished_at = None
    newsletter.save(update_fields=["status", "finished_at", "updated_at"])
    transaction.on_commit(partial(_queue_batch, newsletter.pk, 0, BATCH_SIZE))
    return count


# --- Sending -------------------------------------------------------------------------------


def _queue_batch(newsletter_id: int, after_id: int, size: int) -> None:
    """Queue a batch; a broker that cannot be reached is logged (the stall sweep resumes the
    letter), never raised into the organiser's request."""
    from notifications.tasks_newsletters import send_newsletter_batch

    queue_now(send_newsletter_batch, newsletter_id, after_id, size)


def _snapshot(newsletter: Newsletter) -> None:
    """One delivery row per follower who can receive it, in one ``INSERT … SELECT`` (a
    100,000-follower collective is one statement, not 100,000 round trips)."""
    followers = (
        newsletter_followers(collective=newsletter.collective)
        .order_by("user_id")
        .values_list("user_id", "unsubscribed")  # type: ignore[misc]  # an annotation
    )
    select_sql, params = followers.query.sql_with_params()
    table = NewsletterDelivery._meta.db_table
    # The table name comes from the model and the SELECT from Django's compiler, with its
    # own placeholders: nothing typed by anyone is pasted into this statement.
    sql = (
        f'INSERT INTO "{table}" (newsletter_id, user_id, status, attempts, error) '  # noqa: S608
        "SELECT %s, follower.user_id, "
        "CASE WHEN follower.unsubscribed THEN %s ELSE %s END, 0, '' "
        f"FROM ({select_sql}) AS follower "
        "ON CONFLICT (newsletter_id, user_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [newsletter.pk, D.SKIPPED, D.PENDING, *params])


@transaction.atomic
def newsletter_start(*, newsletter_id: int, now: dt.datetime | None = None) -> Newsletter | None:
    """Start sending a scheduled letter whose time has come: claim it (``scheduled`` →
    ``sending``, a conditional UPDATE: two starts at once, one wins), snapshot its
    recipients, count them, and queue the first batch after commit. Returns None when there
    was nothing to start (not due, cancelled, or started already)."""
    now = now or timezone.now()
    claimed = Newsletter.objects.filter(
        pk=newsletter_id, status=N.SCHEDULED, send_at__lte=now
    ).update(status=N.SENDING, started_at=now, finished_at=None, updated_at=now)
    if not claimed:
        return None
    newsletter = Newsletter.objects.select_related("collective").get(pk=newsletter_id)
    _snapshot(newsletter)
    newsletter.recipient_count = NewsletterDelivery.objects.filter(
        newsletter=newsletter, status=D.PENDING
    ).count()
    fields = ["recipient_count"]
    if not newsletter.recipient_count:
        newsletter.status, newsletter.finished_at = N.SENT, now
        fields += ["status", "finished_at"]
    Newsletter.objects.filter(pk=newsletter.pk).update(
        **{field: getattr(newsletter, field) for field in fields}
    )
    if newsletter.recipient_count:
        transaction.on_commit(partial(_queue_batch, newsletter.pk, 0, BATCH_SIZE))
    return newsletter


@dataclass(frozen=True)
class BatchOutcome:
    """What one batch did: rows claimed, sent, failed and given back; the cursor queued for
    the next batch (None when there was nothing left to claim); whether it finished the
    letter."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    released: int = 0
    next_after_id: int | None = None
    finished: bool = False


class MailServerUnavailable(OSError):
    """The mail server could not be used: the rows not handed over went back to the queue
    (an ``OSError``, as smtplib's errors are, so the task retries it)."""


def _claim(newsletter_id: int, after_id: int, size: int, now: dt.datetime) -> list[int]:
    """Take up to ``size`` pending rows after ``after_id`` (rows another transaction is
    claiming are skipped, not waited for); committed before anything is sent."""
    with transaction.atomic():
        ids = list(
            NewsletterDelivery.objects.filter(
                newsletter_id=newsletter_id, status=D.PENDING, pk__gt=after_id
            )
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            NewsletterDelivery.objects.filter(pk__in=ids).update(status=D.SENDING)
            # The heartbeat the stall sweep reads.
            Newsletter.objects.filter(pk=newsletter_id).update(updated_at=now)
    return ids


def _finish_if_done(newsletter_id: int, now: dt.datetime) -> bool:
    """``sent`` once no row waits or is being sent. Every batch checks after recording its
    own rows, so of two batches ending together at least one sees the other's outcome."""
    busy = NewsletterDelivery.objects.filter(
        newsletter_id=newsletter_id, status__in=[D.PENDING, D.SENDING]
    ).exists()
    if busy:
        return False
    return bool(
        Newsletter.objects.filter(pk=newsletter_id, status=N.SENDING).update(
            status=N.SENT, finished_at=now, updated_at=now
        )
    )


def newsletter_body_html(body: str) -> SafeString:
    """The letter's text as safe HTML: Markdown (``# sections``, lists, emphasis, links)
    through the stories' sanitiser; bare web addresses become links too."""
    linked = re.sub(r"(?<![<(\[])\b(https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?»])", r"<\1>", body)
    return render_story_text(linked)


@dataclass(frozen=True)
class _Letter:
    """What every e-mail of one letter shares, computed once per batch."""

    newsletter: Newsletter
    body_html: SafeString
    from_email: str
    list_id: str
    collective_link: str


def _letter(newsletter: Newsletter) -> _Letter:
    collective = newsletter.collective
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    host = urlsplit(settings.SITE_URL).hostname or "halle.localhost"
    with translation.override(settings.LANGUAGE_CODE):
        collective_link = _site_link(collective.get_absolute_url())
    return _Letter(
        newsletter=newsletter,
        body_html=newsletter_body_html(newsletter.body),
        # The collective's name in the From: people recognise who writes to them.
        from_email=formataddr((collective.name, address)),
        list_id=f"<newsletter-{collective.pk}.{host}>",
        collective_link=collective_link,
    )


def _message(letter: _Letter, user: User) -> EmailMultiAlternatives:
    """The e-mail to one person: the letter as written, in a frame (the collective's name,
    a footer with the unsubscribe link) in the person's language; plain text and HTML; the
    one-click unsubscribe headers of RFC 2369 and RFC 8058."""
    newsletter = letter.newsletter
    link = unsubscribe_url(user, newsletter_topic(newsletter.collective_id))
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "newsletter": newsletter,
            "collective": newsletter.collective,
            "body_html": letter.body_html,
            "unsubscribe_url": link,
            "collective_link": letter.collective_link,
        }
        text = render_to_string(f"{_TEMPLATES}.txt", context)
        html = render_to_string(f"{_TEMPLATES}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(newsletter.subject.split()),
        body=text,
        from_email=letter.from_email,
        to=[address_of(user)],
        headers={**unsubscribe_headers(link), "List-Id": letter.list_id},
    )
    message.attach_alternative(html, "text/html")
    return message


@dataclass
class _Batch:
    """The rows of one batch as they are handled: ``queue`` still to hand to the mail
    server, ``sent``, ``failed`` (with the server's answer), and ``problem`` when the server
    could not be used."""

    queue: list[int]
    sent: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    problem: str = ""


_ADDRESS = re.compile(r"[^\s<>()\[\]'\"{},;:]+@[^\s<>()\[\]'\"{},;:]+")


def _server_text(value: object) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _error_text(error: BaseException) -> str:
    """The server's answer as organisers may read it: code and text, addresses masked."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, answer = next(iter(error.recipients.values()))
        text = f"{code} {_server_text(answer)}"
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {_server_text(error.smtp_error)}"
    else:
        text = str(error) or error.__class__.__name__
    return _ADDRESS.sub(lambda match: masked_email(match[0]), text)[:ERROR_LENGTH]


def newsletter_preview(*, actor: User, newsletter: Newsletter) -> EmailMultiAlternatives:
    """The e-mail as the organiser would receive it (their own unsubscribe link): what the
    preview page shows. Sends nothing."""
    require(can_organise(actor, newsletter.collective))
    return _message(_letter(newsletter), actor)


def _send(letter: _Letter, batch: _Batch) -> None:
    """Write and send the batch's e-mails over one connection, recording each outcome in
    ``batch`` as it happens (so that whatever interrupts it, what left is known)."""
    people = {
        row.pk: row.user
        for row in NewsletterDelivery.objects.filter(pk__in=batch.queue).select_related("user")
    }
    # A person who deleted their account meanwhile took their row with them.
    batch.queue = [pk for pk in batch.queue if pk in people]
    mailer = get_connection()
    try:
        mailer.open()
    except OSError as error:  # smtplib's errors are OSErrors
        batch.problem = _error_text(error)
        return
    try:
        while batch.queue:
            pk = batch.queue[0]
            message = _message(letter, people[pk])
            try:
                mailer.send_messages([message])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                # This message was refused; the connection is still good for the next one.
                batch.failed[pk] = _error_text(error)
            except OSError as error:
                # The connection broke: whether this one left is unknown, so it is counted as
                # failed (the task's retry does not send it again); the rest wait.
                batch.failed[pk] = batch.problem = _error_text(error)
                batch.queue.pop(0)
                return
            else:
                batch.sent.append(pk)
            batch.queue.pop(0)
    finally:
        # Every message was already handed over and recorded by now.
        with contextlib.suppress(OSError):
            mailer.close()


def _record(
    sent: Sequence[int], failed: dict[int, str], unsent: Sequence[int], now: dt.datetime
) -> int:
    """Write the outcome of a batch. Rows not handed to the mail server go back to
    ``pending`` (the retry takes them), or to ``failed`` after :data:`MAX_ATTEMPTS`
    tries. Returns how many went back."""
    claimed = NewsletterDelivery.objects.filter(status=D.SENDING)
    with transaction.atomic():
        if sent:
            claimed.filter(pk__in=sent).update(
                status=D.SENT, sent_at=now, attempts=F("attempts") + 1, error=""
            )
        by_error: dict[str, list[int]] = defaultdict(list)
        for pk, error in failed.items():
            by_error[error].append(pk)
        for error, pks in by_error.items():
            claimed.filter(pk__in=pks).update(
                status=D.FAILED, attempts=F("attempts") + 1, error=error
            )
        released = 0
        if unsent:
            rows = claimed.filter(pk__in=unsent)
            rows.filter(attempts__gte=MAX_ATTEMPTS - 1).update(
                status=D.FAILED,
                attempts=F("attempts") + 1,
                error=_("The mail server could not be reached."),
            )
            released = rows.update(status=D.PENDING, attempts=F("attempts") + 1)
    return released


def newsletter_send_batch(
    *, newsletter_id: int, after_id: int = 0, size: int = BATCH_SIZE, queue_next: bool = True
) -> BatchOutcome:
    """Send one batch of a letter being sent: claim up to ``size`` pending rows after
    ``after_id``, queue the next batch (unless ``queue_next`` is False: a task's retry, whose
    successor is already queued), send the claimed e-mails over one SMTP connection
    (``get_connection`` + ``send_messages``), record each outcome, and finish the letter
    when nothing is left. Safe to run twice: a row is sent only by the batch that claimed
    it. Raises ``OSError`` when the mail server could not be used, after giving the rows not
    handed over back, so that the task retries (with backoff).

    Not one transaction: the claim and the outcome are two short ones, with the sending in
    between and no lock held (see the module's docstring)."""
    now = timezone.now()
    newsletter = (
        Newsletter.objects.select_related("collective")
        .filter(pk=newsletter_id, status=N.SENDING)
        .first()
    )
    if newsletter is None:
        return BatchOutcome()
    ids = _claim(newsletter_id, after_id, size, now)
    if not ids:
        return BatchOutcome(finished=_finish_if_done(newsletter_id, now))
    if queue_next:
        # The next batch may start on another worker while this one sends.
        transaction.on_commit(partial(_queue_batch, newsletter_id, ids[-1], size))
    batch = _Batch(queue=list(ids))
    try:
        _send(_letter(newsletter), batch)
    finally:
        # Whatever stopped the sending (a template error too), what was handed over is
        # recorded and the rest goes back to the queue.
        released = _record(batch.sent, batch.failed, batch.queue, timezone.now())
    finished = _finish_if_done(newsletter_id, timezone.now())
    if batch.problem:
        raise MailServerUnavailable(batch.problem)
    return BatchOutcome(
        claimed=len(ids),
        sent=len(batch.sent),
        failed=len(batch.failed),
        released=released,
        next_after_id=ids[-1],
        finished=finished,
    )


# --- The minute's sweep --------------------------------------------------------------------


def newsletters_due(*, now: dt.datetime | None = None) -> list[int]:
    """The ids of the scheduled letters whose time has come."""
    return list(due_newsletters(now=now).order_by("send_at", "pk").values_list("pk", flat=True))


def newsletters_resume_stalled(*, now: dt.datetime | None = None) -> int:
    """Letters « sending » where no batch claimed anything for :data:`STALL_AFTER`: their
    chain of tasks was lost. Queue a new chain when rows still wait; otherwise finish the
    letter (rows left ``sending`` by a worker that died are not sent again). Returns how
    many letters were resumed or finished."""
    now = now or timezone.now()
    stalled = list(
        Newsletter.objects.filter(status=N.SENDING, updated_at__lt=now - STALL_AFTER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for newsletter_id in stalled:
        waiting = NewsletterDelivery.objects.filter(
            newsletter_id=newsletter_id, status=D.PENDING
        ).exists()
        if waiting:
            # Touched first, so that the next sweep waits STALL_AFTER again.
            Newsletter.objects.filter(pk=newsletter_id).update(updated_at=now)
            transaction.on_commit(partial(_queue_batch, newsletter_id, 0, BATCH_SIZE))
        else:
            Newsletter.objects.filter(pk=newsletter_id, status=N.SENDING).update(
                status=N.SENT, finished_at=now, updated_at=now
            )
    return len(stalled)

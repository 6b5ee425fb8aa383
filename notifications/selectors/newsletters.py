"""Reads behind a collective's newsletters: who receives them, what Halle puts in the draft,
the organisers' list and a letter's progress.

Recipients. A letter goes to the people following the collective whose account is active
and whose log-in address is verified (allauth's ``EmailAddress``: a typo at sign-up never
receives mail); it is sent to their notification address when they gave one, else to the
log-in one. A follower who unsubscribed from this collective's letters (a
:class:`~notifications.models.Preference` of kind ``newsletter:<collective id>`` set to
``off``, written by the one-click unsubscribe link) or from every e-mail but the essential
ones (kind ``all``) — ``notifications.selectors.preferences.opted_out_of_newsletter`` — is
kept in the snapshot as *skipped*, so the organisers' figures add up.

What organisers see of their followers. A collective's followers are customers of its member
shops, not the organisers' contacts: the progress page names a recipient by the display name
they chose (« Marie L. ») or, without one, by a masked address (« m•••@exemple.fr »), never
the full address. That is enough to see that a letter reached people, and to spot a
failing domain, without turning the organiser space into an address book.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from collectives.models import Collective, EventOccurrence, Follow, Membership
from merchants.models import Story
from notifications.models import Newsletter, NewsletterDelivery
from notifications.selectors.preferences import opted_out_of_newsletter
from orders.models import GroupBuy

D = NewsletterDelivery.Status

# What the draft covers: the week gone by, and the fortnight ahead for events.
DRAFT_LOOKBACK = dt.timedelta(days=7)
DRAFT_EVENTS_AHEAD = dt.timedelta(days=14)
# At most this many lines per section: a letter is read on a phone.
DRAFT_SECTION_LIMIT = 10


# --- Recipients ----------------------------------------------------------------------------


def _can_receive(collective: Collective) -> QuerySet[Follow]:
    """The collective's followers with an active account and a verified log-in address.
    One row per person (a person follows a collective once: a unique constraint)."""
    verified = EmailAddress.objects.annotate(lower_email=Lower("email")).filter(
        user_id=OuterRef("user_id"), verified=True, lower_email=Lower(OuterRef("user__email"))
    )
    return Follow.objects.filter(collective=collective, user__is_active=True).filter(
        Exists(verified)
    )


def _unsubscribed(collective: Collective) -> Exists:
    return Exists(opted_out_of_newsletter(collective.pk).filter(user_id=OuterRef("user_id")))


def newsletter_followers(*, collective: Collective) -> QuerySet[Follow]:
    """The collective's followers who can receive a letter, annotated with
    ``unsubscribed``."""
    return _can_receive(collective).annotate(unsubscribed=_unsubscribed(collective))


@dataclass(frozen=True)
class Audience:
    """How many followers a letter would reach now, and how many unsubscribed."""

    recipients: int
    unsubscribed: int


def newsletter_audience(*, collective: Collective) -> Audience:
    """The figures of the « send » confirmation. One query."""
    counts = _can_receive(collective).aggregate(
        total=Count("pk"), unsubscribed=Count("pk", filter=_unsubscribed(collective))
    )
    return Audience(
        recipients=counts["total"] - counts["unsubscribed"],
        unsubscribed=counts["unsubscribed"],
    )


def recipient_address() -> Coalesce:
    """Where a person's letter goes, as a query expression on ``User``: their notification
    address when they gave one, else their log-in address."""
    return Coalesce(NullIf(F("notification_email"), Value("")), F("email"))


def recipient_label(user: User) -> str:
    """How the organisers' pages name a recipient: their display name, else their masked
    address (see the module's docstring)."""
    return user.display_name or masked_email(user.email)


def masked_email(address: str) -> str:
    """« marie@exemple.fr » → « m•••@exemple.fr »: the first letter and the domain only."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


# --- The organiser space -------------------------------------------------------------------


def organiser_newsletters(*, collective: Collective) -> QuerySet[Newsletter]:
    """The collective's letters, newest first, each with how many were sent and failed.
    One query whatever their number (the counts are grouped on the deliveries' index)."""
    return (
        Newsletter.objects.filter(collective=collective)
        .annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__status=D.SENT)),
            failed_count=Count("deliveries", filter=Q(deliveries__status=D.FAILED)),
        )
        .order_by("-created_at", "-pk")
    )


def organiser_newsletter(*, collective: Collective, newsletter_id: int) -> Newsletter:
    """One letter of the collective; 404 for any other (another collective's included)."""
    newsletter = (
        Newsletter.objects.select_related("collective")
        .filter(collective=collective, pk=newsletter_id)
        .first()
    )
    if newsletter is None:
        raise Http404
    return newsletter


@dataclass(frozen=True)
class Progress:
    """A letter's deliveries counted by status. ``done`` counts what is settled (sent,
    skipped, failed); ``sending`` rows are in a batch under way — or, once the letter is
    finished, were interrupted before the mail server confirmed them (they are not sent
    again: see :mod:`notifications.services.newsletters`)."""

    pending: int
    sending: int
    sent: int
    skipped: int
    failed: int

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.sent + self.skipped + self.failed

    @property
    def done(self) -> int:
        return self.sent + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)

    @property
    def to_retry(self) -> int:
        """What a resend would send: the failed rows, and any still waiting."""
        return self.failed + self.pending


def newsletter_progress(*, newsletter: Newsletter) -> Progress:
    """The counts of the progress page. One query (an index on (newsletter, status))."""
    rows = (
        NewsletterDelivery.objects.filter(newsletter=newsletter)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["status"]: row["n"] for row in rows}
    return Progress(**{status: counts.get(status, 0) for status in D.values})


def newsletter_deliveries(
    *, newsletter: Newsletter, status: str = ""
) -> QuerySet[NewsletterDelivery]:
    """The letter's recipients in the order they were snapshotted, optionally of one status,
    with the little of each person the page shows (see :func:`recipient_label`)."""
    rows = NewsletterDelivery.objects.filter(newsletter=newsletter)
    if status in D.values:
        rows = rows.filter(status=status)
    return (
        rows.select_related("user")
        .only(
            "status",
            "attempts",
            "sent_at",
            "error",
            "newsletter_id",
            "user__display_name",
            "user__email",
        )
        .order_by("pk")
    )


# --- What Halle drafts ---------------------------------------------------------------------


@dataclass(frozen=True)
class DraftMaterial:
    """What happened in the collective, for the draft of a letter."""

    products: list[Product]
    occurrences: list[EventOccurrence]
    group_buys: list[GroupBuy]
    stories: list[Story]

    @property
    def is_empty(self) -> bool:
        return not (self.products or self.occurrences or self.group_buys or self.stories)


def newsletter_draft_material(*, collective: Collective, now: dt.datetime) -> DraftMaterial:
    """The week of the collective, as the public sees it:

    - products published in the last 7 days by its active member shops (newest first);
    - the dates of its published events starting in the next 14 days (cancelled dates left
      out), soonest first;
    - the open group buys of its member shops or opened for it, their deadline not passed,
      soonest deadline first;
    - the stories its member shops published in the last 7 days.

    Four queries, at most :data:`DRAFT_SECTION_LIMIT` lines each."""
    since = now - DRAFT_LOOKBACK
    members = Membership.objects.filter(
        collective=collective, status=Membership.Status.ACTIVE
    ).values("merchant_id")
    products = list(
        Product.objects.published()
        .for_collective(collective)
        .filter(published_at__gte=since, published_at__lte=now)
        .select_related("merchant")
        .order_by("-published_at", "-pk")[:DRAFT_SECTION_LIMIT]
    )
    occurrences = list(
        EventOccurrence.objects.filter(
            event__collective=collective,
            event__status="published",
            status=EventOccurrence.Status.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + DRAFT_EVENTS_AHEAD,
        )
        .select_related("event__collective")
        .order_by("starts_at", "pk")[:DRAFT_SECTION_LIMIT]
    )
    group_buys = list(
        GroupBuy.objects.filter(
            Q(merchant_id__in=members) | Q(collective=collective),
            status=GroupBuy.Status.OPEN,
            deadline__gt=now,
            merchant__status="active",
            product__status="published",
        )
        .select_related("product", "merchant")
        .order_by("deadline", "pk")[:DRAFT_SECTION_LIMIT]
    )
    stories = list(
        Story.objects.published()
        .filter(merchant_id__in=members, published_at__gte=since, published_at__lte=now)
        .select_related("merchant")
        .order_by("-published_at", "-pk")[:DRAFT_SECTION_LIMIT]
    )
    return DraftMaterial(products, occurrences, group_buys, stories)


def due_newsletters(*, now: dt.datetime | None = None) -> QuerySet[Newsletter]:
    """Scheduled letters whose time has come (the minute's sweep starts them)."""
    return Newsletter.objects.filter(
        status=Newsletter.Status.SCHEDULED, send_at__lte=now or timezone.now()
    )

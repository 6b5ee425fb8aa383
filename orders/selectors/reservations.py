"""Reads of click & collect reservations: when a product can be picked up, what a product
page offers, a customer's reservations and a shop's inbox — each scoped to the actor or the
shop and fetched with what its page shows, so a page makes a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.permissions import Actor
from catalog.models import Product
from collectives.models import EventOccurrence, EventParticipation, Membership
from merchants.hours import PARIS, format_hour
from merchants.models import Closure, Merchant, OpeningHours
from orders.codes import normalise_pickup_code
from orders.models import Reservation, ReservationLine, Source

# The most units of one product a customer reserves at once: beyond that, the shop is
# better asked directly (and one person cannot empty a shelf by mistake).
MAX_QUANTITY = 20
# Opening days offered for pickup, looked for over the coming weeks (a shop on holiday for
# a fortnight still offers the days after it).
PICKUP_DAYS = 6
PICKUP_LOOKAHEAD_DAYS = 30
# Event dates offered: the shop's stands over the next two months.
PICKUP_EVENTS = 5
PICKUP_EVENT_HORIZON = dt.timedelta(days=60)
# Today (or an event under way) is offered only while the shop has time to prepare.
PREPARATION_MARGIN = dt.timedelta(hours=1)

DAY_PREFIX = "day:"
EVENT_PREFIX = "event:"


@dataclass(frozen=True)
class PickupChoice:
    """One pickup the customer may choose: an opening day of the shop (until its closing
    time) or a date of an event where the shop has a stand (until the date ends)."""

    key: str  # what the form posts: « day:2025-06-03 » or « event:<occurrence id> »
    label: str
    deadline: dt.datetime
    occurrence: EventOccurrence | None = None

    @property
    def is_event(self) -> bool:
        return self.occurrence is not None


def pickup_choices(*, merchant: Merchant, now: dt.datetime | None = None) -> list[PickupChoice]:
    """The shop's next opening days, then its upcoming event dates (three queries).

    A day counts when the shop has opening hours that weekday and no closure then; its
    deadline is the day's last closing time, in Paris. Today counts while it closes at least
    an hour from now. Event dates are those of published events of active collectives where
    the shop's participation is accepted, not cancelled and not about to end."""
    now = now or timezone.now()
    choices = _day_choices(merchant, now)
    choices += _event_choices(merchant, now)
    return choices


def _day_choices(merchant: Merchant, now: dt.datetime) -> list[PickupChoice]:
    today = now.astimezone(PARIS).date()
    closing: dict[int, dt.time] = {}
    for row in OpeningHours.objects.filter(merchant=merchant).only("weekday", "closes"):
        closing[row.weekday] = max(closing.get(row.weekday, row.closes), row.closes)
    if not closing:
        return []
    closures = list(
        Closure.objects.filter(merchant=merchant, ends_on__gte=today).only("starts_on", "ends_on")
    )
    choices = []
    for offset in range(PICKUP_LOOKAHEAD_DAYS):
        day = today + dt.timedelta(days=offset)
        closes = closing.get(day.weekday())
        if closes is None or any(c.starts_on <= day <= c.ends_on for c in closures):
            continue
        deadline = dt.datetime.combine(day, closes, tzinfo=PARIS)
        if deadline - PREPARATION_MARGIN < now:
            continue
        choices.append(
            PickupChoice(
                key=f"{DAY_PREFIX}{day.isoformat()}",
                label=_day_label(day, offset, closes),
                deadline=deadline,
            )
        )
        if len(choices) == PICKUP_DAYS:
            break
    return choices


def _day_label(day: dt.date, offset: int, closes: dt.time) -> str:
    values = {"date": formats.date_format(day, "l j F"), "time": format_hour(closes)}
    if offset == 0:
        return _("Today, %(date)s, in the shop until %(time)s") % values
    if offset == 1:
        return _("Tomorrow, %(date)s, in the shop until %(time)s") % values
    return _("%(date)s, in the shop until %(time)s") % {**values, "date": capfirst(values["date"])}


def _event_choices(merchant: Merchant, now: dt.datetime) -> list[PickupChoice]:
    # A stand at the events of collectives the shop is still an active member of.
    member_of = Membership.objects.filter(merchant=merchant, status="active").values(
        "collective_id"
    )
    taking_part = EventParticipation.objects.filter(
        merchant=merchant,
        status=EventParticipation.Status.ACCEPTED,
        event__collective_id__in=member_of,
    ).values("event_id")
    occurrences = (
        EventOccurrence.objects.filter(
            event_id__in=taking_part,
            event__status="published",
            event__collective__status="active",
            status=EventOccurrence.Status.SCHEDULED,
            ends_at__gt=now + PREPARATION_MARGIN,
            starts_at__lt=now + PICKUP_EVENT_HORIZON,
        )
        .select_related("event")
        .order_by("starts_at", "pk")[:PICKUP_EVENTS]
    )
    return [
        PickupChoice(
            key=f"{EVENT_PREFIX}{occurrence.pk}",
            label=_event_label(occurrence),
            deadline=occurrence.ends_at,
            occurrence=occurrence,
        )
        for occurrence in occurrences
    ]


def _event_label(occurrence: EventOccurrence) -> str:
    starts = timezone.localtime(occurrence.starts_at, PARIS)
    ends = timezone.localtime(occurrence.ends_at, PARIS)
    event = occurrence.event
    return _("%(event)s%(place)s, %(date)s, %(start)s – %(end)s") % {
        "event": event.title,
        "place": f" ({event.place_name})" if event.place_name else "",
        "date": formats.date_format(starts, "l j F"),
        "start": format_hour(starts.time()),
        "end": format_hour(ends.time()),
    }


def pickup_choice(
    *, merchant: Merchant, key: str, now: dt.datetime | None = None
) -> PickupChoice | None:
    """The choice ``key`` names, if the shop offers it now (else None: a stale page)."""
    return next((c for c in pickup_choices(merchant=merchant, now=now) if c.key == key), None)


# --- What a product page offers --------------------------------------------------------------


@dataclass
class ReservationOffer:
    """The reserve form of a product page. ``refusal`` says why there is no form:
    ``not_public`` (a draft seen by its shop), ``sold_out``, ``no_pickup`` (the shop has no
    opening hours nor event dates ahead); empty when the customer may reserve."""

    product: Product
    source: str
    refusal: str = ""
    choices: list[PickupChoice] = field(default_factory=list)
    max_quantity: int = MAX_QUANTITY

    @property
    def can_reserve(self) -> bool:
        return not self.refusal


def clean_source(value: str | None) -> str:
    """Where the customer came from, as a link says (``?source=live``); anything unknown —
    or a group buy, which only the group-buy services record — counts as the product page."""
    if value in Source.values and value != Source.GROUP_BUY:
        return str(value)
    return Source.DIRECT


def reservation_offer(
    *, actor: Actor, product: Product, source: str | None = None, now: dt.datetime | None = None
) -> ReservationOffer:
    """What the product page's reserve block shows (no query for a product that cannot be
    reserved; three for the pickup choices otherwise). ``product.merchant`` is loaded."""
    offer = ReservationOffer(product=product, source=clean_source(source))
    if (
        product.status != Product.Status.PUBLISHED
        or product.merchant.status != Merchant.Status.ACTIVE
    ):
        offer.refusal = "not_public"
        return offer
    if product.stock is not None and product.stock <= 0:
        offer.refusal = "sold_out"
        return offer
    offer.choices = pickup_choices(merchant=product.merchant, now=now)
    if not offer.choices:
        offer.refusal = "no_pickup"
    if product.stock is not None:
        offer.max_quantity = min(MAX_QUANTITY, product.stock)
    return offer


def product_for_reservation(*, merchant_slug: str, slug: str) -> Product:
    """A published product of an active shop, with its shop; 404 otherwise."""
    product = (
        Product.objects.published()
        .select_related("merchant")
        .filter(merchant__slug=merchant_slug, slug=slug)
        .first()
    )
    if product is None:
        raise Http404
    return product


# --- The customer's reservations -------------------------------------------------------------


def _for_pages(queryset: QuerySet[Reservation]) -> QuerySet[Reservation]:
    return queryset.select_related("merchant", "pickup_occurrence__event").prefetch_related(
        Prefetch("lines", queryset=ReservationLine.objects.order_by("pk"))
    )


def customer_reservations(*, actor: Actor) -> QuerySet[Reservation]:
    """The actor's reservations, newest first, with their shop, event and lines."""
    if not actor.is_authenticated:
        return Reservation.objects.none()
    return _for_pages(Reservation.objects.filter(customer=actor)).order_by("-created_at", "-pk")


def customer_reservation(*, actor: Actor, pk: int) -> Reservation:
    """One of the actor's reservations; 404 for anybody else's."""
    reservation = customer_reservations(actor=actor).filter(pk=pk).first()
    if reservation is None:
        raise Http404
    return reservation


# --- A shop's inbox --------------------------------------------------------------------------

S = Reservation.Status
DONE_STATUSES = (S.COLLECTED, S.DECLINED, S.CANCELLED, S.EXPIRED)
# The inbox's tabs: the statuses each lists, and its order (most urgent first: the oldest
# request to answer, the nearest deadline; the latest outcome in « done »).
INBOX_TABS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "new": ((S.PENDING,), ("created_at", "pk")),
    "confirmed": ((S.CONFIRMED,), ("pickup_deadline", "pk")),
    "ready": ((S.READY,), ("pickup_deadline", "pk")),
    "done": (DONE_STATUSES, ("-updated_at", "-pk")),
}


def inbox_counts(*, merchant: Merchant) -> dict[str, int]:
    """How many reservations each tab lists, and how many are unseen (one query)."""
    counts = Reservation.objects.filter(merchant=merchant).aggregate(
        **{
            tab: Count("pk", filter=Q(status__in=statuses))
            for tab, (statuses, _order) in INBOX_TABS.items()
        },
        unseen=Count("pk", filter=Q(status=S.PENDING, seen_at__isnull=True)),
    )
    return {key: value or 0 for key, value in counts.items()}


def shop_reservations(*, merchant: Merchant, tab: str) -> QuerySet[Reservation]:
    """The reservations of one tab of the shop's inbox, with their lines and event."""
    statuses, order = INBOX_TABS[tab]
    return _for_pages(Reservation.objects.filter(merchant=merchant, status__in=statuses)).order_by(
        *order
    )


def shop_reservation(*, merchant: Merchant, pk: int) -> Reservation:
    """One reservation of the shop; 404 for another shop's."""
    reservation = _for_pages(Reservation.objects.filter(merchant=merchant, pk=pk)).first()
    if reservation is None:
        raise Http404
    return reservation


def shop_reservation_by_code(*, merchant: Merchant, code: str) -> Reservation | None:
    """The shop's reservation with this pickup code, as typed or scanned (None if none)."""
    normalised = normalise_pickup_code(code)
    if not normalised:
        return None
    return Reservation.objects.filter(merchant=merchant, code=normalised).first()

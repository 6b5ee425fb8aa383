"""What the dashboards show: a shop's figures for its own team, a collective's for its
organisers.

Everything is read from the daily rows (:class:`~insights.models.ShopDay`,
:class:`~insights.models.CollectiveDay`, :class:`~insights.models.DailyCount`,
:class:`~insights.models.SearchCount`) with a fixed number of queries whatever the period:
totals of the period and of the one before it in one conditional aggregate, the series in one
``GROUP BY``, each table in one query.

**Anonymity.** An organiser's dashboard is built from :class:`CollectiveDay` only — the sum
over the active members — and never names a shop. A shop sees how it compares with the
*median* of each of its collectives' active member shops, and only when the collective has at
least :data:`MEDIAN_MIN_SHOPS` of them: with two shops the median is the mean of the two and
gives the other shop's figure away; with three or four, a shop that knows one neighbour's
figures can work out the others'. Five keeps the median a figure of the town, not of a shop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from catalog.models import Product
from collectives.models import Collective, Membership
from insights.models import CollectiveDay, DailyCount, SearchCount, ShopDay
from merchants.models import Merchant

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 30
# Below this many active member shops a collective's median is not shown (module docstring).
MEDIAN_MIN_SHOPS = 5
TOP_PRODUCTS = 10
TOP_SEARCHES = 10

# The figures summed over a period, for both kinds of rows.
COMMON_FIGURES = (
    "views",
    "reservations_created",
    "reservations_collected",
    "reservations_expired",
    "items_reserved",
    "amount_reserved",
    "pledges",
    "group_buys_succeeded",
    "group_buys_failed",
    "followers_gained",
)
SHOP_FIGURES = (*COMMON_FIGURES, "directions", "calls")
COLLECTIVE_FIGURES = (
    *COMMON_FIGURES,
    "searches",
    "searches_without_results",
    "event_registrations",
    "event_attendance",
    "newsletter_recipients",
)
# What the series (chart and table) follows.
SERIES_FIGURES = ("views", "reservations_created", "amount_reserved")


def period_days(value: object) -> int:
    """The period asked for in ``?periode=`` (30, 90 or 365 days; 30 for anything else)."""
    try:
        days = int(str(value))
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


@dataclass(frozen=True)
class Period:
    """``days`` calendar days ending ``end`` (included), and the same length just before."""

    days: int
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date

    @classmethod
    def ending(cls, *, days: int, end: dt.date) -> Period:
        start = end - dt.timedelta(days=days - 1)
        previous_end = start - dt.timedelta(days=1)
        return cls(days, start, end, previous_end - dt.timedelta(days=days - 1), previous_end)

    @property
    def weekly(self) -> bool:
        """A daily series for a month; weekly beyond (52 bars read better than 365)."""
        return self.days > DEFAULT_PERIOD


def last_period(days: int, *, today: dt.date | None = None) -> Period:
    """The last ``days`` complete days: the nightly rows stop at yesterday."""
    today = today or timezone.localdate()
    return Period.ending(days=days, end=today - dt.timedelta(days=1))


@dataclass(frozen=True)
class Figure:
    """One figure of the period and its change from the previous period (``trend`` in %,
    ``None`` when the previous period was zero)."""

    name: str
    value: Any
    previous: Any

    @property
    def trend(self) -> float | None:
        if not self.previous:
            return None
        return round(float((self.value - self.previous) * 100 / self.previous), 1)


@dataclass(frozen=True)
class SeriesPoint:
    start: dt.date
    values: dict[str, Any]


@dataclass(frozen=True)
class CollectiveMedian:
    """A collective's median shop over the period, next to the shop's own figures; the
    medians are ``None`` when the collective has too few active member shops."""

    collective_name: str
    shops: int
    views: float | None
    reservations: float | None
    amount: Decimal | None

    @property
    def shown(self) -> bool:
        return self.shops >= MEDIAN_MIN_SHOPS


@dataclass
class Dashboard:
    """The data of one dashboard page (and of its exports)."""

    period: Period
    figures: dict[str, Figure]
    series: list[SeriesPoint]
    searches_without_results: list[tuple[str, int]]
    by_source: list[tuple[str, int]]
    top_products: list[tuple[str, int]] = field(default_factory=list)
    medians: list[CollectiveMedian] = field(default_factory=list)

    @property
    def pickup_rate(self) -> float | None:
        """Collected / (collected + expired), in %: ``None`` before any reservation ended."""
        collected = self.figures["reservations_collected"].value
        ended = collected + self.figures["reservations_expired"].value
        return round(collected * 100 / ended, 1) if ended else None

    @property
    def own(self) -> dict[str, Any]:
        """The values of the period by name (the shop's own line next to the medians)."""
        return {name: figure.value for name, figure in self.figures.items()}


def _figures(rows: Any, names: Iterable[str], period: Period) -> dict[str, Figure]:
    """Totals of the period and of the previous one in one conditional aggregate."""
    current = Q(day__gte=period.start, day__lte=period.end)
    previous = Q(day__gte=period.previous_start, day__lte=period.previous_end)
    aggregates: dict[str, Any] = {}
    for name in names:
        aggregates[f"c_{name}"] = Sum(name, filter=current, default=0)
        aggregates[f"p_{name}"] = Sum(name, filter=previous, default=0)
    totals = rows.filter(day__gte=period.previous_start, day__lte=period.end).aggregate(
        **aggregates
    )
    return {name: Figure(name, totals[f"c_{name}"], totals[f"p_{name}"]) for name in names}


def _series(rows: Any, period: Period) -> list[SeriesPoint]:
    """One point per day (or per week, Monday first), days without a row at zero."""
    rows = rows.filter(day__gte=period.start, day__lte=period.end)
    sums = {name: Sum(name) for name in SERIES_FIGURES}
    if period.weekly:
        grouped = rows.annotate(bucket=TruncWeek("day")).values("bucket").annotate(**sums)
        first = period.start - dt.timedelta(days=period.start.weekday())
        step = 7
    else:
        grouped = rows.annotate(bucket=F("day")).values("bucket").annotate(**sums)
        first, step = period.start, 1
    found = {row["bucket"]: row for row in grouped.order_by("bucket")}
    points = []
    start = first
    while start <= period.end:
        row = found.get(start, {})
        points.append(SeriesPoint(start, {name: row.get(name) or 0 for name in SERIES_FIGURES}))
        start += dt.timedelta(days=step)
    return points


def _searches_without_results(collective_ids: Any, period: Period) -> list[tuple[str, int]]:
    rows = (
        SearchCount.objects.filter(
            collective__in=collective_ids,
            found=False,
            day__gte=period.start,
            day__lte=period.end,
        )
        .values("query")
        .annotate(total=Sum("count"))
        .order_by("-total", "query")[:TOP_SEARCHES]
    )
    return [(row["query"], row["total"]) for row in rows]


def _by_source(
    table: str, owner_column: str, owner_id: int, period: Period
) -> list[tuple[str, int]]:
    """Reservations and pledges by origin, summed from the rows' ``by_source`` objects."""
    sql = (
        f"SELECT s.key, SUM(s.value::bigint) AS total "  # noqa: S608 — names from models
        f"FROM {table} d, jsonb_each_text(d.by_source) AS s "
        f"WHERE d.{owner_column} = %s AND d.day BETWEEN %s AND %s "
        f"GROUP BY s.key ORDER BY total DESC, s.key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [owner_id, period.start, period.end])
        return [(key, int(total)) for key, total in cursor.fetchall()]


def _active_collective_ids(merchant: Merchant) -> Any:
    return Membership.objects.filter(
        merchant=merchant,
        status=Membership.Status.ACTIVE,
        collective__status=Collective.Status.ACTIVE,
    ).values("collective_id")


def _top_products(merchant: Merchant, period: Period) -> list[tuple[str, int]]:
    """The shop's most viewed products of the period, with their titles (one query)."""
    title = Product.objects.filter(pk=OuterRef("object_id"), merchant=merchant).values("title")
    rows = (
        DailyCount.objects.filter(
            kind="product", merchant=merchant, day__gte=period.start, day__lte=period.end
        )
        .values("object_id")
        .annotate(total=Sum("count"), title=Subquery(title[:1]))
        .filter(title__isnull=False)
        .order_by("-total", "title")[:TOP_PRODUCTS]
    )
    return [(row["title"], row["total"]) for row in rows]


def _medians(merchant: Merchant, period: Period) -> list[CollectiveMedian]:
    """For each active collective of the shop, the median over its active member shops of
    the period's views, reservations and amount (``percentile_cont`` in SQL, one query).
    The medians are computed only where there are enough shops; the others keep their count
    so the page can say why nothing is shown."""
    membership = Membership._meta.db_table
    shop = Merchant._meta.db_table
    collective = Collective._meta.db_table
    day = ShopDay._meta.db_table
    sql = f"""
        WITH members AS (
            SELECT m.collective_id, m.merchant_id
            FROM {membership} m
            JOIN {shop} s ON s.id = m.merchant_id AND s.status = 'active'
            WHERE m.status = 'active' AND m.collective_id IN (
                SELECT collective_id FROM {membership}
                WHERE merchant_id = %(shop)s AND status = 'active'
            )
        ),
        per_shop AS (
            SELECT mb.collective_id,
                   COALESCE(SUM(d.views), 0) AS views,
                   COALESCE(SUM(d.reservations_created), 0) AS reservations,
                   COALESCE(SUM(d.amount_reserved), 0) AS amount
            FROM members mb
            LEFT JOIN {day} d
              ON d.merchant_id = mb.merchant_id AND d.day BETWEEN %(start)s AND %(end)s
            GROUP BY mb.collective_id, mb.merchant_id
        )
        SELECT c.name, COUNT(*) AS shops,
               CASE WHEN COUNT(*) >= %(min)s
                    THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY p.views) END,
               CASE WHEN COUNT(*) >= %(min)s
                    THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY p.reservations) END,
               CASE WHEN COUNT(*) >= %(min)s
                    THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY p.amount) END
        FROM per_shop p JOIN {collective} c ON c.id = p.collective_id
        WHERE c.status = 'active'
        GROUP BY c.id, c.name
        ORDER BY c.name
    """  # noqa: S608 — table names come from the models, values are parameters
    params: dict[str, Any] = {
        "shop": merchant.pk,
        "start": period.start,
        "end": period.end,
        "min": MEDIAN_MIN_SHOPS,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        CollectiveMedian(
            collective_name=name,
            shops=shops,
            views=views,
            reservations=reservations,
            amount=None if amount is None else Decimal(str(amount)).quantize(Decimal("0.01")),
        )
        for name, shops, views, reservations, amount in rows
    ]


def shop_dashboard(*, merchant: Merchant, days: int, today: dt.date | None = None) -> Dashboard:
    """A shop's dashboard for the last ``days`` days: for that shop's team only (the view is
    decorated with ``merchant_required``). Seven queries whatever the period."""
    period = last_period(days, today=today)
    rows = ShopDay.objects.filter(merchant=merchant)
    return Dashboard(
        period=period,
        figures=_figures(rows, SHOP_FIGURES, period),
        series=_series(rows, period),
        searches_without_results=_searches_without_results(
            _active_collective_ids(merchant), period
        ),
        by_source=_by_source(ShopDay._meta.db_table, "merchant_id", merchant.pk, period),
        top_products=_top_products(merchant, period),
        medians=_medians(merchant, period),
    )


def collective_dashboard(
    *, collective: Collective, days: int, today: dt.date | None = None
) -> Dashboard:
    """A collective's dashboard for its organisers: the collective's totals only (rows of
    :class:`CollectiveDay`, sums over its members), never one shop's figures. Four queries
    whatever the period."""
    period = last_period(days, today=today)
    rows = CollectiveDay.objects.filter(collective=collective)
    return Dashboard(
        period=period,
        figures=_figures(rows, COLLECTIVE_FIGURES, period),
        series=_series(rows, period),
        searches_without_results=_searches_without_results([collective.pk], period),
        by_source=_by_source(CollectiveDay._meta.db_table, "collective_id", collective.pk, period),
    )


def collective_month_figures(*, collective: Collective, first: dt.date) -> Dashboard:
    """The collective's figures of the calendar month starting ``first`` (the monthly
    report), compared with the month before."""
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    end = next_month - dt.timedelta(days=1)
    previous_start = (first - dt.timedelta(days=1)).replace(day=1)
    period = Period(
        (end - first).days + 1, first, end, previous_start, first - dt.timedelta(days=1)
    )
    rows = CollectiveDay.objects.filter(collective=collective)
    return Dashboard(
        period=period,
        figures=_figures(rows, COLLECTIVE_FIGURES, period),
        series=[],
        searches_without_results=_searches_without_results([collective.pk], period),
        by_source=_by_source(CollectiveDay._meta.db_table, "collective_id", collective.pk, period),
    )

"""A year of plausible figures for the demo town (called by ``manage.py seed_demo``), so both
dashboards have history to show the day the demo is loaded.

For every day of the year before the demo's real activity (its reservations, pledges and
follows are all made on the day of the seeding) it writes:

- DailyCount rows (shop pages, products, « itinéraire » and « appeler » clicks, the
  collective's page) and SearchCount rows, including searches that found nothing
  (« cidre », « huile de noix », « fromage de brebis »…);
- ShopDay and CollectiveDay rows whose views match those counts, and whose reservations,
  pledges, group buys and followers are drawn plausibly (about 85 % of reservations
  collected, a few expired).

The rhythm is a town centre's: Saturdays busiest, Sundays and Mondays quiet, a rise through
December before Christmas, a summer dip and a slow growth over the year as the town adopts
Halle. Draws come from one seeded RNG, so a seed gives the same year; inserts are
``bulk_create`` in chunks. Idempotent: nothing is written if the shops already have history.

Rebuilding those days with ``rebuild_insights`` replaces the synthetic reservations with the
real (absent) ones: only the views, counted in DailyCount, survive such a rebuild.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from catalog.models import Product
from collectives.models import Collective, Follow, Membership
from insights.models import CollectiveDay, DailyCount, SearchCount, ShopDay
from orders.models import Pledge, Reservation

CHUNK = 2000

# Monday … Sunday: how busy a weekday is compared with an average one.
WEEKDAY_FACTOR = (0.6, 0.8, 0.9, 0.95, 1.15, 1.7, 0.45)

FOUND_QUERIES = ("pain", "miel", "fromage", "légumes", "vin", "chocolat", "fleurs", "café")
UNFOUND_QUERIES = ("cidre", "huile de noix", "fromage de brebis", "kombucha", "farine de châtaigne")

# Where reservations come from, and how often.
SOURCE_WEIGHTS = (
    ("direct", 55),
    ("catalog", 20),
    ("event", 9),
    ("newsletter", 8),
    ("selection", 4),
    ("widget", 4),
)


def _season(day: dt.date, first: dt.date, days: int) -> float:
    """How busy the season is: December builds up to Christmas, August is quiet, and the
    town adopts Halle over the year (from half to full use)."""
    factor = 0.5 + 0.5 * ((day - first).days / max(days, 1))
    if day.month == 12 and day.day <= 24:
        factor *= 1.2 + 0.8 * day.day / 24
    elif day.month == 8:
        factor *= 0.7
    return factor


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method for small means, a rounded normal for large ones)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(1 for _ in range(n) if rng.random() < p)


def _first_real_day(shops: list[int], collectives: list[int]) -> dt.date:
    """The first Paris day with real demo activity (today when there is none)."""
    firsts = [
        Reservation.objects.filter(merchant__in=shops).aggregate(m=Min("created_at"))["m"],
        Pledge.objects.filter(group_buy__merchant__in=shops).aggregate(m=Min("created_at"))["m"],
        Follow.objects.filter(merchant__in=shops).aggregate(m=Min("created_at"))["m"],
        Follow.objects.filter(collective__in=collectives).aggregate(m=Min("created_at"))["m"],
    ]
    days = [timezone.localdate(moment) for moment in firsts if moment is not None]
    return min([timezone.localdate(), *days])


@transaction.atomic
def seed_history(*, collectives: Iterable[Collective], days: int = 365, seed: int = 2024) -> int:
    """Write a year of synthetic counts and day rows for the collectives' active member shops
    (see the module docstring). Returns how many rows were written (0 when history exists)."""
    collectives = list(collectives)
    collective_ids = [collective.pk for collective in collectives]
    members: dict[int, list[int]] = {pk: [] for pk in collective_ids}
    for collective_id, merchant_id in Membership.objects.filter(
        collective__in=collective_ids, status=Membership.Status.ACTIVE
    ).values_list("collective_id", "merchant_id"):
        members[collective_id].append(merchant_id)
    shops = sorted({pk for pks in members.values() for pk in pks})
    if not collective_ids:
        return 0
    last = _first_real_day(shops, collective_ids)  # history ends the day before
    first = last - dt.timedelta(days=days)
    if (
        ShopDay.objects.filter(merchant__in=shops, day__lt=last).exists()
        or CollectiveDay.objects.filter(collective__in=collective_ids, day__lt=last).exists()
        or DailyCount.objects.filter(merchant__in=shops, day__lt=last).exists()
    ):
        return 0

    rng = random.Random(seed)  # noqa: S311 (demo figures: reproducible, not secret)
    products: dict[int, list[int]] = {pk: [] for pk in shops}
    for merchant_id, product_id in Product.objects.filter(merchant__in=shops).values_list(
        "merchant_id", "pk"
    ):
        products[merchant_id].append(product_id)
    popularity = {pk: rng.uniform(0.5, 1.6) for pk in shops}
    sources, weights = zip(*SOURCE_WEIGHTS, strict=True)

    counts: list[DailyCount] = []
    searches: list[SearchCount] = []
    shop_days: list[ShopDay] = []
    collective_days: list[CollectiveDay] = []
    followers = dict.fromkeys(collective_ids, 60)  # newsletter audience, growing

    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        busy = WEEKDAY_FACTOR[day.weekday()] * _season(day, first, days)
        per_shop: dict[int, ShopDay] = {}
        for shop in shops:
            mean = 25 * popularity[shop] * busy
            shop_views = _poisson(rng, mean)
            product_views = {p: _poisson(rng, mean / 4) for p in products[shop][:12]}
            directions = _poisson(rng, mean / 12)
            calls = _poisson(rng, mean / 25)
            for kind, object_id, count in (
                ("shop", shop, shop_views),
                *(("product", p, n) for p, n in product_views.items()),
                ("directions", shop, directions),
                ("call", shop, calls),
            ):
                if count:
                    counts.append(
                        DailyCount(
                            day=day, kind=kind, object_id=object_id, merchant_id=shop, count=count
                        )
                    )
            created = _poisson(rng, 1.2 * popularity[shop] * busy)
            items = sum(rng.randint(1, 3) for _ in range(created))
            pledges = _poisson(rng, 0.15 * busy)
            origins = Counter(rng.choices(sources, weights, k=created))
            if pledges:
                origins["group_buy"] += pledges
            succeeded = 1 if rng.random() < 0.012 else 0
            failed = 1 if not succeeded and rng.random() < 0.004 else 0
            row = ShopDay(
                day=day,
                merchant_id=shop,
                views=shop_views + sum(product_views.values()),
                directions=directions,
                calls=calls,
                reservations_created=created,
                reservations_collected=_binomial(rng, created, 0.85),
                reservations_expired=_binomial(rng, created, 0.08),
                items_reserved=items,
                amount_reserved=Decimal(items * rng.randint(350, 900)) / 100,
                pledges=pledges,
                group_buys_succeeded=succeeded,
                group_buys_failed=failed,
                followers_gained=_poisson(rng, 0.25 * popularity[shop] * busy),
                by_source=dict(origins),
            )
            # Like the aggregation: a row only for a shop with some activity that day.
            activity = (row.views, row.directions, row.calls, created, pledges)
            if any(activity) or succeeded or failed or row.followers_gained:
                shop_days.append(row)
            per_shop[shop] = row

        for collective_id in collective_ids:
            own_views = _poisson(rng, 40 * busy)
            counts.append(
                DailyCount(
                    day=day,
                    kind="collective",
                    object_id=collective_id,
                    collective_id=collective_id,
                    count=own_views,
                )
            )
            total_searches = unfound = 0
            for query in FOUND_QUERIES:
                count = _poisson(rng, 1.5 * busy)
                if count:
                    total_searches += count
                    searches.append(
                        SearchCount(
                            day=day,
                            collective_id=collective_id,
                            query=query,
                            found=True,
                            count=count,
                        )
                    )
            for query in UNFOUND_QUERIES:
                count = _poisson(rng, 0.35 * busy)
                if count:
                    total_searches += count
                    unfound += count
                    searches.append(
                        SearchCount(
                            day=day,
                            collective_id=collective_id,
                            query=query,
                            found=False,
                            count=count,
                        )
                    )
            rows = [per_shop[shop] for shop in members[collective_id]]
            origins = Counter()
            for row in rows:
                origins.update(row.by_source)
            own_followers = _poisson(rng, 0.6 * busy)
            followers[collective_id] += own_followers
            saturday = day.weekday() == 5
            collective_days.append(
                CollectiveDay(
                    day=day,
                    collective_id=collective_id,
                    views=own_views + sum(row.views for row in rows),
                    reservations_created=sum(row.reservations_created for row in rows),
                    reservations_collected=sum(row.reservations_collected for row in rows),
                    reservations_expired=sum(row.reservations_expired for row in rows),
                    items_reserved=sum(row.items_reserved for row in rows),
                    amount_reserved=sum(
                        (row.amount_reserved for row in rows), start=Decimal("0.00")
                    ),
                    pledges=sum(row.pledges for row in rows),
                    group_buys_succeeded=sum(row.group_buys_succeeded for row in rows),
                    group_buys_failed=sum(row.group_buys_failed for row in rows),
                    followers_gained=own_followers + sum(row.followers_gained for row in rows),
                    searches=total_searches,
                    searches_without_results=unfound,
                    event_registrations=_poisson(rng, 2.5 * busy),
                    event_attendance=_poisson(rng, 18 * busy) if saturday else 0,
                    newsletter_recipients=followers[collective_id] if day.weekday() == 3 else 0,
                    by_source=dict(origins),
                )
            )

    DailyCount.objects.bulk_create(counts, batch_size=CHUNK)
    SearchCount.objects.bulk_create(searches, batch_size=CHUNK)
    ShopDay.objects.bulk_create(shop_days, batch_size=CHUNK)
    CollectiveDay.objects.bulk_create(collective_days, batch_size=CHUNK)
    return len(counts) + len(searches) + len(shop_days) + len(collective_days)

"""The nightly figures: one :class:`~insights.models.ShopDay` row per shop and day and one
:class:`~insights.models.CollectiveDay` row per collective and day, computed by a few
set-based statements (``INSERT … SELECT … GROUP BY``), never by a Python loop over rows.

Rules (the dashboards rely on them):

- Days are Paris calendar days: a reservation made at 00:30 Paris time on the 2nd (23:30 UTC
  on the 1st) counts for the 2nd. Timestamps are compared with the UTC instants of Paris
  midnights, so indexes on them are used; they are grouped by their Paris date.
- Rows exist only for shops and collectives with some activity on a day: a missing row means
  zeros. Recomputing a range first deletes that range's rows, then inserts fresh ones, in one
  transaction: re-running a day gives the same rows, and a figure that went away (a
  reservation deleted with its customer's account…) does not linger. Readers keep seeing the
  previous rows until the commit.
- A shop's figures: its own page views (shop, products, stories) and clicks, its reservations
  (made, collected, expired; items and amount of those made), pledges on its group buys, its
  group buys closed (succeeded or not reached) and its new followers.
- A collective's figures: the sum of its *active* member shops' figures (a shop that left no
  longer counts, for any day: the collective's history follows its current members), plus
  its own pages (events, the collective's page), its own followers, searches in its catalog,
  event registrations and turnout, and newsletter e-mails sent.
- ``by_source``: reservations made and pledges, per origin (``{"event": 3, "widget": 1}``).
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction

PARIS = "Europe/Paris"
_PARIS_ZONE = ZoneInfo(PARIS)

# Kinds of DailyCount that are clicks, not page views.
_CLICK_KINDS = ("directions", "call")

_SHOP_DAYS_SQL = """
WITH facts AS (
    SELECT merchant_id, day,
           SUM(count) FILTER (WHERE kind NOT IN ('directions', 'call')) AS views,
           SUM(count) FILTER (WHERE kind = 'directions') AS directions,
           SUM(count) FILTER (WHERE kind = 'call') AS calls,
           0 AS created, 0 AS collected, 0 AS expired, 0 AS items, 0 AS amount,
           0 AS pledges, 0 AS succeeded, 0 AS failed, 0 AS followers
      FROM insights_dailycount
     WHERE day BETWEEN %(first)s AND %(last)s AND merchant_id IS NOT NULL
     GROUP BY merchant_id, day
    UNION ALL
    SELECT r.merchant_id, (r.created_at AT TIME ZONE %(tz)s)::date,
           0, 0, 0, COUNT(*), 0, 0, COALESCE(SUM(l.items), 0), SUM(r.total), 0, 0, 0, 0
      FROM orders_reservation r
      LEFT JOIN LATERAL (
            SELECT SUM(quantity) AS items FROM orders_reservationline
             WHERE reservation_id = r.id
           ) l ON TRUE
     WHERE r.created_at >= %(low)s AND r.created_at < %(high)s
     GROUP BY 1, 2
    UNION ALL
    SELECT merchant_id, (collected_at AT TIME ZONE %(tz)s)::date,
           0, 0, 0, 0, COUNT(*), 0, 0, 0, 0, 0, 0, 0
      FROM orders_reservation
     WHERE collected_at >= %(low)s AND collected_at < %(high)s
     GROUP BY 1, 2
    UNION ALL
    SELECT merchant_id, (closed_at AT TIME ZONE %(tz)s)::date,
           0, 0, 0, 0, 0, COUNT(*), 0, 0, 0, 0, 0, 0
      FROM orders_reservation
     WHERE closed_at >= %(low)s AND closed_at < %(high)s AND status = 'expired'
     GROUP BY 1, 2
    UNION ALL
    SELECT g.merchant_id, (p.created_at AT TIME ZONE %(tz)s)::date,
           0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), 0, 0, 0
      FROM orders_pledge p JOIN orders_groupbuy g ON g.id = p.group_buy_id
     WHERE p.created_at >= %(low)s AND p.created_at < %(high)s
     GROUP BY 1, 2
    UNION ALL
    SELECT merchant_id, (closed_at AT TIME ZONE %(tz)s)::date,
           0, 0, 0, 0, 0, 0, 0, 0, 0,
           COUNT(*) FILTER (WHERE status = 'succeeded'),
           COUNT(*) FILTER (WHERE status = 'failed'), 0
      FROM orders_groupbuy
     WHERE closed_at >= %(low)s AND closed_at < %(high)s
       AND status IN ('succeeded', 'failed')
     GROUP BY 1, 2
    UNION ALL
    SELECT merchant_id, (created_at AT TIME ZONE %(tz)s)::date,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*)
      FROM collectives_follow
     WHERE created_at >= %(low)s AND created_at < %(high)s AND merchant_id IS NOT NULL
     GROUP BY 1, 2
),
origins AS (
    SELECT r.merchant_id, (r.created_at AT TIME ZONE %(tz)s)::date AS day, r.source
      FROM orders_reservation r
     WHERE r.created_at >= %(low)s AND r.created_at < %(high)s
    UNION ALL
    SELECT g.merchant_id, (p.created_at AT TIME ZONE %(tz)s)::date, p.source
      FROM orders_pledge p JOIN orders_groupbuy g ON g.id = p.group_buy_id
     WHERE p.created_at >= %(low)s AND p.created_at < %(high)s
),
by_source AS (
    SELECT merchant_id, day, jsonb_object_agg(source, n) AS by_source
      FROM (SELECT merchant_id, day, source, COUNT(*) AS n
              FROM origins GROUP BY 1, 2, 3) per_source
     GROUP BY 1, 2
)
INSERT INTO insights_shopday (
    merchant_id, day, views, directions, calls, reservations_created,
    reservations_collected, reservations_expired, items_reserved, amount_reserved, pledges,
    group_buys_succeeded, group_buys_failed, followers_gained, by_source, computed_at
)
SELECT f.merchant_id, f.day,
       COALESCE(SUM(f.views), 0), COALESCE(SUM(f.directions), 0), COALESCE(SUM(f.calls), 0),
       SUM(f.created), SUM(f.collected), SUM(f.expired), SUM(f.items), SUM(f.amount),
       SUM(f.pledges), SUM(f.succeeded), SUM(f.failed), SUM(f.followers),
       COALESCE(s.by_source, '{}'::jsonb), NOW()
  FROM facts f
  LEFT JOIN by_source s ON s.merchant_id = f.merchant_id AND s.day = f.day
 GROUP BY f.merchant_id, f.day, s.by_source
ON CONFLICT (merchant_id, day) DO UPDATE SET
    views = EXCLUDED.views, directions = EXCLUDED.directions, calls = EXCLUDED.calls,
    reservations_created = EXCLUDED.reservations_created,
    reservations_collected = EXCLUDED.reservations_collected,
    reservations_expired = EXCLUDED.reservations_expired,
    items_reserved = EXCLUDED.items_reserved, amount_reserved = EXCLUDED.amount_reserved,
    pledges = EXCLUDED.pledges, group_buys_succeeded = EXCLUDED.group_buys_succeeded,
    group_buys_failed = EXCLUDED.group_buys_failed,
    followers_gained = EXCLUDED.followers_gained, by_source = EXCLUDED.by_source,
    computed_at = EXCLUDED.computed_at
"""

# Runs after the shop days of the same range are written: member shops' figures are read
# back from insights_shopday (already grouped), joined to the *current* active memberships.
_COLLECTIVE_DAYS_SQL = """
WITH members AS (
    SELECT collective_id, merchant_id FROM collectives_membership WHERE status = 'active'
),
facts AS (
    SELECT m.collective_id, s.day, s.views, s.reservations_created AS created,
           s.reservations_collected AS collected, s.reservations_expired AS expired,
           s.items_reserved AS items, s.amount_reserved AS amount, s.pledges,
           s.group_buys_succeeded AS succeeded, s.group_buys_failed AS failed,
           s.followers_gained AS followers,
           0 AS searches, 0 AS unfound, 0 AS registrations, 0 AS attendance, 0 AS recipients
      FROM insights_shopday s JOIN members m ON m.merchant_id = s.merchant_id
     WHERE s.day BETWEEN %(first)s AND %(last)s
    UNION ALL
    -- The collective's own pages (events, its page); a count that also names a member
    -- shop is already in that shop's views.
    SELECT d.collective_id, d.day, SUM(d.count), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
      FROM insights_dailycount d
     WHERE d.day BETWEEN %(first)s AND %(last)s AND d.collective_id IS NOT NULL
       AND d.kind NOT IN ('directions', 'call')
       AND NOT EXISTS (SELECT 1 FROM members m
                        WHERE m.collective_id = d.collective_id AND m.merchant_id = d.merchant_id)
     GROUP BY 1, 2
    UNION ALL
    SELECT collective_id, (created_at AT TIME ZONE %(tz)s)::date,
           0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), 0, 0, 0, 0, 0
      FROM collectives_follow
     WHERE created_at >= %(low)s AND created_at < %(high)s AND collective_id IS NOT NULL
     GROUP BY 1, 2
    UNION ALL
    SELECT collective_id, day, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           SUM(count), SUM(count) FILTER (WHERE NOT found), 0, 0, 0
      FROM insights_searchcount
     WHERE day BETWEEN %(first)s AND %(last)s
     GROUP BY 1, 2
    UNION ALL
    SELECT e.collective_id, (r.confirmed_at AT TIME ZONE %(tz)s)::date,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), 0, 0
      FROM collectives_registration r
      JOIN collectives_eventoccurrence o ON o.id = r.occurrence_id
      JOIN collectives_event e ON e.id = o.event_id
     WHERE r.confirmed_at >= %(low)s AND r.confirmed_at < %(high)s
     GROUP BY 1, 2
    UNION ALL
    SELECT e.collective_id, (o.ends_at AT TIME ZONE %(tz)s)::date,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), 0
      FROM collectives_registration r
      JOIN collectives_eventoccurrence o ON o.id = r.occurrence_id
      JOIN collectives_event e ON e.id = o.event_id
     WHERE o.ends_at >= %(low)s AND o.ends_at < %(high)s
       AND o.status = 'scheduled' AND e.status = 'published' AND r.status = 'confirmed'
     GROUP BY 1, 2
    UNION ALL
    SELECT n.collective_id, (d.sent_at AT TIME ZONE %(tz)s)::date,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*)
      FROM notifications_newsletterdelivery d
      JOIN notifications_newsletter n ON n.id = d.newsletter_id
     WHERE d.sent_at >= %(low)s AND d.sent_at < %(high)s AND d.status = 'sent'
     GROUP BY 1, 2
),
by_source AS (
    SELECT collective_id, day, jsonb_object_agg(source, n) AS by_source
      FROM (SELECT m.collective_id, s.day, o.key AS source, SUM(o.value::int) AS n
              FROM insights_shopday s
              JOIN members m ON m.merchant_id = s.merchant_id
              CROSS JOIN LATERAL jsonb_each_text(s.by_source) o
             WHERE s.day BETWEEN %(first)s AND %(last)s
             GROUP BY 1, 2, 3) per_source
     GROUP BY 1, 2
)
INSERT INTO insights_collectiveday (
    collective_id, day, views, reservations_created, reservations_collected,
    reservations_expired, items_reserved, amount_reserved, pledges, group_buys_succeeded,
    group_buys_failed, followers_gained, searches, searches_without_results,
    event_registrations, event_attendance, newsletter_recipients, by_source, computed_at
)
SELECT f.collective_id, f.day, SUM(f.views), SUM(f.created), SUM(f.collected),
       SUM(f.expired), SUM(f.items), SUM(f.amount), SUM(f.pledges), SUM(f.succeeded),
       SUM(f.failed), SUM(f.followers), SUM(f.searches), COALESCE(SUM(f.unfound), 0),
       SUM(f.registrations), SUM(f.attendance), SUM(f.recipients),
       COALESCE(s.by_source, '{}'::jsonb), NOW()
  FROM facts f
  LEFT JOIN by_source s ON s.collective_id = f.collective_id AND s.day = f.day
 GROUP BY f.collective_id, f.day, s.by_source
ON CONFLICT (collective_id, day) DO UPDATE SET
    views = EXCLUDED.views, reservations_created = EXCLUDED.reservations_created,
    reservations_collected = EXCLUDED.reservations_collected,
    reservations_expired = EXCLUDED.reservations_expired,
    items_reserved = EXCLUDED.items_reserved, amount_reserved = EXCLUDED.amount_reserved,
    pledges = EXCLUDED.pledges, group_buys_succeeded = EXCLUDED.group_buys_succeeded,
    group_buys_failed = EXCLUDED.group_buys_failed,
    followers_gained = EXCLUDED.followers_gained, searches = EXCLUDED.searches,
    searches_without_results = EXCLUDED.searches_without_results,
    event_registrations = EXCLUDED.event_registrations,
    event_attendance = EXCLUDED.event_attendance,
    newsletter_recipients = EXCLUDED.newsletter_recipients, by_source = EXCLUDED.by_source,
    computed_at = EXCLUDED.computed_at
"""


def paris_midnight(day: dt.date) -> dt.datetime:
    """The aware instant at which ``day`` begins in Paris (23:00 or 22:00 UTC the day before)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=_PARIS_ZONE)


@transaction.atomic
def aggregate_range(*, start: dt.date, end: dt.date) -> tuple[int, int]:
    """Recompute the shop and collective rows of every Paris day from ``start`` to ``end``
    (both included): the range's rows are deleted, then rewritten by two set-based inserts.
    Returns how many shop rows and collective rows were written."""
    if end < start:
        raise ValueError("end is before start")
    params: dict[str, Any] = {
        "first": start,
        "last": end,
        "low": paris_midnight(start),
        "high": paris_midnight(end + dt.timedelta(days=1)),
        "tz": PARIS,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM insights_collectiveday WHERE day BETWEEN %(first)s AND %(last)s", params
        )
        cursor.execute(
            "DELETE FROM insights_shopday WHERE day BETWEEN %(first)s AND %(last)s", params
        )
        cursor.execute(_SHOP_DAYS_SQL, params)
        shops = cursor.rowcount
        cursor.execute(_COLLECTIVE_DAYS_SQL, params)
        collectives = cursor.rowcount
    return shops, collectives


def aggregate_day(*, day: dt.date) -> tuple[int, int]:
    """Recompute one Paris day's shop and collective rows (see :func:`aggregate_range`)."""
    return aggregate_range(start=day, end=day)

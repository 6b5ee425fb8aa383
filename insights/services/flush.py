"""Moving the counters of ``insights.counting`` from Redis into PostgreSQL, exactly.

For each day's hash (views, searches):

1. ``RENAME`` it to a batch key of its own (``…:flushing:<uuid>:<views|searches>:<day>``).
   The rename is atomic: every ``HINCRBY`` before it is in the batch, every one after it
   creates a fresh hash for the next flush. Nothing is lost, nothing is read twice.
2. Read the batch and, in one transaction, record the batch key in :class:`FlushedBatch`
   (``INSERT … ON CONFLICT DO NOTHING``) and add the counts with one set-based
   ``INSERT … ON CONFLICT DO UPDATE SET count = count + EXCLUDED.count`` per table.
3. Delete the batch key.

A flush that dies before 2 commits leaves the batch key in Redis with nothing counted: the
next flush finds it (``…:flushing:*``) and counts it. One that dies between the commit and 3
leaves the batch key *and* its marker: the next flush finds the marker, adds nothing and only
deletes the key. Two flushes running at once serialise on the marker's unique index (the
second waits for the first's commit, then sees the conflict and adds nothing), so each batch
is added exactly once. A batch never changes once renamed, so reading it twice is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import redis
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from collectives.models import Collective
from insights.counting import COUNTS_TTL_SECONDS, namespace, redis_url
from insights.models import COUNTED_KINDS, DailyCount, FlushedBatch, SearchCount
from merchants.models import Merchant

logger = logging.getLogger(__name__)

# A marker is needed only while its batch key may still exist in Redis (at most the
# counters' time to live); kept well beyond that.
MARKERS_KEPT = dt.timedelta(seconds=COUNTS_TTL_SECONDS) + dt.timedelta(days=22)

FLUSH_TIMEOUT_SECONDS = 10.0


@dataclass
class FlushResult:
    """What one flush did: batches added to the database, batches found already added (a
    previous flush stopped before deleting them), and the counts added."""

    batches: int = 0
    already_flushed: int = 0
    counted: int = 0


def flush_client() -> redis.Redis:
    """The flush's own client: a background task may wait longer than a page."""
    return redis.Redis.from_url(
        redis_url(), socket_connect_timeout=FLUSH_TIMEOUT_SECONDS, socket_timeout=30
    )


def counts_flush(*, client: redis.Redis | None = None) -> FlushResult:
    """Add every pending counter in Redis to ``DailyCount`` / ``SearchCount`` exactly once
    (see the module docstring); safe to run twice, or at the same time as another flush."""
    client = client or flush_client()
    result = FlushResult()
    prefix = namespace()
    # Batches a previous flush left behind (stopped before its commit, or before deleting).
    for key in list(client.scan_iter(match=f"{prefix}:flushing:*")):
        _flush_batch(client, key.decode(), result)
    for kind in ("views", "searches"):
        for key in list(client.scan_iter(match=f"{prefix}:{kind}:*")):
            day = key.decode().rsplit(":", 1)[1]
            batch = f"{prefix}:flushing:{uuid.uuid4().hex}:{kind}:{day}"
            try:
                client.rename(key, batch)
            except redis.ResponseError:
                continue  # another flush renamed it first (no such key)
            _flush_batch(client, batch, result)
    FlushedBatch.objects.filter(flushed_at__lt=_now() - MARKERS_KEPT).delete()
    return result


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def _flush_batch(client: redis.Redis, batch: str, result: FlushResult) -> None:
    kind, day_text = batch.rsplit(":", 2)[1:]
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        logger.warning("Counter batch with an unreadable day dropped: %s", batch)
        _forget_batch(client, batch)
        return
    fields = client.hgetall(batch)
    if fields:
        items = [(_text(f), int(n)) for f, n in fields.items()]
        if _add_batch(batch, kind, day, items):
            result.batches += 1
            result.counted += sum(n for _f, n in items)
        else:
            result.already_flushed += 1
    _forget_batch(client, batch)


def _forget_batch(client: redis.Redis, batch: str) -> None:
    """Delete the batch from Redis once it is in the database (its marker says so)."""
    client.delete(batch)


@transaction.atomic
def _add_batch(batch: str, kind: str, day: dt.date, items: list[tuple[str, int]]) -> bool:
    """Record the batch and add its counts, in one transaction. False if it was already
    added (its marker exists): nothing is added twice."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FlushedBatch._meta.db_table} (key, flushed_at) "  # noqa: S608 — model's table
            "VALUES (%s, now()) ON CONFLICT (key) DO NOTHING RETURNING id",
            [batch],
        )
        if cursor.fetchone() is None:
            return False
        if kind == "views":
            _add_views(cursor, day, items)
        elif kind == "searches":
            _add_searches(cursor, day, items)
    return True


def _parse_views(
    items: Iterable[tuple[str, int]],
) -> tuple[list[str], list[int], list[int | None], list[int | None], list[int]]:
    kinds: list[str] = []
    objects: list[int] = []
    merchants: list[int | None] = []
    collectives: list[int | None] = []
    counts: list[int] = []
    for field, count in items:
        try:
            kind, object_id, merchant_id, collective_id = field.split(":")
            row = (int(object_id), _optional(merchant_id), _optional(collective_id))
        except ValueError:
            logger.warning("Unreadable view counter dropped: %r", field)
            continue
        if kind not in COUNTED_KINDS or count <= 0:
            continue
        kinds.append(kind)
        objects.append(row[0])
        merchants.append(row[1])
        collectives.append(row[2])
        counts.append(count)
    return kinds, objects, merchants, collectives, counts


def _add_views(cursor: CursorWrapper, day: dt.date, items: list[tuple[str, int]]) -> None:
    """One statement for the whole batch. Counts of a shop or collective deleted meanwhile
    are dropped (their rows would have been deleted with them)."""
    kinds, objects, merchants, collectives, counts = _parse_views(items)
    if not kinds:
        return
    table = DailyCount._meta.db_table
    cursor.execute(
        f"""
        WITH v AS (
            SELECT kind, object_id, max(merchant_id) AS merchant_id,
                   max(collective_id) AS collective_id, sum(n)::bigint AS n
            FROM unnest(%s::varchar[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[])
                 AS u(kind, object_id, merchant_id, collective_id, n)
            GROUP BY kind, object_id
        )
        INSERT INTO {table} AS t (day, kind, object_id, merchant_id, collective_id, count)
        SELECT %s, v.kind, v.object_id, m.id, c.id, v.n
        FROM v
        LEFT JOIN {Merchant._meta.db_table} m ON m.id = v.merchant_id
        LEFT JOIN {Collective._meta.db_table} c ON c.id = v.collective_id
        WHERE (v.merchant_id IS NULL OR m.id IS NOT NULL)
          AND (v.collective_id IS NULL OR c.id IS NOT NULL)
        ON CONFLICT (day, kind, object_id) DO UPDATE SET
            count = t.count + EXCLUDED.count,
            merchant_id = COALESCE(t.merchant_id, EXCLUDED.merchant_id),
            collective_id = COALESCE(t.collective_id, EXCLUDED.collective_id)
        """,  # noqa: S608 — table names come from the models, values are parameters
        [kinds, objects, merchants, collectives, counts, day],
    )


def _add_searches(cursor: CursorWrapper, day: dt.date, items: list[tuple[str, int]]) -> None:
    """One statement for the whole batch; searches of a deleted collective are dropped."""
    collectives: list[int] = []
    founds: list[bool] = []
    queries: list[str] = []
    counts: list[int] = []
    for field, count in items:
        try:
            collective_id, found, query = field.split(":", 2)
            collectives.append(int(collective_id))
        except ValueError:
            logger.warning("Unreadable search counter dropped: %r", field)
            continue
        founds.append(found == "1")
        queries.append(query[:100])
        counts.append(count)
    if not queries:
        return
    table = SearchCount._meta.db_table
    cursor.execute(
        f"""
        WITH v AS (
            SELECT collective_id, found, query, sum(n)::integer AS n
            FROM unnest(%s::bigint[], %s::boolean[], %s::varchar[], %s::bigint[])
                 AS u(collective_id, found, query, n)
            WHERE n > 0 AND query <> ''
            GROUP BY collective_id, found, query
        )
        INSERT INTO {table} AS t (day, collective_id, query, found, count)
        SELECT %s, v.collective_id, v.query, v.found, v.n
        FROM v JOIN {Collective._meta.db_table} c ON c.id = v.collective_id
        ON CONFLICT (day, collective_id, query, found) DO UPDATE SET
            count = t.count + EXCLUDED.count
        """,  # noqa: S608 — table names come from the models, values are parameters
        [collectives, founds, queries, counts, day],
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _optional(value: str) -> int | None:
    return int(value) if value else None

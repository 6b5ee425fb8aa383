"""``manage.py rebuild_insights --from 2025-01-01 --to 2025-12-31``: recompute the shop and
collective day rows of a range of days (after a fix, or to fill history), month by month so
each transaction stays short."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from insights.services.aggregation import aggregate_range


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Recompute the daily insights (shops and collectives) for a range of days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument(
            "--to", dest="end", default=None, help="last day, YYYY-MM-DD (default: today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date(options["start"])
        end = _date(options["end"]) if options["end"] else timezone.localdate()
        if end < start:
            raise CommandError("--to is before --from")
        shops = collectives = 0
        chunk_start = start
        while chunk_start <= end:
            chunk_end = min(chunk_start + dt.timedelta(days=30), end)
            written = aggregate_range(start=chunk_start, end=chunk_end)
            shops += written[0]
            collectives += written[1]
            chunk_start = chunk_end + dt.timedelta(days=1)
        self.stdout.write(
            f"{start} → {end}: {shops} shop days and {collectives} collective days written."
        )

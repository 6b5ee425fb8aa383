"""Whether a shop is open, in words a passer-by understands: « Ouvert · ferme à 19 h »."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from merchants.models import Closure, OpeningHours, Weekday

PARIS = ZoneInfo("Europe/Paris")
# How far ahead to look for the next opening before giving up (a shop closed for a month
# simply says "closed").
_LOOKAHEAD_DAYS = 14


@dataclass(frozen=True)
class OpeningState:
    is_open: bool
    label: str


def format_hour(value: dt.time) -> str:
    """« 9 h », « 19 h 30 » in French; « 9:00 », « 19:30 » otherwise."""
    if (get_language() or "fr").startswith("fr"):
        return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"
    return f"{value.hour}:{value.minute:02d}"


def opening_state(
    hours: Iterable[OpeningHours], closures: Iterable[Closure], *, now: dt.datetime
) -> OpeningState | None:
    """The shop's state at ``now`` (aware), or None when it has published no hours.

    ``hours`` and ``closures`` are the shop's rows, already fetched (no query here).
    """
    by_day: dict[int, list[OpeningHours]] = {}
    for row in hours:
        by_day.setdefault(row.weekday, []).append(row)
    if not by_day:
        return None
    for rows in by_day.values():
        rows.sort(key=lambda r: r.opens)
    closure_list = list(closures)
    local = now.astimezone(PARIS)
    today = local.date()

    def closure_on(day: dt.date) -> Closure | None:
        return next((c for c in closure_list if c.starts_on <= day <= c.ends_on), None)

    current_closure = closure_on(today)
    if current_closure is not None:
        until = formats.date_format(current_closure.ends_on, "j F")
        return OpeningState(False, _("Closed until %(date)s inclusive") % {"date": until})
    for row in by_day.get(today.weekday(), []):
        if row.opens <= local.time() < row.closes:
            label = _("Open · closes at %(time)s") % {"time": format_hour(row.closes)}
            return OpeningState(True, label)
    for offset in range(_LOOKAHEAD_DAYS):
        day = today + dt.timedelta(days=offset)
        if closure_on(day) is not None:
            continue
        for row in by_day.get(day.weekday(), []):
            if offset == 0 and row.opens <= local.time():
                continue
            time = format_hour(row.opens)
            if offset == 0:
                label = _("Closed · opens at %(time)s") % {"time": time}
            elif offset == 1:
                label = _("Closed · opens tomorrow at %(time)s") % {"time": time}
            else:
                label = _("Closed · opens %(day)s at %(time)s") % {
                    "day": str(Weekday(day.weekday()).label).lower(),
                    "time": time,
                }
            return OpeningState(False, label)
    return OpeningState(False, _("Closed"))

"""Recurring events: RFC 5545 rules (« FREQ=WEEKLY;BYDAY=SA ») read with python-dateutil.

Rules are expanded in Europe/Paris wall-clock time: a market at 8 h stays at 8 h after the
change to summer time (its UTC time moves). ``UNTIL`` is kept in UTC, as RFC 5545 requires
when the start has a time zone, so the stored rule goes as is into the iCal feed.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# How far ahead the dates of a recurring event are created (a daily task keeps it so), and
# how many at most: a daily rule gives a year of dates, an hourly one is refused.
HORIZON = dt.timedelta(days=366)
MAX_DATES = 400
ALLOWED_FREQUENCIES = {DAILY, WEEKLY, MONTHLY, YEARLY}
# Properties that belong to the event, not to its rule (anywhere in the text: a pasted
# « DTSTART:…RRULE:… » block loses its line breaks with the spaces).
_FORBIDDEN = re.compile(r"DTSTART|TZID|RDATE|EXDATE|RRULE:|EXRULE")
# The times come from the event's start: these would add dates within a day or move them.
_TIME_PARTS = re.compile(r"(^|;)BY(HOUR|MINUTE|SECOND)=")
_UNTIL = re.compile(r"UNTIL=([0-9T]+Z?)")
_PART = re.compile(r"(^|;)(INTERVAL|COUNT)=([^;]*)")


def paris() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def normalise_rule(rule: str) -> str:
    """The rule as stored: upper case, without the ``RRULE:`` prefix, ``UNTIL`` in UTC.

    A date-only ``UNTIL`` (« until 31 December ») includes that whole day in Paris; a local
    ``UNTIL`` without ``Z`` is read as Paris time. Raises a ``ValidationError`` in the
    organiser's words for anything that is not a rule we can expand.
    """
    text = "".join(rule.split()).upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text:
        return ""
    text = text.strip(";")
    invalid = ValidationError(
        _("Enter a recurrence rule such as FREQ=WEEKLY;BYDAY=SA."), code="invalid_rule"
    )
    if _FORBIDDEN.search(text) or "FREQ=" not in text:
        raise invalid
    if _TIME_PARTS.search(text):
        raise ValidationError(
            _("The times come from the event's start: leave BYHOUR, BYMINUTE and BYSECOND out."),
            code="rule_times",
        )
    for part in _PART.finditer(text):
        # dateutil accepts INTERVAL=0 (the same date for ever) and COUNT=0 (no date at all).
        if not part.group(3).isdigit() or int(part.group(3)) < 1:
            raise invalid
    if "UNTIL=" in text and "COUNT=" in text:
        raise ValidationError(
            _("Give either an end date (UNTIL) or a number of times (COUNT), not both."),
            code="until_and_count",
        )
    match = _UNTIL.search(text)
    if match and not match.group(1).endswith("Z"):
        text = text.replace(match.group(0), "UNTIL=" + _until_in_utc(match.group(1)))
    try:
        parsed = rrulestr(text, dtstart=dt.datetime(2026, 1, 1, tzinfo=paris()))
    except (ValueError, TypeError, KeyError, IndexError):
        raise invalid from None
    if not isinstance(parsed, rrule) or parsed._freq not in ALLOWED_FREQUENCIES:
        raise ValidationError(_("An event repeats at most once a day."), code="rule_too_frequent")
    return text


def check_first_start(*, rule: str, first_start: dt.datetime) -> None:
    """Refuse a rule whose first date is not the event's start (a start on a Wednesday
    for « every Saturday », an end before the start, ``COUNT=0``…).

    RFC 5545 leaves such a series undefined — calendars would disagree with the dates
    Halle creates — and the event would otherwise have no date at all. ``rule`` is a
    normalised rule (:func:`normalise_rule`).
    """
    if not rule:
        return
    local_start = first_start.astimezone(paris())
    first = rrulestr(rule, dtstart=local_start).after(
        local_start - dt.timedelta(seconds=1), inc=True
    )
    # dateutil drops microseconds; the start is compared to the second.
    if first is None or first.astimezone(dt.UTC) != first_start.replace(microsecond=0):
        raise ValidationError(
            _(
                "The first date must be one the rule gives (for « every Saturday », a "
                "Saturday) and come before the end of the series."
            ),
            code="start_not_in_rule",
        )


def _until_in_utc(value: str) -> str:
    try:
        if "T" in value:
            local = dt.datetime.strptime(value, "%Y%m%dT%H%M%S")
        else:
            local = dt.datetime.combine(dt.datetime.strptime(value, "%Y%m%d"), dt.time(23, 59, 59))
    except ValueError:
        raise ValidationError(
            _("The end date of the recurrence is not a valid date."), code="invalid_until"
        ) from None
    return local.replace(tzinfo=paris()).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def rule_starts(
    *, rule: str, first_start: dt.datetime, after: dt.datetime, until: dt.datetime
) -> list[dt.datetime]:
    """The starts the rule gives, from ``first_start`` (its DTSTART), that fall in
    ``[after, until]``; aware datetimes in UTC. Without a rule, the first start alone."""
    if not rule:
        return [first_start] if after <= first_start <= until else []
    local_start = first_start.astimezone(paris())
    expanded = rrulestr(rule, dtstart=local_start)
    starts: list[dt.datetime] = []
    for local in expanded.xafter(local_start - dt.timedelta(seconds=1), inc=True):
        # dateutil keeps the wall-clock time and the zone; normalise through UTC so the
        # offset is the one in force on that day.
        start = local.replace(tzinfo=paris()).astimezone(dt.UTC)
        if start > until or len(starts) >= MAX_DATES:
            break
        if start >= after:
            starts.append(start)
    return starts


def describe_rule(rule: str) -> str:
    """A short description of the common rules in the active language, for lists and
    e-mails (« Every Saturday », « The first Friday of every month »); the raw rule for
    anything unusual, rather than words that would say less than it does."""
    if not rule:
        return ""
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    # The end of the series (UNTIL, COUNT) and the week start do not change the wording.
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}:
        return rule
    freq, days, interval = parts.get("FREQ"), parts.get("BYDAY", ""), parts.get("INTERVAL", "1")
    # Whole sentences per day: French says « tous les samedis » (plural), not a template.
    every = {
        "MO": _("Every Monday"),
        "TU": _("Every Tuesday"),
        "WE": _("Every Wednesday"),
        "TH": _("Every Thursday"),
        "FR": _("Every Friday"),
        "SA": _("Every Saturday"),
        "SU": _("Every Sunday"),
    }
    names = {
        "MO": _("Monday"),
        "TU": _("Tuesday"),
        "WE": _("Wednesday"),
        "TH": _("Thursday"),
        "FR": _("Friday"),
        "SA": _("Saturday"),
        "SU": _("Sunday"),
    }
    ordinals = {
        "1": _("first"),
        "2": _("second"),
        "3": _("third"),
        "4": _("fourth"),
        "-1": _("last"),
    }
    day_list = days.split(",") if days else []
    if freq == "DAILY" and interval == "1" and not days:
        return _("Every day")
    if freq == "WEEKLY" and day_list and all(d in names for d in day_list):
        if interval == "1" and len(day_list) == 1:
            return every[day_list[0]]
        if interval == "1":
            return _("Every week on %(days)s") % {"days": ", ".join(names[d] for d in day_list)}
        if interval == "2" and len(day_list) == 1:
            return _("Every other %(day)s") % {"day": names[day_list[0]]}
    if freq == "WEEKLY" and interval == "1" and not days:
        return _("Every week")
    if freq == "MONTHLY" and interval == "1":
        match = re.fullmatch(r"(-?\d)([A-Z]{2})", days)
        if match and match.group(1) in ordinals and match.group(2) in names:
            return _("The %(ordinal)s %(day)s of every month") % {
                "ordinal": ordinals[match.group(1)],
                "day": names[match.group(2)],
            }
        if not days:
            return _("Every month")
    if freq == "YEARLY" and interval == "1" and not days:
        return _("Every year")
    return rule

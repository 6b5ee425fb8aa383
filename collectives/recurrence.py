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
# Properties that belong to the event, not to its rule.
_FORBIDDEN = re.compile(r"(^|;)(DTSTART|TZID|RDATE|EXDATE)\b")
_UNTIL = re.compile(r"UNTIL=([0-9T]+Z?)")


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
    if _FORBIDDEN.search(text) or "FREQ=" not in text:
        raise ValidationError(
            _("Enter a recurrence rule such as FREQ=WEEKLY;BYDAY=SA."), code="invalid_rule"
        )
    match = _UNTIL.search(text)
    if match and not match.group(1).endswith("Z"):
        text = text.replace(match.group(0), "UNTIL=" + _until_in_utc(match.group(1)))
    try:
        parsed = rrulestr(text, dtstart=dt.datetime(2026, 1, 1, tzinfo=paris()))
    except (ValueError, TypeError):
        raise ValidationError(
            _("Enter a recurrence rule such as FREQ=WEEKLY;BYDAY=SA."), code="invalid_rule"
        ) from None
    if not isinstance(parsed, rrule) or parsed._freq not in ALLOWED_FREQUENCIES:
        raise ValidationError(_("An event repeats at most once a day."), code="rule_too_frequent")
    return text


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
    """A short French/English description of the common rules, for lists and e-mails;
    the raw rule for anything unusual."""
    if not rule:
        return ""
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    freq, days = parts.get("FREQ"), parts.get("BYDAY", "")
    interval = parts.get("INTERVAL", "1")
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
    if freq == "DAILY" and interval == "1":
        return _("Every day")
    if freq == "WEEKLY" and days and all(d in names for d in days.split(",")):
        day_names = ", ".join(str(names[d]) for d in days.split(","))
        if interval == "1":
            return _("Every %(days)s") % {"days": day_names}
        if interval == "2":
            return _("Every other %(days)s") % {"days": day_names}
    if freq == "MONTHLY" and interval == "1":
        match = re.fullmatch(r"(-?\d)([A-Z]{2})", days)
        if match and match.group(1) in ordinals and match.group(2) in names:
            return _("The %(ordinal)s %(day)s of every month") % {
                "ordinal": ordinals[match.group(1)],
                "day": names[match.group(2)],
            }
        if not days:
            return _("Every month")
    return rule

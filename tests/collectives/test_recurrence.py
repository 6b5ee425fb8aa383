"""Recurring events: RFC 5545 rules read, checked and expanded in Europe/Paris wall-clock time
(collectives.recurrence), and the dates the event services create from them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from collectives.models import Event
from collectives.recurrence import (
    HORIZON,
    MAX_DATES,
    check_first_start,
    describe_rule,
    normalise_rule,
    rule_starts,
)
from collectives.services.events import event_create
from tests.factories import OrganiserFactory

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def starts(rule: str, first: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    return rule_starts(rule=rule, first_start=first, after=first, until=until)


# --- Expansion in Paris wall-clock time ------------------------------------------------------


def test_a_saturday_market_stays_at_8_in_paris_when_summer_time_starts():
    # Summer time starts on Sunday 29 March 2026: the market moves from 7 h to 6 h UTC.
    dates = starts("FREQ=WEEKLY;BYDAY=SA", paris(2026, 3, 21, 8, 0), paris(2026, 4, 5))
    assert dates == [utc(2026, 3, 21, 7, 0), utc(2026, 3, 28, 7, 0), utc(2026, 4, 4, 6, 0)]
    assert {d.astimezone(PARIS).time() for d in dates} == {dt.time(8, 0)}
    assert all(d.tzinfo == UTC for d in dates)


def test_a_saturday_market_stays_at_8_in_paris_when_winter_time_returns():
    # Winter time returns on Sunday 25 October 2026.
    dates = starts("FREQ=WEEKLY;BYDAY=SA", paris(2026, 10, 17, 8, 0), paris(2026, 11, 1))
    assert dates == [utc(2026, 10, 17, 6, 0), utc(2026, 10, 24, 6, 0), utc(2026, 10, 31, 7, 0)]


def test_the_first_friday_of_every_month():
    dates = starts("FREQ=MONTHLY;BYDAY=1FR", paris(2026, 1, 2, 18, 0), paris(2026, 7, 1))
    assert [d.astimezone(PARIS).date() for d in dates] == [
        dt.date(2026, 1, 2),
        dt.date(2026, 2, 6),
        dt.date(2026, 3, 6),
        dt.date(2026, 4, 3),
        dt.date(2026, 5, 1),
        dt.date(2026, 6, 5),
    ]
    assert {d.astimezone(PARIS).time() for d in dates} == {dt.time(18, 0)}


def test_only_the_dates_between_after_and_until_are_given():
    first = paris(2026, 3, 7, 8, 0)
    dates = rule_starts(
        rule="FREQ=WEEKLY;BYDAY=SA",
        first_start=first,
        after=paris(2026, 3, 20),
        until=paris(2026, 4, 4, 8, 0),
    )
    # 21 March, 28 March, and 4 April itself (the bounds are included).
    assert [d.astimezone(PARIS).date() for d in dates] == [
        dt.date(2026, 3, 21),
        dt.date(2026, 3, 28),
        dt.date(2026, 4, 4),
    ]


def test_a_one_off_event_has_its_start_alone():
    first = paris(2026, 3, 7, 8, 0)
    assert starts("", first, paris(2026, 12, 31)) == [first]
    assert rule_starts(rule="", first_start=first, after=paris(2026, 4, 1), until=first) == []


# --- UNTIL and COUNT ---------------------------------------------------------------------------


def test_until_given_as_a_date_includes_that_whole_day_in_paris():
    rule = normalise_rule("FREQ=WEEKLY;BYDAY=SA;UNTIL=20260425")
    # 23:59:59 in Paris (summer time, UTC+2), stored in UTC as RFC 5545 wants with a TZID.
    assert rule == "FREQ=WEEKLY;BYDAY=SA;UNTIL=20260425T215959Z"
    # An evening event at 22 h on the last day is still in the series.
    dates = starts(rule, paris(2026, 4, 11, 22, 0), paris(2026, 12, 31))
    assert [d.astimezone(PARIS).date() for d in dates] == [
        dt.date(2026, 4, 11),
        dt.date(2026, 4, 18),
        dt.date(2026, 4, 25),
    ]


def test_a_local_until_is_read_as_paris_time_and_a_utc_until_is_kept():
    assert normalise_rule("FREQ=DAILY;UNTIL=20260110T120000") == (
        "FREQ=DAILY;UNTIL=20260110T110000Z"
    )
    assert normalise_rule("FREQ=DAILY;UNTIL=20260110T120000Z") == (
        "FREQ=DAILY;UNTIL=20260110T120000Z"
    )


def test_a_rule_with_count_gives_that_many_dates():
    dates = starts("FREQ=WEEKLY;BYDAY=SA;COUNT=3", paris(2026, 3, 7, 8, 0), paris(2027, 12, 31))
    assert len(dates) == 3
    assert dates[-1].astimezone(PARIS) == paris(2026, 3, 21, 8, 0)


def test_normalising_tidies_case_spaces_and_the_rrule_prefix():
    assert normalise_rule(" rrule:freq=weekly; byday=sa ") == "FREQ=WEEKLY;BYDAY=SA"
    assert normalise_rule("FREQ=WEEKLY;BYDAY=SA;") == "FREQ=WEEKLY;BYDAY=SA"
    assert normalise_rule("   ") == ""


# --- Rules refused -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("n'importe quoi", "invalid_rule"),
        ("FREQ=SOMETIMES", "invalid_rule"),
        ("FREQ=WEEKLY;BYDAY=XX", "invalid_rule"),
        ("FREQ=WEEKLY;COLOUR=BLUE", "invalid_rule"),
        ("FREQ=WEEKLY;INTERVAL=0", "invalid_rule"),
        ("FREQ=WEEKLY;COUNT=0", "invalid_rule"),
        ("FREQ=WEEKLY;COUNT=many", "invalid_rule"),
        ("DTSTART:20260307T080000\nRRULE:FREQ=WEEKLY;BYDAY=SA", "invalid_rule"),
        ("FREQ=WEEKLY;BYDAY=SA;DTSTART=20260307T080000", "invalid_rule"),
        ("DTSTART;TZID=Europe/Paris:20260307T080000 RRULE:FREQ=WEEKLY", "invalid_rule"),
        ("FREQ=WEEKLY;BYDAY=SA\nEXDATE:20260314T080000", "invalid_rule"),
        ("FREQ=HOURLY", "rule_too_frequent"),
        ("FREQ=MINUTELY;INTERVAL=30", "rule_too_frequent"),
        ("FREQ=DAILY;BYHOUR=8,12,18", "rule_times"),
        ("FREQ=WEEKLY;BYDAY=SA;BYMINUTE=30", "rule_times"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20261231", "until_and_count"),
        ("FREQ=WEEKLY;UNTIL=2026", "invalid_until"),
        ("FREQ=WEEKLY;UNTIL=20261345", "invalid_until"),
    ],
)
def test_a_rule_that_cannot_be_expanded_is_refused(rule, code):
    with pytest.raises(ValidationError) as caught:
        normalise_rule(rule)
    assert caught.value.code == code


def test_a_start_that_is_not_a_date_of_the_rule_is_refused():
    # 11 March 2026 is a Wednesday: calendars and Halle would disagree on the first date.
    with pytest.raises(ValidationError) as caught:
        check_first_start(rule="FREQ=WEEKLY;BYDAY=SA", first_start=paris(2026, 3, 11, 8, 0))
    assert caught.value.code == "start_not_in_rule"
    check_first_start(rule="FREQ=WEEKLY;BYDAY=SA", first_start=paris(2026, 3, 14, 8, 0))


def test_a_series_that_ends_before_its_start_is_refused():
    with pytest.raises(ValidationError) as caught:
        check_first_start(
            rule=normalise_rule("FREQ=WEEKLY;BYDAY=SA;UNTIL=20260301"),
            first_start=paris(2026, 3, 14, 8, 0),
        )
    assert caught.value.code == "start_not_in_rule"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rule", ["n'importe quoi", "FREQ=HOURLY", "DTSTART:20260307T080000\nRRULE:FREQ=WEEKLY"]
)
def test_the_event_service_reports_a_bad_rule_on_the_recurrence_field(rule):
    organiser = OrganiserFactory()
    start = _next(5, dt.time(8, 0))
    with pytest.raises(ValidationError) as caught:
        event_create(
            actor=organiser.user,
            collective=organiser.collective,
            title="Marché",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=5),
            place_name="Place de la Halle",
            recurrence=rule,
        )
    assert set(caught.value.error_dict) == {"recurrence"}
    assert not Event.objects.exists()


# --- Horizon and limits ---------------------------------------------------------------------


def _next(weekday: int, time: dt.time) -> dt.datetime:
    """The next given weekday (0 = Monday) at least two days ahead, at ``time`` in Paris."""
    day = timezone.localdate() + dt.timedelta(days=2)
    day += dt.timedelta(days=(weekday - day.weekday()) % 7)
    return timezone.make_aware(dt.datetime.combine(day, time))


def test_a_daily_rule_is_cut_at_the_maximum_number_of_dates():
    first = paris(2026, 1, 1, 9, 0)
    dates = starts("FREQ=DAILY", first, first + dt.timedelta(days=3 * 365))
    assert len(dates) == MAX_DATES
    assert dates[-1].astimezone(PARIS) == paris(2026, 1, 1, 9, 0) + dt.timedelta(days=MAX_DATES - 1)


@pytest.mark.django_db
def test_a_recurring_event_gets_its_dates_a_horizon_ahead_at_the_same_paris_time():
    organiser = OrganiserFactory()
    start = _next(5, dt.time(8, 0))
    event = event_create(
        actor=organiser.user,
        collective=organiser.collective,
        title="Marché du samedi",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=5),
        place_name="Place de la Halle",
        recurrence="FREQ=WEEKLY;BYDAY=SA",
    )
    dates = list(event.occurrences.order_by("starts_at"))
    assert dates[0].starts_at == start
    assert dates[-1].starts_at <= timezone.now() + HORIZON
    assert dates[-1].starts_at + dt.timedelta(days=7) > timezone.now() + HORIZON
    assert len(dates) in (52, 53)
    local = [timezone.localtime(d.starts_at) for d in dates]
    assert {(t.weekday(), t.time()) for t in local} == {(5, dt.time(8, 0))}
    # A year always crosses a change of time: the UTC time moved, the Paris time did not.
    assert {t.utcoffset() for t in local} == {dt.timedelta(hours=1), dt.timedelta(hours=2)}
    assert {d.ends_at - d.starts_at for d in dates} == {dt.timedelta(hours=5)}
    assert all(d.original_start == d.starts_at for d in dates)


@pytest.mark.django_db
def test_an_event_with_count_gets_that_many_dates():
    organiser = OrganiserFactory()
    start = _next(4, dt.time(18, 0))
    event = event_create(
        actor=organiser.user,
        collective=organiser.collective,
        title="Atelier",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place_name="Atelier",
        recurrence="FREQ=WEEKLY;BYDAY=FR;COUNT=4",
        capacity=12,
    )
    local = [timezone.localtime(d.starts_at) for d in event.occurrences.order_by("starts_at")]
    first_day = timezone.localtime(start).date()
    assert [t.date() for t in local] == [first_day + dt.timedelta(weeks=n) for n in range(4)]
    assert {t.time() for t in local} == {dt.time(18, 0)}
    assert set(event.occurrences.values_list("capacity", flat=True)) == {12}


# --- Descriptions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("", ""),
        ("FREQ=WEEKLY;BYDAY=SA", "Every Saturday"),
        ("FREQ=WEEKLY;BYDAY=SA;UNTIL=20261231T225959Z", "Every Saturday"),
        ("FREQ=WEEKLY;BYDAY=WE;COUNT=6", "Every Wednesday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", "Every other Saturday"),
        ("FREQ=WEEKLY;BYDAY=TU,SA", "Every week on Tuesday, Saturday"),
        ("FREQ=WEEKLY", "Every week"),
        ("FREQ=MONTHLY;BYDAY=1FR", "The first Friday of every month"),
        ("FREQ=MONTHLY;BYDAY=-1SA", "The last Saturday of every month"),
        ("FREQ=MONTHLY;BYDAY=3TH", "The third Thursday of every month"),
        ("FREQ=MONTHLY", "Every month"),
        ("FREQ=DAILY", "Every day"),
        ("FREQ=YEARLY", "Every year"),
        # Anything the words would say less precisely than the rule stays the rule.
        ("FREQ=DAILY;BYDAY=MO,TU", "FREQ=DAILY;BYDAY=MO,TU"),
        ("FREQ=WEEKLY;BYDAY=SA;BYMONTH=6,7", "FREQ=WEEKLY;BYDAY=SA;BYMONTH=6,7"),
        ("FREQ=MONTHLY;BYDAY=1SA,3SA", "FREQ=MONTHLY;BYDAY=1SA,3SA"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=SA", "FREQ=WEEKLY;INTERVAL=3;BYDAY=SA"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=MONTHLY;BYMONTHDAY=15"),
    ],
)
def test_describe_rule_says_the_common_rules_in_words(rule, text):
    with translation.override("en"):
        assert describe_rule(rule) == text

"""« Ouvert · ferme à 19 h »: the opening state computed in Europe/Paris."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from merchants.hours import opening_state
from merchants.models import Closure, OpeningHours

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 2026-12-01; a bakery open Tue-Sat 7:00-13:00 and 15:30-19:30.
HOURS = [
    OpeningHours(weekday=d, opens=o, closes=c)
    for d in range(1, 6)
    for o, c in ((dt.time(7), dt.time(13)), (dt.time(15, 30), dt.time(19, 30)))
]


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def test_open_now_says_when_it_closes():
    state = opening_state(HOURS, [], now=at(1, 10))
    assert state.is_open
    assert state.label == "Ouvert · ferme à 13 h"


def test_lunch_break_says_when_it_reopens():
    state = opening_state(HOURS, [], now=at(1, 14))
    assert not state.is_open
    assert state.label == "Fermé · ouvre à 15 h 30"


def test_after_closing_says_tomorrow():
    assert opening_state(HOURS, [], now=at(1, 20)).label == "Fermé · ouvre demain à 7 h"


def test_saturday_evening_names_the_next_opening_day():
    assert opening_state(HOURS, [], now=at(5, 20)).label == "Fermé · ouvre mardi à 7 h"


def test_time_is_read_in_paris_whatever_the_server_zone():
    # 09:30 UTC on 1 December is 10:30 in Paris.
    now = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    assert opening_state(HOURS, [], now=now).is_open


def test_exceptional_closure_wins_over_weekly_hours():
    closure = Closure(starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 8))
    state = opening_state(HOURS, [closure], now=at(1, 10))
    assert not state.is_open
    assert state.label == "Fermé jusqu’au 8 décembre inclus"


def test_no_hours_means_no_claim():
    assert opening_state([], [], now=at(1, 10)) is None


def test_english_labels():
    with translation.override("en"):
        assert opening_state(HOURS, [], now=at(1, 10)).label == "Open · closes at 13:00"

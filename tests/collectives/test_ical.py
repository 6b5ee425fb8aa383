"""iCal calendars of an event and of a collective (RFC 5545), parsed back with the
``icalendar`` library: time zone, recurrence, exceptions (cancelled and moved dates), status,
what never reaches a feed, and the HTTP headers calendar applications rely on."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr
from django.urls import reverse
from django.utils import timezone

from collectives.ical import event_sequence
from collectives.models import Event, EventOccurrence
from collectives.services.events import (
    event_cancel,
    event_create,
    event_publish,
    event_update,
    occurrence_cancel,
    occurrence_move,
)
from tests.factories import CollectiveFactory, EventFactory, OrganiserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://halle.example"


@pytest.fixture
def organiser():
    return OrganiserFactory(collective=CollectiveFactory(name="Bastide", slug="bastide"))


def next_saturday(hour: int = 8) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() != 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


def weekly_market(organiser, *, rule="FREQ=WEEKLY;BYDAY=SA;COUNT=20", start=None, **fields):
    """A published Saturday market: 20 weeks from next Saturday, so the dates straddle a
    change of clocks (the last Sunday of March or of October) whatever today is."""
    start = start or next_saturday()
    event = event_create(
        actor=organiser.user,
        collective=organiser.collective,
        title="Marché du samedi",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=5),
        kind=Event.Kind.MARKET,
        recurrence=rule,
        place_name="Place de la Halle",
        street="Place Lafayette",
        postcode="47300",
        city="Villeneuve",
        latitude=Decimal("44.408700"),
        longitude=Decimal("0.704400"),
        **fields,
    )
    return event_publish(actor=organiser.user, event=event)


def ics_url(event):
    return reverse("events:ics", kwargs={"slug": event.collective.slug, "event_slug": event.slug})


def feed_url(collective):
    return reverse("events:feed", kwargs={"slug": collective.slug})


def fetch(client, url) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar, uid=None):
    return [c for c in calendar.walk("VEVENT") if uid is None or str(c["UID"]) == uid]


def test_event_calendar_headers_and_calendar_properties(client, organiser):
    """Calendar applications need the type, an inline file name and a bounded cache."""
    event = EventFactory(collective=organiser.collective, title="Atelier vannerie")
    response = client.get(ics_url(event))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'inline; filename="{event.slug}.ics"'
    assert "max-age=300" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["PRODID"]).startswith("-//Halle//")
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert "Atelier vannerie" in str(calendar["X-WR-CALNAME"])
    assert calendar["X-WR-TIMEZONE"] == "Europe/Paris"
    # Subscribers refresh hourly (RFC 7986), and the zone comes before the events.
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT1H"
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]


def test_output_is_crlf_and_folded(client, organiser):
    """RFC 5545: lines end with CRLF and are folded at 75 octets (a long description)."""
    EventFactory(collective=organiser.collective, description="Un très long texte. " * 30)
    body = client.get(feed_url(organiser.collective)).content
    assert body.endswith(b"END:VCALENDAR\r\n")
    lines = body.split(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # folded continuation lines


def test_one_off_event_in_paris_time_with_its_place(client, organiser):
    """DTSTART/DTEND carry TZID=Europe/Paris and a VTIMEZONE describes the zone; the UID
    is stable (event id at the site's host); place, position and page link are given."""
    start = next_saturday(14)
    event = EventFactory(
        collective=organiser.collective,
        title="Atelier couture",
        description="Apportez vos tissus.",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place_name="La Mercerie",
        street="3 rue des Cornières",
        postcode="47300",
        latitude=Decimal("44.400000"),
        longitude=Decimal("0.700000"),
    )
    calendar = fetch(client, ics_url(event))
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Paris"]
    (vevent,) = vevents(calendar)
    assert str(vevent["UID"]) == f"event-{event.pk}@halle.example"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert vevent["DTEND"].params["TZID"] == "Europe/Paris"
    assert vevent.decoded("DTSTART") == start
    assert vevent.decoded("DTSTART").astimezone(PARIS).hour == 14
    assert vevent.decoded("DTEND") == start + dt.timedelta(hours=2)
    assert str(vevent["SUMMARY"]) == "Atelier couture"
    assert "Apportez vos tissus." in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == "La Mercerie, 3 rue des Cornières, 47300 Villeneuve"
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (44.4, 0.7)
    assert str(vevent["URL"]) == "https://halle.example" + event.get_absolute_url()
    assert vevent["STATUS"] == "CONFIRMED"
    assert isinstance(vevent.decoded("SEQUENCE"), int)
    assert "DTSTAMP" in vevent
    assert "RRULE" not in vevent


def test_online_event_gives_its_link_as_location_and_no_position(client, organiser):
    event = EventFactory(
        collective=organiser.collective,
        is_online=True,
        place_name="",
        city="",
        online_url="https://visio.example/atelier",
    )
    (vevent,) = vevents(fetch(client, ics_url(event)))
    assert str(vevent["LOCATION"]) == "https://visio.example/atelier"
    assert "GEO" not in vevent


def test_moved_one_off_date_is_written_at_its_new_times(client, organiser):
    event = EventFactory(collective=organiser.collective)
    occurrence = event.occurrences.get()
    new_start = occurrence.starts_at + dt.timedelta(days=1, hours=2)
    occurrence_move(
        actor=organiser.user,
        occurrence=occurrence,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=1),
    )
    (vevent,) = vevents(fetch(client, ics_url(event)))
    assert vevent.decoded("DTSTART") == new_start
    assert "RECURRENCE-ID" not in vevent


def test_recurring_event_rule_exceptions_and_expansion_match_the_scheduled_dates(client, organiser):
    """The master VEVENT carries the RRULE and an EXDATE (TZID) per cancelled date; a moved
    date is a VEVENT with the same UID and RECURRENCE-ID = the start the rule gave. Expanding
    DTSTART + RRULE − EXDATE with dateutil gives exactly the dates Halle holds, across the
    change of clocks (8 h stays 8 h)."""
    market = weekly_market(organiser)
    dates = list(market.occurrences.order_by("original_start"))
    assert len(dates) == 20
    cancelled, moved = dates[3], dates[6]
    occurrence_cancel(actor=organiser.user, occurrence=cancelled)
    new_start = moved.original_start - dt.timedelta(days=1)  # the Friday before
    occurrence_move(
        actor=organiser.user,
        occurrence=moved,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=4),
    )

    calendar = fetch(client, ics_url(market))
    uid = f"event-{market.pk}@halle.example"
    components = vevents(calendar, uid)
    assert len(components) == 2
    master = next(c for c in components if "RECURRENCE-ID" not in c)
    override = next(c for c in components if "RECURRENCE-ID" in c)

    assert master["DTSTART"].params["TZID"] == "Europe/Paris"
    rule = master["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["SA"]
    assert rule["COUNT"] == [20]
    exdates = master["EXDATE"]
    exdates = exdates if isinstance(exdates, list) else [exdates]
    assert all(e.params["TZID"] == "Europe/Paris" for e in exdates)
    excluded = [d.dt for e in exdates for d in e.dts]
    assert excluded == [cancelled.original_start]

    assert override["RECURRENCE-ID"].params["TZID"] == "Europe/Paris"
    assert override.decoded("RECURRENCE-ID") == moved.original_start
    assert override.decoded("DTSTART") == new_start
    assert override.decoded("DTEND") == new_start + dt.timedelta(hours=4)
    assert override["DTSTART"].params["TZID"] == "Europe/Paris"

    start = master.decoded("DTSTART")
    expanded = rrulestr(master["RRULE"].to_ical().decode(), dtstart=start)
    instances = [
        local.replace(tzinfo=PARIS).astimezone(dt.UTC)
        for local in expanded
        if local not in excluded
    ]
    scheduled = [
        d.original_start
        for d in market.occurrences.filter(status=EventOccurrence.Status.SCHEDULED).order_by(
            "original_start"
        )
    ]
    assert instances == scheduled
    # Every date at 8 h in Paris, summer time or not: two different UTC offsets occur.
    assert {i.astimezone(PARIS).hour for i in instances} == {8}
    assert len({i.astimezone(PARIS).utcoffset() for i in instances}) == 2


def test_rule_with_until_is_written_in_utc(client, organiser):
    market = weekly_market(organiser, rule="FREQ=WEEKLY;BYDAY=SA;UNTIL=20991231")
    (master,) = vevents(fetch(client, ics_url(market)))
    until = master["RRULE"]["UNTIL"][0]
    assert until.tzinfo is not None
    assert until.utcoffset() == dt.timedelta(0)


def test_cancelled_event_is_status_cancelled_in_every_component(client, organiser):
    market = weekly_market(organiser)
    moved = market.occurrences.order_by("original_start")[2]
    occurrence_move(
        actor=organiser.user,
        occurrence=moved,
        starts_at=moved.starts_at + dt.timedelta(hours=1),
        ends_at=moved.ends_at + dt.timedelta(hours=1),
    )
    event_cancel(actor=organiser.user, event=market, reason="Travaux sur la place")
    components = vevents(fetch(client, ics_url(market)))
    assert len(components) == 2
    for component in components:
        assert component["STATUS"] == "CANCELLED"
    assert "Travaux sur la place" in str(components[0]["DESCRIPTION"])


def test_cancelled_one_off_date_is_status_cancelled(client, organiser):
    event = EventFactory(collective=organiser.collective)
    occurrence_cancel(actor=organiser.user, occurrence=event.occurrences.get())
    (vevent,) = vevents(fetch(client, ics_url(event)))
    assert vevent["STATUS"] == "CANCELLED"


def test_sequence_grows_when_the_event_changes(client, organiser):
    """Calendars take a new version of an event only if its SEQUENCE is higher."""
    event = EventFactory(collective=organiser.collective)
    # Created five minutes ago, last changed two minutes ago; now edited again.
    Event.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5),
        updated_at=timezone.now() - dt.timedelta(minutes=2),
    )
    event.refresh_from_db()
    before = vevents(fetch(client, ics_url(event)))[0].decoded("SEQUENCE")
    event_update(actor=organiser.user, event=event, title="Atelier déplacé")
    after = vevents(fetch(client, ics_url(event)))[0].decoded("SEQUENCE")
    assert after > before >= 0
    event.refresh_from_db()
    assert after == event_sequence(event) < 2**31


def test_collective_feed_has_its_published_and_cancelled_events_only(client, organiser):
    """Drafts never reach a calendar; other collectives' events neither; an event over for
    more than a year leaves the feed."""
    collective = organiser.collective
    published = EventFactory(collective=collective, title="Publié")
    cancelled = EventFactory(collective=collective, title="Annulé")
    event_cancel(actor=organiser.user, event=cancelled)
    EventFactory(collective=collective, title="Brouillon", status="draft", published_at=None)
    EventFactory(title="D'un autre collectif")
    long_ago = timezone.now() - dt.timedelta(days=400)
    EventFactory(
        collective=collective,
        title="Il y a longtemps",
        starts_at=long_ago,
        ends_at=long_ago + dt.timedelta(hours=2),
    )
    market = weekly_market(organiser)

    calendar = fetch(client, feed_url(collective))
    assert "Bastide" in str(calendar["X-WR-CALNAME"])
    uids = {str(c["UID"]) for c in vevents(calendar)}
    assert uids == {
        f"event-{published.pk}@halle.example",
        f"event-{cancelled.pk}@halle.example",
        f"event-{market.pk}@halle.example",
    }
    status = {str(c["UID"]): str(c["STATUS"]) for c in vevents(calendar)}
    assert status[f"event-{cancelled.pk}@halle.example"] == "CANCELLED"
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_draft_event_and_inactive_collective_have_no_calendar(client, organiser):
    draft = EventFactory(collective=organiser.collective, status="draft", published_at=None)
    assert client.get(ics_url(draft)).status_code == 404
    # Not even for its organisers: a calendar is public.
    client.force_login(organiser.user)
    assert client.get(ics_url(draft)).status_code == 404
    hidden = CollectiveFactory(status="draft")
    assert client.get(feed_url(hidden)).status_code == 404
    assert client.get(ics_url(EventFactory(collective=hidden))).status_code == 404


def test_empty_feed_is_still_a_valid_calendar(client, organiser):
    calendar = fetch(client, feed_url(organiser.collective))
    assert vevents(calendar) == []
    assert calendar["VERSION"] == "2.0"


def test_feed_query_count_does_not_grow_with_events(client, django_assert_max_num_queries):
    counts = []
    for size in (2, 12):
        organiser = OrganiserFactory()
        for _index in range(size):
            EventFactory(collective=organiser.collective)
        weekly_market(organiser)
        # collective, events, their exception dates
        with django_assert_max_num_queries(3) as captured:
            client.get(feed_url(organiser.collective))
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]

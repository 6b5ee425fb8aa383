"""The organisers' event tools: the event form and its recurrence presets, the list, the
dates (cancel, restore, move one), registrations and their CSV export, the shops taking part
and the featured products; who may open what, and query counts that do not grow."""

import codecs
import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from collectives.forms.events import (
    EventForm,
    Repeat,
    RuleChoice,
    build_rule,
    read_rule,
    weekday_rank,
)
from collectives.models import Event, EventOccurrence, EventParticipation, Registration
from collectives.recurrence import normalise_rule, paris
from collectives.services.events import event_create, occurrence_cancel
from collectives.services.registrations import registration_create
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    OrganiserFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser():
    return OrganiserFactory(role="organiser")


@pytest.fixture
def logged_in(client, organiser):
    client.force_login(organiser.user)
    return client


def url(name, collective, *args):
    return reverse(f"organiser_events:{name}", args=[collective.slug, *args])


def event_url(name, event, *args):
    return url(name, event.collective, event.slug, *args)


def saturday_ahead(weeks=1) -> dt.date:
    """A Saturday at least ``weeks`` weeks from today."""
    day = timezone.localdate() + dt.timedelta(weeks=weeks)
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


def paris_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=paris())


def form_data(**overrides):
    data = {
        "kind": "market",
        "title": "Marché du samedi",
        "description": "Producteurs et artisans.",
        "date": saturday_ahead().isoformat(),
        "start_time": "08:00",
        "end_time": "13:00",
        "end_date": "",
        "repeat": "once",
        "rule": "",
        "repeat_until": "",
        "repeat_count": "",
        "place_name": "Place de la Halle",
        "street": "",
        "postcode": "47300",
        "city": "Villeneuve",
        "latitude": "",
        "longitude": "",
        "online_url": "",
        "stream_url": "",
        "capacity": "",
        "registration_open": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def weekly_market(organiser, weeks=1, **fields):
    start = saturday_ahead(weeks)
    return event_create(
        actor=organiser.user,
        collective=organiser.collective,
        title=fields.pop("title", "Marché"),
        starts_at=paris_time(start, 8),
        ends_at=paris_time(start, 13),
        recurrence="FREQ=WEEKLY;BYDAY=SA",
        place_name="Place de la Halle",
        registration_open=fields.pop("registration_open", True),
        **fields,
    )


# --- Recurrence presets ↔ RFC 5545 rules ------------------------------------------------------

SATURDAY = dt.date(2026, 6, 13)
FIRST_FRIDAY = dt.date(2026, 6, 5)
FIFTH_FRIDAY = dt.date(2026, 5, 29)
LAST_SATURDAY = dt.date(2026, 6, 27)  # also the fourth one


@pytest.mark.parametrize(
    ("choice", "start", "rule"),
    [
        (RuleChoice(Repeat.ONCE), SATURDAY, ""),
        (RuleChoice(Repeat.WEEKLY), SATURDAY, "FREQ=WEEKLY;BYDAY=SA"),
        (
            RuleChoice(Repeat.WEEKLY, until=dt.date(2027, 6, 30)),
            SATURDAY,
            "FREQ=WEEKLY;BYDAY=SA;UNTIL=20270630",
        ),
        (
            RuleChoice(Repeat.BIWEEKLY, count=10),
            SATURDAY,
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;COUNT=10",
        ),
        (RuleChoice(Repeat.MONTHLY_NTH), FIRST_FRIDAY, "FREQ=MONTHLY;BYDAY=1FR"),
        (RuleChoice(Repeat.MONTHLY_NTH), SATURDAY, "FREQ=MONTHLY;BYDAY=2SA"),
        # A fifth Friday is not in every month: the preset writes « the last ».
        (RuleChoice(Repeat.MONTHLY_NTH), FIFTH_FRIDAY, "FREQ=MONTHLY;BYDAY=-1FR"),
        (RuleChoice(Repeat.MONTHLY_LAST), LAST_SATURDAY, "FREQ=MONTHLY;BYDAY=-1SA"),
        (RuleChoice(Repeat.MONTHLY_DAY), SATURDAY, "FREQ=MONTHLY"),
        (
            RuleChoice(Repeat.CUSTOM, rule="rrule:freq=monthly; byday=1SA,3SA"),
            SATURDAY,
            "FREQ=MONTHLY;BYDAY=1SA,3SA",
        ),
    ],
)
def test_each_preset_writes_its_rule_from_the_start_date(choice, start, rule):
    assert build_rule(choice, start) == rule


@pytest.mark.parametrize(
    ("choice", "start"),
    [
        (RuleChoice(Repeat.ONCE), SATURDAY),
        (RuleChoice(Repeat.WEEKLY), SATURDAY),
        (RuleChoice(Repeat.WEEKLY, until=dt.date(2027, 6, 30)), SATURDAY),
        (RuleChoice(Repeat.BIWEEKLY, count=10), SATURDAY),
        (RuleChoice(Repeat.MONTHLY_NTH), FIRST_FRIDAY),
        (RuleChoice(Repeat.MONTHLY_NTH, until=dt.date(2026, 12, 31)), FIFTH_FRIDAY),
        (RuleChoice(Repeat.MONTHLY_LAST), LAST_SATURDAY),
        (RuleChoice(Repeat.MONTHLY_DAY, count=6), SATURDAY),
        (RuleChoice(Repeat.CUSTOM, rule="FREQ=MONTHLY;BYDAY=1SA,3SA"), SATURDAY),
    ],
)
def test_the_stored_rule_reads_back_as_the_same_preset(choice, start):
    """The edit form shows what the organiser chose, even though the service stores UNTIL
    in UTC (« 20270630T215959Z »)."""
    stored = normalise_rule(build_rule(choice, start))
    read = read_rule(stored, start)
    if choice.repeat == Repeat.MONTHLY_NTH and weekday_rank(start) == -1:
        assert read.repeat in (Repeat.MONTHLY_NTH, Repeat.MONTHLY_LAST)
        assert (read.until, read.count) == (choice.until, choice.count)
    else:
        assert read == choice


def test_a_rule_that_is_no_preset_reads_back_as_custom():
    assert read_rule("FREQ=WEEKLY;BYDAY=SA,SU", SATURDAY) == RuleChoice(
        Repeat.CUSTOM, rule="FREQ=WEEKLY;BYDAY=SA,SU"
    )
    # Weekly on Friday for an event that starts on a Saturday is not « every week ».
    assert read_rule("FREQ=WEEKLY;BYDAY=FR", SATURDAY).repeat == Repeat.CUSTOM


@pytest.mark.parametrize(
    ("choice", "start", "field"),
    [
        (RuleChoice(Repeat.MONTHLY_LAST), FIRST_FRIDAY, "repeat"),
        (RuleChoice(Repeat.MONTHLY_DAY), dt.date(2026, 1, 30), "repeat"),
        (RuleChoice(Repeat.WEEKLY, until=dt.date(2026, 6, 1)), SATURDAY, "repeat_until"),
        (RuleChoice(Repeat.WEEKLY, until=dt.date(2027, 1, 1), count=3), SATURDAY, "repeat_count"),
        (RuleChoice(Repeat.CUSTOM, rule=""), SATURDAY, "rule"),
        (RuleChoice(Repeat.CUSTOM, rule="FREQ=DAILY;COUNT=3", count=4), SATURDAY, "rule"),
    ],
)
def test_a_choice_that_makes_no_rule_is_refused_on_its_field(choice, start, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        build_rule(choice, start)
    assert field in error.value.error_dict


def test_the_presets_are_worded_for_the_start_date():
    with translation.override("en"):
        labels = dict(EventForm(initial={"date": FIRST_FRIDAY}).fields["repeat"].choices)
        generic = dict(EventForm().fields["repeat"].choices)
    assert labels[Repeat.WEEKLY] == "Every week (on Friday)"
    assert labels[Repeat.MONTHLY_NTH] == "Every month, on the first Friday"
    assert labels[Repeat.MONTHLY_DAY] == "Every month, on day 5"
    assert generic[Repeat.WEEKLY] == "Every week (on the weekday of the start date)"


def test_the_form_turns_paris_times_into_aware_datetimes():
    form = EventForm(
        form_data(date="2026-07-04", start_time="8h", end_time="13:30", repeat="weekly")
    )
    assert form.is_valid(), form.errors
    fields = form.event_fields()
    assert fields["starts_at"] == dt.datetime(2026, 7, 4, 6, 0, tzinfo=dt.UTC)  # summer time
    assert fields["ends_at"] == dt.datetime(2026, 7, 4, 11, 30, tzinfo=dt.UTC)
    assert fields["recurrence"] == "FREQ=WEEKLY;BYDAY=SA"
    assert fields["registration_open"] is True


def test_a_map_pin_needs_both_coordinates():
    form = EventForm(form_data(latitude="44,4087"))
    assert "longitude" in form.errors
    form = EventForm(form_data(latitude="44,4087", longitude="0,7044"))
    assert form.is_valid(), form.errors
    assert str(form.event_fields()["latitude"]) == "44.408700"


def test_a_multi_day_one_off_event_has_an_end_date():
    form = EventForm(form_data(date="2026-12-12", end_date="2026-12-13", end_time="18:00"))
    assert form.is_valid(), form.errors
    assert form.event_fields()["ends_at"] == dt.datetime(2026, 12, 13, 17, 0, tzinfo=dt.UTC)
    form = EventForm(form_data(date="2026-12-12", end_date="2026-12-11"))
    assert "end_date" in form.errors


# --- Who may open the pages -------------------------------------------------------------------


def test_an_organiser_of_another_collective_gets_404(client, organiser):
    event = EventFactory(collective=organiser.collective)
    client.force_login(OrganiserFactory().user)  # organises another collective
    for response in [
        client.get(url("list", organiser.collective)),
        client.get(url("create", organiser.collective)),
        client.get(event_url("edit", event)),
        client.get(event_url("dates", event)),
        client.post(event_url("publish", event)),
        client.post(event_url("cancel", event), {"reason": "Non"}),
        client.get(event_url("export", event)),
    ]:
        assert response.status_code == 404
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED


def test_an_event_of_another_collective_is_404_under_my_collective(logged_in, organiser):
    elsewhere = EventFactory()
    response = logged_in.get(url("edit", organiser.collective, elsewhere.slug))
    assert response.status_code == 404


def test_a_date_of_another_event_is_404(logged_in, organiser):
    event = EventFactory(collective=organiser.collective)
    other = EventFactory(collective=organiser.collective).occurrences.get()
    assert logged_in.post(event_url("occurrence_cancel", event, other.pk)).status_code == 404
    assert logged_in.get(event_url("registrations", event, other.pk)).status_code == 404
    other.refresh_from_db()
    assert other.status == EventOccurrence.Status.SCHEDULED


def test_a_visitor_is_sent_to_log_in(client, organiser):
    response = client.get(url("list", organiser.collective))
    assert response.status_code == 302
    assert "next=" in response.url


def test_actions_answer_only_to_post(logged_in, organiser):
    event = EventFactory(collective=organiser.collective, status="draft", published_at=None)
    assert logged_in.get(event_url("publish", event)).status_code == 405
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


# --- Creating and editing ---------------------------------------------------------------------


def test_creating_a_weekly_market_goes_to_its_dates(logged_in, organiser):
    until = saturday_ahead(10)
    response = logged_in.post(
        url("create", organiser.collective),
        form_data(repeat="weekly", repeat_until=until.isoformat(), capacity="30"),
    )
    event = Event.objects.get(collective=organiser.collective)
    assert response.status_code == 302
    assert response.url == event_url("dates", event)
    assert event.status == Event.Status.DRAFT
    assert event.recurrence.startswith("FREQ=WEEKLY;BYDAY=SA;UNTIL=")
    starts = [timezone.localtime(o.starts_at) for o in event.occurrences.all()]
    assert len(starts) == 10
    assert {s.weekday() for s in starts} == {5}
    assert {(s.hour, s.minute) for s in starts} == {(8, 0)}  # across the change of time too
    assert starts[-1].date() == until
    assert {o.capacity for o in event.occurrences.all()} == {30}


def test_the_edit_form_shows_the_preset_back(logged_in, organiser):
    event = weekly_market(organiser, capacity=12)
    response = logged_in.get(event_url("edit", event))
    form = response.context["form"]
    assert form["repeat"].value() == Repeat.WEEKLY
    assert form["start_time"].value() == dt.time(8, 0)
    assert form["capacity"].value() == 12
    assert re.search(r'value="weekly"[^>]*selected', response.content.decode())


def test_editing_keeps_the_rule_and_changes_the_place(logged_in, organiser):
    event = weekly_market(organiser)
    data = form_data(
        date=timezone.localtime(event.starts_at).date().isoformat(),
        repeat="weekly",
        place_name="Allées Marine",
    )
    response = logged_in.post(event_url("edit", event), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.place_name, event.recurrence) == ("Allées Marine", "FREQ=WEEKLY;BYDAY=SA")


def test_errors_are_rendered_in_french_next_to_their_field(logged_in, organiser):
    """The default language is French: a missing title says so next to the title input."""
    response = logged_in.post(url("create", organiser.collective), form_data(title=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="fr">' in html
    block = re.search(
        r'<div class="form-field form-field--error">'
        r'((?:(?!<div class="form-field).)*?id="id_title"[^>]*>)',
        html,
        re.S,
    )
    assert block, "the title's field block is not marked as in error"
    assert 'id="id_title_error"' in block.group(1)
    assert "Ce champ est obligatoire." in block.group(1)
    assert 'aria-invalid="true"' in block.group(1)
    assert not Event.objects.exists()


def test_bad_input_keeps_what_was_typed_and_asks_for_the_photo_again(logged_in, organiser):
    response = logged_in.post(
        url("create", organiser.collective),
        form_data(
            description="Trente producteurs",
            repeat="custom",
            rule="FREQ=HOURLY",
            place_name="Place Lafayette",
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "rule" in form.errors  # the service's « recurrence » error, on the custom rule
    html = response.content.decode()
    assert 'value="Place Lafayette"' in html
    assert "Trente producteurs" in html
    assert 'id="cover-again"' in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"place_name": "", "city": ""}, "place_name"),
        ({"is_online": "on", "place_name": ""}, "online_url"),
        ({"start_time": "14:00", "end_time": "13:00"}, "end_time"),
        ({"repeat": "weekly", "end_date": "__next_day__", "end_time": "20:00"}, "end_date"),
        ({"repeat": "custom", "rule": "FREQ=WEEKLY;BYDAY=FR"}, "rule"),
        ({"repeat": "monthly_last"}, "repeat"),
    ],
)
def test_service_errors_land_on_the_field_the_organiser_filled(
    logged_in, organiser, overrides, field
):
    start = saturday_ahead()
    if overrides.get("end_date") == "__next_day__":
        overrides["end_date"] = (start + dt.timedelta(days=2)).isoformat()
    if overrides.get("repeat") == "monthly_last":
        start = dt.date(2030, 6, 1)  # a Saturday, not the last of its month
    response = logged_in.post(
        url("create", organiser.collective), form_data(date=start.isoformat(), **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Event.objects.exists()


def test_a_cover_photo_is_uploaded_with_the_event(logged_in, organiser, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG")
    data = form_data()
    data["cover"] = SimpleUploadedFile("marche.jpg", buffer.getvalue(), "image/jpeg")
    response = logged_in.post(url("create", organiser.collective), data)
    assert response.status_code == 302
    assert Event.objects.get().photos.count() == 1


# --- Publishing and cancelling ----------------------------------------------------------------


def test_publishing_then_back_to_draft(logged_in, organiser):
    event = weekly_market(organiser)
    response = logged_in.post(event_url("publish", event))
    assert response.url == event_url("edit", event)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    logged_in.post(event_url("unpublish", event))
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


def test_back_to_draft_is_refused_once_people_registered(logged_in, organiser):
    event = EventFactory(collective=organiser.collective)
    registration_create(actor=UserFactory(), occurrence=event.occurrences.get())
    response = logged_in.post(event_url("unpublish", event), follow=True)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_cancelling_asks_for_a_reason_on_a_confirmation_page(logged_in, organiser):
    event = EventFactory(collective=organiser.collective)
    page = logged_in.get(event_url("cancel", event))
    assert page.status_code == 200
    assert 'id="cancel-form"' in page.content.decode()
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED  # nothing happens on GET
    response = logged_in.post(event_url("cancel", event), {"reason": "Alerte orange"})
    assert response.url == event_url("edit", event)
    event.refresh_from_db()
    assert (event.status, event.cancellation_reason) == ("cancelled", "Alerte orange")


# --- The list ---------------------------------------------------------------------------------


def test_the_list_sorts_events_into_upcoming_drafts_and_past(logged_in, organiser):
    collective = organiser.collective
    soon = EventFactory(collective=collective, title="Bientôt", capacity=10)
    draft = EventFactory(collective=collective, status="draft", published_at=None)
    last_year = timezone.now() - dt.timedelta(days=365)
    past = EventFactory(collective=collective, starts_at=last_year)
    market = weekly_market(organiser)
    registration_create(actor=UserFactory(), occurrence=soon.occurrences.get())
    response = logged_in.get(url("list", collective))
    events = response.context["events"]
    assert [e.pk for e in events.upcoming] == [soon.pk]
    assert {e.pk for e in events.drafts} == {draft.pk, market.pk}
    assert [e.pk for e in events.past] == [past.pk]
    listed = events.upcoming[0]
    assert listed.next_date.seats_taken == 1
    assert listed.next_date.waiting == 0
    html = response.content.decode()
    assert f'data-event="{market.slug}"' in html


def test_the_list_counts_the_waiting_list_of_the_next_date(logged_in, organiser):
    event = EventFactory(collective=organiser.collective, capacity=1)
    occurrence = event.occurrences.get()
    for _ in range(3):
        registration_create(actor=UserFactory(), occurrence=occurrence)
    listed = logged_in.get(url("list", organiser.collective)).context["events"].upcoming[0]
    assert (listed.next_date.seats_taken, listed.next_date.waiting) == (1, 2)


def test_the_list_query_count_does_not_grow_with_events(logged_in, organiser):
    collective = organiser.collective

    def add(n):
        for i in range(n):
            event = EventFactory(collective=collective, capacity=5)
            if i % 3 == 0:
                registration_create(actor=UserFactory(), occurrence=event.occurrences.get())
        EventFactory(collective=collective, status="draft", published_at=None)
        EventFactory(collective=collective, starts_at=timezone.now() - dt.timedelta(days=30))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert logged_in.get(url("list", collective)).status_code == 200
        return len(queries)

    add(3)
    small = count()
    add(27)
    assert count() == small


# --- Dates ------------------------------------------------------------------------------------


def test_the_dates_page_lists_the_saturdays_with_their_seats(logged_in, organiser):
    event = weekly_market(organiser, capacity=20)
    logged_in.post(event_url("publish", event))
    first = event.occurrences.order_by("starts_at").first()
    registration_create(actor=UserFactory(), occurrence=first)
    response = logged_in.get(event_url("dates", event))
    dates = response.context["dates"]
    assert not dates.past
    assert len(dates.dates) >= 50
    assert dates.dates[0] == first
    assert dates.dates[0].seats_taken == 1
    html = response.content.decode()
    starts = re.findall(r'data-start="([^"]+)"', html)
    assert {dt.datetime.fromisoformat(s).weekday() for s in starts} == {5}


def test_past_dates_are_behind_a_link(logged_in, organiser):
    event = weekly_market(organiser)
    # The service plans dates to come; a date of last season is added as it would remain.
    last_season = timezone.now() - dt.timedelta(days=30)
    EventOccurrence.objects.create(
        event=event,
        original_start=last_season,
        starts_at=last_season,
        ends_at=last_season + dt.timedelta(hours=5),
    )
    upcoming = logged_in.get(event_url("dates", event))
    assert upcoming.context["dates"].other_count == 1
    assert 'id="past-dates"' in upcoming.content.decode()
    assert all(o.ends_at > timezone.now() for o in upcoming.context["dates"].dates)
    past = logged_in.get(event_url("dates", event) + "?passees=1").context["dates"]
    assert past.past
    assert [o.starts_at for o in past.dates] == [last_season]
    assert past.other_count == len(upcoming.context["dates"].dates)


def test_cancelling_and_restoring_one_date(logged_in, organiser):
    event = weekly_market(organiser)
    second = event.occurrences.order_by("starts_at")[1]
    response = logged_in.post(event_url("occurrence_cancel", event, second.pk))
    assert response.url == event_url("dates", event)
    second.refresh_from_db()
    assert second.status == EventOccurrence.Status.CANCELLED
    assert event.occurrences.filter(status="cancelled").count() == 1
    logged_in.post(event_url("occurrence_restore", event, second.pk))
    second.refresh_from_db()
    assert second.status == EventOccurrence.Status.SCHEDULED


def test_moving_one_date(logged_in, organiser):
    event = weekly_market(organiser)
    date = event.occurrences.order_by("starts_at")[2]
    friday = timezone.localtime(date.starts_at).date() - dt.timedelta(days=1)
    response = logged_in.post(
        event_url("occurrence_move", event, date.pk),
        {
            f"move-{date.pk}-date": friday.isoformat(),
            f"move-{date.pk}-start_time": "17:00",
            f"move-{date.pk}-end_time": "21:00",
        },
    )
    assert response.status_code == 302
    date.refresh_from_db()
    assert date.starts_at == paris_time(friday, 17)
    assert date.ends_at == paris_time(friday, 21)
    assert date.is_moved
    html = logged_in.get(event_url("dates", event)).content.decode()
    assert html.count("data-moved") == 1


def test_a_refused_move_comes_back_on_the_dates_page_with_its_error(logged_in, organiser):
    event = weekly_market(organiser)
    date = event.occurrences.order_by("starts_at").first()
    before = date.starts_at
    response = logged_in.post(
        event_url("occurrence_move", event, date.pk),
        {f"move-{date.pk}-date": "", f"move-{date.pk}-start_time": "17:00"},
    )
    assert response.status_code == 400
    forms = {o.pk: form for o, form in response.context["rows"]}
    assert "date" in forms[date.pk].errors
    assert f'id="id_move-{date.pk}-date_error"' in response.content.decode()
    date.refresh_from_db()
    assert date.starts_at == before


def test_the_dates_page_query_count_does_not_grow_with_dates(logged_in, organiser):
    few = event_create(
        actor=organiser.user,
        collective=organiser.collective,
        title="Trois dates",
        starts_at=paris_time(saturday_ahead(), 8),
        ends_at=paris_time(saturday_ahead(), 12),
        recurrence="FREQ=WEEKLY;COUNT=3",
        place_name="Halle",
    )
    many = event_create(
        actor=organiser.user,
        collective=organiser.collective,
        title="Trente dates",
        starts_at=paris_time(saturday_ahead(), 8),
        ends_at=paris_time(saturday_ahead(), 12),
        recurrence="FREQ=WEEKLY;COUNT=30",
        place_name="Halle",
    )
    occurrence_cancel(actor=organiser.user, occurrence=many.occurrences.last())

    def count(event):
        with CaptureQueriesContext(connection) as queries:
            assert logged_in.get(event_url("dates", event)).status_code == 200
        return len(queries)

    assert count(many) == count(few)


# --- Registrations and the CSV export ---------------------------------------------------------


@pytest.fixture
def full_workshop(organiser):
    """A workshop of two seats: two confirmed, two waiting (in this order)."""
    event = EventFactory(collective=organiser.collective, capacity=2, title="Atelier vannerie")
    occurrence = event.occurrences.get()
    people = [
        UserFactory(display_name="Alice Martin", email="alice@example.org"),
        UserFactory(display_name='=HYPERLINK("http://evil.example","clic")', email="x@example.org"),
        UserFactory(display_name="Chloé Durand", email="chloe@example.org"),
        UserFactory(display_name="Dan Roux", email="dan@example.org"),
    ]
    registrations = [registration_create(actor=p, occurrence=occurrence) for p in people]
    return event, occurrence, registrations


def test_the_registrations_page_lists_confirmed_then_the_waiting_list_in_order(
    logged_in, full_workshop
):
    event, occurrence, registrations = full_workshop
    response = logged_in.get(event_url("registrations", event, occurrence.pk))
    listed = response.context["registrations"]
    assert listed.confirmed == registrations[:2]
    assert listed.waiting == registrations[2:]
    assert [r.position for r in listed.waiting] == [1, 2]
    assert "chloe@example.org" in response.content.decode()


def test_an_organiser_cancels_a_registration_and_the_first_waiting_gets_the_seat(
    logged_in, full_workshop, django_capture_on_commit_callbacks
):
    event, occurrence, registrations = full_workshop
    with django_capture_on_commit_callbacks():
        response = logged_in.post(
            event_url("registration_cancel", event, occurrence.pk, registrations[0].pk)
        )
    assert response.url == event_url("registrations", event, occurrence.pk)
    statuses = [Registration.objects.get(pk=r.pk).status for r in registrations]
    assert statuses == ["cancelled", "confirmed", "confirmed", "waitlisted"]


def test_a_registration_of_another_date_is_404(logged_in, organiser, full_workshop):
    event, occurrence, registrations = full_workshop
    other = EventFactory(collective=organiser.collective).occurrences.get()
    response = logged_in.post(event_url("registration_cancel", event, occurrence.pk, 0))
    assert response.status_code == 404
    response = logged_in.post(
        event_url("registration_cancel", other.event, other.pk, registrations[0].pk)
    )
    assert response.status_code == 404
    assert Registration.objects.get(pk=registrations[0].pk).status == "confirmed"


def read_csv(response):
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8)
    text = content.decode("utf-8-sig")
    return text, list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_csv_of_a_date_is_what_french_excel_opens(logged_in, full_workshop):
    event, occurrence, registrations = full_workshop
    response = logged_in.get("/en" + event_url("export", event, occurrence.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    local = timezone.localtime(occurrence.starts_at, paris())
    assert response["Content-Disposition"] == (
        f'attachment; filename="inscriptions-{event.slug}-{local:%Y-%m-%d-%Hh%M}.csv"'
    )
    text, rows = read_csv(response)
    assert ";" in text.splitlines()[0]
    assert len(rows) == 5
    assert rows[0] == [
        "Date",
        "Name",
        "E-mail",
        "Status",
        "Position on the waiting list",
        "Registered at",
    ]
    assert [row[3] for row in rows[1:]] == ["Confirmed"] * 2 + ["On the waiting list"] * 2
    date_text = local.strftime("%d/%m/%Y %H:%M")
    assert [row[0] for row in rows[1:]] == [date_text] * 4
    assert [row[2] for row in rows[1:]] == [
        "alice@example.org",
        "x@example.org",
        "chloe@example.org",
        "dan@example.org",
    ]
    # A name that a spreadsheet would run as a formula is written as text.
    assert rows[2][1] == '\'=HYPERLINK("http://evil.example","clic")'
    assert [row[4] for row in rows[1:]] == ["", "", "1", "2"]
    registered = timezone.localtime(registrations[0].created_at, paris())
    assert rows[1][5] == registered.strftime("%d/%m/%Y %H:%M")


def test_the_csv_of_the_whole_event_goes_date_by_date(logged_in, organiser):
    event = weekly_market(organiser, capacity=1)
    logged_in.post(event_url("publish", event))
    first, second = event.occurrences.order_by("starts_at")[:2]
    for occurrence in (second, first, second):
        registration_create(actor=UserFactory(), occurrence=occurrence)
    response = logged_in.get(event_url("export", event))
    assert response["Content-Disposition"] == (
        f'attachment; filename="inscriptions-{event.slug}.csv"'
    )
    _, rows = read_csv(response)
    dates = [row[0] for row in rows[1:]]
    assert dates == sorted(dates, key=lambda d: dt.datetime.strptime(d, "%d/%m/%Y %H:%M"))
    assert [row[4] for row in rows[1:]] == ["", "", "1"]


def test_the_registrations_page_query_count_does_not_grow(logged_in, organiser):
    def page_queries(n):
        event = EventFactory(collective=organiser.collective, capacity=n // 2 + 1)
        occurrence = event.occurrences.get()
        for _ in range(n):
            registration_create(actor=UserFactory(), occurrence=occurrence)
        with CaptureQueriesContext(connection) as queries:
            logged_in.get(event_url("registrations", event, occurrence.pk))
        return len(queries)

    assert page_queries(3) == page_queries(30)


# --- Shops taking part ------------------------------------------------------------------------


def test_inviting_member_shops_and_seeing_their_answers(logged_in, organiser):
    event = EventFactory(collective=organiser.collective)
    bakery, cheese, outsider = (
        MembershipFactory(collective=organiser.collective).merchant,
        MembershipFactory(collective=organiser.collective).merchant,
        MerchantFactory(),
    )
    page = logged_in.get(event_url("participants", event))
    choices = list(page.context["form"].fields["merchants"].queryset)
    assert set(choices) == {bakery, cheese}
    response = logged_in.post(event_url("participants", event), {"merchants": [bakery.pk]})
    assert response.url == event_url("participants", event)
    participation = EventParticipation.objects.get(event=event)
    assert (participation.merchant, participation.status) == (bakery, "invited")
    # A shop already asked is no longer offered; a shop outside the collective is refused.
    page = logged_in.get(event_url("participants", event))
    assert list(page.context["form"].fields["merchants"].queryset) == [cheese]
    assert f'data-participation="{bakery.slug}"' in page.content.decode()
    refused = logged_in.post(event_url("participants", event), {"merchants": [outsider.pk]})
    assert refused.status_code == 400
    assert "merchants" in refused.context["form"].errors
    logged_in.post(event_url("participant_remove", event, participation.pk))
    assert not EventParticipation.objects.filter(event=event).exists()


def test_a_participation_of_another_event_cannot_be_removed(logged_in, organiser):
    event = EventFactory(collective=organiser.collective)
    other = EventParticipation.objects.create(
        event=EventFactory(collective=organiser.collective), merchant=MerchantFactory()
    )
    response = logged_in.post(event_url("participant_remove", event, other.pk))
    assert response.status_code == 404
    assert EventParticipation.objects.filter(pk=other.pk).exists()


# --- Featured products ------------------------------------------------------------------------


def test_featuring_products_of_member_shops_with_a_search(logged_in, organiser):
    event = EventFactory(collective=organiser.collective)
    shop = MembershipFactory(collective=organiser.collective, merchant__name="Fromagerie").merchant
    tomme = ProductFactory(merchant=shop, title="Tomme de brebis")
    comte = ProductFactory(merchant=shop, title="Comté 18 mois")
    bread = ProductFactory(
        merchant=MembershipFactory(collective=organiser.collective).merchant, title="Pain"
    )
    outsider = ProductFactory(title="Ailleurs")
    page = logged_in.get(event_url("featured", event) + "?q=comte")
    assert page.context["choices"].results == [comte]  # accents and case ignored
    page = logged_in.get(event_url("featured", event) + "?q=fromagerie")
    assert set(page.context["choices"].results) == {tomme, comte}
    logged_in.post(event_url("featured", event), {"products": [tomme.pk, bread.pk]})
    assert set(event.featured_products.all()) == {tomme, bread}
    page = logged_in.get(event_url("featured", event))
    assert set(page.context["choices"].featured) == {tomme, bread}
    assert outsider not in page.context["choices"].results
    refused = logged_in.post(event_url("featured", event), {"products": [outsider.pk]})
    assert refused.status_code == 400
    assert set(event.featured_products.all()) == {tomme, bread}


def test_the_pages_exist_in_english_too(client):
    collective = CollectiveFactory()
    client.force_login(OrganiserFactory(collective=collective).user)
    response = client.get("/en" + url("list", collective))
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()

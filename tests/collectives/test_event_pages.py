"""The public side of events: the list of dates to come (scope, kinds, cancelled dates, seats,
pages, constant queries), an event's page (scope and draft preview, dates with the visitor's
registration, shops, products, schema.org JSON-LD, constant queries), the registration
buttons (register, waiting list, cancel, log-in first) and the collective page's
« upcoming events »."""

import datetime as dt
import json
import re
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from collectives.models import Event, EventPhoto, Registration
from collectives.selectors.events import upcoming_events_for_collective_page
from collectives.services.events import (
    event_cancel,
    event_create,
    event_publish,
    occurrence_cancel,
    occurrence_move,
)
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    EventParticipationFactory,
    MembershipFactory,
    MerchantFactory,
    OrganiserFactory,
    ProductFactory,
    ProductImageFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def organiser():
    return OrganiserFactory(collective=CollectiveFactory(name="Bastide", slug="bastide"))


@pytest.fixture
def collective(organiser):
    return organiser.collective


def in_days(days: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


def weekly_market(organiser, *, count=20, **fields):
    start = in_days(1, 8)
    while start.weekday() != 5:
        start += dt.timedelta(days=1)
    event = event_create(
        actor=organiser.user,
        collective=organiser.collective,
        title="Marché du samedi",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=5),
        kind=Event.Kind.MARKET,
        recurrence=f"FREQ=WEEKLY;BYDAY=SA;COUNT={count}",
        place_name="Place de la Halle",
        city="Villeneuve",
        **fields,
    )
    return event_publish(actor=organiser.user, event=event)


def list_url(collective, prefix="", **params):
    from urllib.parse import urlencode

    with translation.override("fr"):
        url = prefix + reverse("events:list", kwargs={"slug": collective.slug})
    return f"{url}?{urlencode(params)}" if params else url


def detail_url(event, prefix=""):
    with translation.override("fr"):
        return prefix + event.get_absolute_url()


def register_url(occurrence, name="events:register"):
    """The French address (tests prefix /en/ themselves), whatever language a previous
    request of the test activated."""
    event = occurrence.event
    with translation.override("fr"):
        return reverse(
            name,
            kwargs={
                "slug": event.collective.slug,
                "event_slug": event.slug,
                "occurrence_id": occurrence.pk,
            },
        )


def listed_titles(response):
    return [o.event.title for _day, dates in response.context["days"] for o in dates]


def jsonld(response):
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, "the page carries JSON-LD"
    return json.loads(match.group(1)), match.group(1)


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The list of dates ---------------------------------------------------------------------


def test_list_shows_the_dates_to_come_of_public_events_soonest_first(client, collective):
    """Published and cancelled events are listed; drafts, past dates and other collectives'
    events are not."""
    EventFactory(collective=collective, title="Atelier B", starts_at=in_days(5))
    EventFactory(collective=collective, title="Atelier A", starts_at=in_days(2))
    cancelled = EventFactory(collective=collective, title="Annulé", starts_at=in_days(3))
    Event.objects.filter(pk=cancelled.pk).update(status="cancelled", cancelled_at=timezone.now())
    EventFactory(collective=collective, title="Brouillon", status="draft", published_at=None)
    EventFactory(collective=collective, title="Passé", starts_at=in_days(-3))
    EventFactory(title="Ailleurs")

    response = client.get(list_url(collective))
    assert listed_titles(response) == ["Atelier A", "Annulé", "Atelier B"]
    content = response.content.decode()
    assert content.count("data-cancelled") == 1
    assert f'href="{reverse("events:feed", kwargs={"slug": collective.slug})}"' in content


def test_list_groups_dates_by_day_in_paris(client, collective):
    day = in_days(4, 9)
    EventFactory(collective=collective, title="Matin", starts_at=day)
    EventFactory(collective=collective, title="Soir", starts_at=day.replace(hour=23))
    EventFactory(collective=collective, title="Lendemain", starts_at=in_days(5, 0))
    days = client.get(list_url(collective)).context["days"]
    assert [(d, [o.event.title for o in dates]) for d, dates in days] == [
        (day.date(), ["Matin", "Soir"]),
        (day.date() + dt.timedelta(days=1), ["Lendemain"]),
    ]


def test_organisers_see_their_drafts_in_the_list(client, organiser):
    EventFactory(
        collective=organiser.collective, title="Brouillon", status="draft", published_at=None
    )
    other = OrganiserFactory()  # organises another collective
    client.force_login(other.user)
    assert listed_titles(client.get(list_url(organiser.collective))) == []
    client.force_login(organiser.user)
    response = client.get(list_url(organiser.collective))
    assert listed_titles(response) == ["Brouillon"]
    assert "badge--draft" in response.content.decode()


def test_list_filters_by_kind_in_the_url(client, collective):
    EventFactory(collective=collective, title="Atelier", kind="workshop")
    EventFactory(collective=collective, title="Nocturne", kind="late_opening")
    response = client.get(list_url(collective, type="late_opening"))
    assert listed_titles(response) == ["Nocturne"]
    assert '<option value="late_opening" selected>' in response.content.decode()
    # An unknown kind lists everything.
    response = client.get(list_url(collective, type="nonsense"))
    assert sorted(listed_titles(response)) == ["Atelier", "Nocturne"]
    assert response.context["kind"] == ""


def test_list_shows_cancelled_dates_and_seats_left(client, organiser):
    """« 3 places restantes », « Complet — liste d'attente », a cancelled date marked."""
    collective = organiser.collective
    roomy = EventFactory(collective=collective, title="Trois places", capacity=3)
    full = EventFactory(collective=collective, title="Complet", capacity=1)
    RegistrationFactory(occurrence=full.occurrences.get())
    full.occurrences.update(seats_taken=1)
    market = weekly_market(organiser, count=3)
    occurrence_cancel(actor=organiser.user, occurrence=market.occurrences.order_by("starts_at")[1])

    content = client.get(list_url(collective, prefix="/en")).content.decode()
    assert "3 seats left" in content
    assert "Full — waiting list" in content
    assert content.count('data-status="cancelled"') == 1
    assert roomy.title in content


def test_list_is_paginated_by_30(client, organiser):
    market = weekly_market(organiser, count=35)
    assert market.occurrences.count() == 35
    response = client.get(list_url(organiser.collective))
    assert len(response.context["page"].object_list) == 30
    content = response.content.decode()
    next_link = re.search(r'<a [^>]*rel="next" href="([^"]+)"', content).group(1)
    second = client.get(list_url(organiser.collective) + next_link.replace("&amp;", "&"))
    assert len(second.context["page"].object_list) == 5


def test_list_keeps_the_kind_in_page_links(client, organiser):
    weekly_market(organiser, count=35)
    content = client.get(list_url(organiser.collective, type="market")).content.decode()
    next_link = re.search(r'<a [^>]*rel="next" href="([^"]+)"', content).group(1)
    assert "type=market" in next_link


def test_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    """Two page sizes (3 and 30 events), the same number of queries: collective, count,
    dates with their events."""
    counts = []
    for size in (3, 30):
        collective = CollectiveFactory()
        for index in range(size):
            EventFactory(collective=collective, capacity=5, starts_at=in_days(1 + index))
        with django_assert_max_num_queries(3) as captured:
            response = client.get(list_url(collective))
        assert response.status_code == 200
        assert len(listed_titles(response)) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_list_of_a_hidden_collective_is_404(client):
    hidden = CollectiveFactory(status="draft")
    assert client.get(list_url(hidden)).status_code == 404


# --- An event's page -----------------------------------------------------------------------


def test_event_page_shows_what_and_when_and_where(client, collective):
    start = in_days(6, 14)
    event = EventFactory(
        collective=collective,
        title="Atelier vannerie",
        description="Première ligne.\nDeuxième ligne <b>grasse</b>.",
        starts_at=start,
        place_name="La Grange",
        street="2 chemin des Saules",
        postcode="47300",
        latitude=Decimal("44.400000"),
        longitude=Decimal("0.700000"),
    )
    response = client.get(detail_url(event, prefix="/en"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1" in content
    assert "Atelier vannerie" in content
    assert "Workshop" in content
    assert "Première ligne.<br>Deuxième ligne &lt;b&gt;grasse&lt;/b&gt;." in content
    assert f'datetime="{start.isoformat()}"' in content
    assert "La Grange" in content
    assert "2 chemin des Saules, 47300 Villeneuve" in content
    assert "https://www.openstreetmap.org/directions?to=44.400000%2C0.700000" in content
    ics = reverse("events:ics", kwargs={"slug": collective.slug, "event_slug": event.slug})
    assert ics.replace("/en/", "/") in content or ics in content
    # The map's pin is in the page; Leaflet and the tiles only load on request.
    data = json.loads(
        re.search(
            r'<script id="collective-map-data" type="application/json">(.*?)</script>', content
        ).group(1)
    )
    assert data["markers"][0]["lat"] == pytest.approx(44.4)
    assert "tile.openstreetmap.org" not in content


def test_recurring_event_says_its_rule_and_lists_at_most_12_dates(client, organiser):
    market = weekly_market(organiser, count=20)
    response = client.get(detail_url(market, prefix="/en"))
    content = response.content.decode()
    assert "Every Saturday" in content
    assert len(response.context["dates"]) == 12
    assert response.context["has_more_dates"] is True
    assert content.count("data-date=") == 12


def test_cancelled_event_shows_a_banner_with_the_reason_and_no_button(client, organiser):
    event = EventFactory(collective=organiser.collective)
    event_cancel(actor=organiser.user, event=event, reason="La salle est inondée.")
    client.force_login(UserFactory())
    content = client.get(detail_url(event)).content.decode()
    assert "data-event-cancelled" in content
    assert "La salle est inondée." in content
    assert "data-register" not in content


def test_drafts_are_404_except_for_the_collectives_organisers(client, organiser):
    """A draft is previewed by its collective's organisers only; nobody else learns it
    exists."""
    draft = EventFactory(collective=organiser.collective, status="draft", published_at=None)
    assert client.get(detail_url(draft)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(detail_url(draft)).status_code == 404
    client.force_login(OrganiserFactory().user)
    assert client.get(detail_url(draft)).status_code == 404
    client.force_login(organiser.user)
    response = client.get(detail_url(draft))
    assert response.status_code == 200
    assert "data-preview" in response.content.decode()
    assert "data-register" not in response.content.decode()


def test_an_event_is_only_found_under_its_own_collective(client, collective):
    event = EventFactory()
    url = reverse("events:detail", kwargs={"slug": collective.slug, "event_slug": event.slug})
    assert client.get(url).status_code == 404
    url = reverse("events:detail", kwargs={"slug": collective.slug, "event_slug": "inconnu"})
    assert client.get(url).status_code == 404


def test_participating_shops_and_featured_products_are_the_public_ones(client, collective):
    event = EventFactory(collective=collective)
    yes = MerchantFactory(name="Fromagerie oui")
    EventParticipationFactory(
        event=event, merchant=yes, status="accepted", answered_at=timezone.now()
    )
    EventParticipationFactory(event=event, merchant=MerchantFactory(name="Boutique invitée"))
    EventParticipationFactory(
        event=event,
        merchant=MerchantFactory(name="Boutique refusée"),
        status="declined",
        answered_at=timezone.now(),
    )
    MembershipFactory(collective=collective, merchant=yes)
    shown = ProductFactory(merchant=yes, title="Tomme de brebis")
    hidden = ProductFactory(merchant=yes, title="Brouillon", status="draft", published_at=None)
    event.featured_products.set([shown, hidden])

    content = client.get(detail_url(event)).content.decode()
    assert "Fromagerie oui" in content
    assert f'href="{yes.get_absolute_url()}"' in content
    assert "Boutique invitée" not in content
    assert "Boutique refusée" not in content
    assert "Tomme de brebis" in content
    assert "Brouillon" not in content


def test_live_session_links_to_its_live_page(client, collective):
    live = EventFactory(collective=collective, kind="live", registration_open=False)
    content = client.get(detail_url(live)).content.decode()
    assert "data-live-link" in content
    assert (
        reverse("live:detail", kwargs={"slug": collective.slug, "event_slug": live.slug}) in content
    )
    workshop = EventFactory(collective=collective)
    assert "data-live-link" not in client.get(detail_url(workshop)).content.decode()


def test_cover_photo_is_shown_as_a_picture(client, collective):
    event = EventFactory(collective=collective)
    EventPhoto.objects.create(
        event=event,
        image="events/originals/x.jpg",
        position=0,
        status="ready",
        alt_text="La halle en fête",
        width=800,
        height=600,
        renditions={"800": {"width": 800, "height": 600, "webp": "c.webp", "jpeg": "c.jpg"}},
    )
    response = client.get(detail_url(event))
    content = response.content.decode()
    assert "<picture>" in content
    assert 'alt="La halle en fête"' in content
    data, _raw = jsonld(response)
    assert data["image"] == ["http://testserver/media/c.jpg"]


def test_detail_query_count_does_not_grow_with_dates(
    client, organiser, django_assert_max_num_queries
):
    """2 and 20 dates, registrations on each, shops and products: the same number of
    queries (session, user, collective, event, cover, shops, products, their photos, dates
    with the visitor's registration)."""
    person = UserFactory()
    counts = []
    for count in (2, 20):
        market = weekly_market(organiser, count=count, capacity=1, registration_open=True)
        for index, occurrence in enumerate(market.occurrences.order_by("starts_at")):
            RegistrationFactory(occurrence=occurrence)
            occurrence.seats_taken = 1
            occurrence.save()
            if index % 2:
                RegistrationFactory(occurrence=occurrence, user=person, status="waitlisted")
        shop = MerchantFactory()
        MembershipFactory(collective=organiser.collective, merchant=shop)
        EventParticipationFactory(
            event=market, merchant=shop, status="accepted", answered_at=timezone.now()
        )
        products = ProductFactory.create_batch(3, merchant=shop)
        for product in products:
            ProductImageFactory(product=product, position=0)
        market.featured_products.set(products)
        client.force_login(person)
        url = detail_url(market)
        with django_assert_max_num_queries(9) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- schema.org Event ----------------------------------------------------------------------


def test_one_off_event_json_ld(client, collective):
    start = in_days(6, 14)
    event = EventFactory(
        collective=collective,
        title="Atelier </script><script>alert(1)</script>",
        description="Tressez votre panier.",
        starts_at=start,
        street="2 chemin des Saules",
        postcode="47300",
        latitude=Decimal("44.400000"),
        longitude=Decimal("0.700000"),
        capacity=8,
    )
    response = client.get(detail_url(event))
    data, raw = jsonld(response)
    assert "</script>" not in raw  # escaped inside the <script>
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == event.title
    assert data["description"] == "Tressez votre panier."
    assert data["startDate"] == start.isoformat()
    assert data["startDate"].endswith(("+01:00", "+02:00"))
    assert data["endDate"] == (start + dt.timedelta(hours=2)).isoformat()
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    place = data["location"]
    assert place["@type"] == "Place"
    assert place["name"] == "Halle aux grains"
    assert place["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "2 chemin des Saules",
        "postalCode": "47300",
        "addressLocality": "Villeneuve",
        "addressCountry": "FR",
    }
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 44.4, "longitude": 0.7}
    assert data["organizer"] == {
        "@type": "Organization",
        "name": collective.name,
        "url": "http://testserver" + collective.get_absolute_url(),
    }
    assert data["url"] == "http://testserver" + event.get_absolute_url()
    assert data["maximumAttendeeCapacity"] == 8
    assert data["remainingAttendeeCapacity"] == 8
    assert "image" not in data


def test_online_and_cancelled_event_json_ld(client, organiser):
    event = EventFactory(
        collective=organiser.collective,
        is_online=True,
        online_url="https://visio.example/atelier",
    )
    event_cancel(actor=organiser.user, event=event)
    data, _raw = jsonld(client.get(detail_url(event)))
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://visio.example/atelier"}
    assert data["eventStatus"] == "https://schema.org/EventCancelled"


def test_recurring_event_json_ld_has_one_event_per_date_shown(client, organiser):
    market = weekly_market(organiser, count=20)
    dates = list(market.occurrences.order_by("starts_at"))
    occurrence_cancel(actor=organiser.user, occurrence=dates[1])
    moved_start = dates[2].starts_at - dt.timedelta(days=1)
    occurrence_move(
        actor=organiser.user,
        occurrence=dates[2],
        starts_at=moved_start,
        ends_at=moved_start + dt.timedelta(hours=5),
    )
    data, _raw = jsonld(client.get(detail_url(market)))
    assert isinstance(data, list)
    assert len(data) == 12
    assert [d["startDate"] for d in data[:3]] == [
        timezone.localtime(dates[0].starts_at).isoformat(),
        timezone.localtime(dates[1].starts_at).isoformat(),
        timezone.localtime(moved_start).isoformat(),
    ]
    assert [d["eventStatus"].rsplit("/", 1)[1] for d in data[:4]] == [
        "EventScheduled",
        "EventCancelled",
        "EventRescheduled",
        "EventScheduled",
    ]
    assert data[2]["previousStartDate"] == timezone.localtime(dates[2].original_start).isoformat()
    assert all(d["name"] == "Marché du samedi" for d in data)


# --- Registration --------------------------------------------------------------------------


def test_registering_takes_a_seat_then_the_waiting_list_with_its_position(client, collective):
    """Through the views: a confirmed seat while there is one, then the waiting list; each
    person's page says where they stand."""
    event = EventFactory(collective=collective, capacity=1)
    occurrence = event.occurrences.get()
    first, second, third = UserFactory(), UserFactory(), UserFactory()

    client.force_login(first)
    response = client.post(register_url(occurrence), follow=True)
    assert response.redirect_chain[-1][0] == f"{event.get_absolute_url()}#date-{occurrence.pk}"
    assert Registration.objects.get(user=first).status == "confirmed"
    assert 'data-registration="confirmed"' in response.content.decode()
    assert "data-unregister" in response.content.decode()

    client.force_login(second)
    client.post(register_url(occurrence), follow=True)
    client.force_login(third)
    response = client.post("/en" + register_url(occurrence), follow=True)
    assert Registration.objects.get(user=third).status == "waitlisted"
    assert flash(response) == ["Full: you are on the waiting list (position 2)."]
    content = response.content.decode()
    assert 'data-waiting-position="2"' in content
    assert "On the waiting list, position 2" in content

    client.force_login(second)
    content = client.get(detail_url(event, prefix="/en")).content.decode()
    assert "On the waiting list, position 1" in content


def test_registering_twice_keeps_one_registration(client, collective):
    event = EventFactory(collective=collective, capacity=5)
    occurrence = event.occurrences.get()
    client.force_login(UserFactory())
    client.post(register_url(occurrence))
    client.post(register_url(occurrence))
    assert Registration.objects.filter(occurrence=occurrence).count() == 1


def test_confirmed_registration_message(client, collective):
    event = EventFactory(collective=collective, capacity=5)
    client.force_login(UserFactory())
    response = client.post("/en" + register_url(event.occurrences.get()), follow=True)
    (message,) = flash(response)
    assert message.startswith("You are registered for ")


def test_cancelling_frees_the_seat_for_the_first_waiting(client, collective):
    event = EventFactory(collective=collective, capacity=1)
    occurrence = event.occurrences.get()
    first, second = UserFactory(), UserFactory()
    for person in (first, second):
        client.force_login(person)
        client.post(register_url(occurrence), follow=True)

    client.force_login(first)
    response = client.post("/en" + register_url(occurrence, "events:unregister"), follow=True)
    assert flash(response) == ["Your registration is cancelled."]
    assert Registration.objects.get(user=first).status == "cancelled"
    assert Registration.objects.get(user=second).status == "confirmed"
    assert "data-register" in response.content.decode()  # the first may register again


def test_leaving_the_waiting_list(client, collective):
    event = EventFactory(collective=collective, capacity=1)
    occurrence = event.occurrences.get()
    RegistrationFactory(occurrence=occurrence)
    occurrence.seats_taken = 1
    occurrence.save()
    person = UserFactory()
    client.force_login(person)
    client.post(register_url(occurrence), follow=True)
    response = client.post("/en" + register_url(occurrence, "events:unregister"), follow=True)
    assert flash(response) == ["You left the waiting list."]
    assert Registration.objects.get(user=person).status == "cancelled"


def test_nobody_cancels_someone_elses_registration(client, collective):
    """The button acts on the visitor's own registration: without one, 404, and the other
    person's seat stays."""
    event = EventFactory(collective=collective, capacity=3)
    occurrence = event.occurrences.get()
    theirs = RegistrationFactory(occurrence=occurrence)
    client.force_login(UserFactory())
    response = client.post(register_url(occurrence, "events:unregister"))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_visitors_are_asked_to_log_in_and_come_back_to_the_event(client, collective):
    event = EventFactory(collective=collective, capacity=3)
    occurrence = event.occurrences.get()
    content = client.get(detail_url(event)).content.decode()
    login = reverse("account_login")
    assert f'href="{login}?next={quote(event.get_absolute_url())}"' in content
    assert "data-register" not in content

    for name in ("events:register", "events:unregister"):
        response = client.post(register_url(occurrence, name))
        assert response.status_code == 302
        assert response["Location"] == f"{login}?next={quote(event.get_absolute_url())}"
    assert not Registration.objects.exists()


def test_registration_buttons_are_post_only(client, collective):
    event = EventFactory(collective=collective, capacity=3)
    client.force_login(UserFactory())
    assert client.get(register_url(event.occurrences.get())).status_code == 405


def test_refused_registration_says_why(client, organiser):
    closed = EventFactory(collective=organiser.collective, registration_open=False)
    client.force_login(UserFactory())
    response = client.post("/en" + register_url(closed.occurrences.get()), follow=True)
    assert flash(response) == ["Registration is not open for this event."]
    assert not Registration.objects.exists()

    market = weekly_market(organiser, count=3, registration_open=True)
    off = market.occurrences.order_by("starts_at")[1]
    occurrence_cancel(actor=organiser.user, occurrence=off)
    response = client.post("/en" + register_url(off), follow=True)
    assert flash(response) == ["This date is cancelled."]


def test_registration_for_a_date_of_a_hidden_or_other_event_is_404(client, organiser):
    draft = EventFactory(collective=organiser.collective, status="draft", published_at=None)
    other = EventFactory(collective=organiser.collective)
    client.force_login(UserFactory())
    assert client.post(register_url(draft.occurrences.get())).status_code == 404
    # A date of another event under this event's address.
    url = reverse(
        "events:register",
        kwargs={
            "slug": organiser.collective.slug,
            "event_slug": other.slug,
            "occurrence_id": EventFactory(collective=organiser.collective).occurrences.get().pk,
        },
    )
    assert client.post(url).status_code == 404


# --- The collective page's upcoming events -------------------------------------------------


def test_upcoming_events_for_the_collective_page_one_per_event(
    organiser, django_assert_num_queries
):
    """Each event once, by its next date that is not cancelled; soonest first; two queries
    (dates with events, covers)."""
    collective = organiser.collective
    market = weekly_market(organiser, count=10)
    first = market.occurrences.order_by("starts_at")[0]
    occurrence_cancel(actor=organiser.user, occurrence=first)
    for days in (2, 30, 40, 50):
        EventFactory(collective=collective, title=f"Dans {days} jours", starts_at=in_days(days))
    EventFactory(collective=collective, status="draft", published_at=None, starts_at=in_days(1))
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(2):
        upcoming = upcoming_events_for_collective_page(collective=collective, actor=AnonymousUser())
        titles = [o.event.title for o in upcoming]
        [o.event.get_absolute_url() for o in upcoming]
    assert len(upcoming) == 4
    assert titles[0] == "Dans 2 jours"
    assert "Marché du samedi" in titles
    second_saturday = market.occurrences.order_by("starts_at")[1]
    assert next(o for o in upcoming if o.event == market).pk == second_saturday.pk


def test_upcoming_events_teaser_renders(client, organiser, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    event = EventFactory(collective=organiser.collective, capacity=4)
    upcoming = upcoming_events_for_collective_page(
        collective=organiser.collective, actor=AnonymousUser()
    )
    html = render_to_string(
        "collectives/events/_upcoming.html",
        {"upcoming_events": upcoming, "collective": organiser.collective},
    )
    assert f'href="{event.get_absolute_url()}"' in html
    assert 'data-seats="4"' in html

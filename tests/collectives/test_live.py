"""Live sale sessions: the line-up services (order, one product shown, who may change it), the
stream link's platform, the viewers' page and its polled line-up, the organisers' control
room."""

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from collectives.models import Event, LineupItem
from collectives.services.live import (
    lineup_add,
    lineup_clear_highlight,
    lineup_highlight,
    lineup_move,
    lineup_remove,
    stream_platform,
    validate_stream_url,
)
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    LineupItemFactory,
    MembershipFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
    ProductImageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_live(**event_fields):
    """A collective with an organiser, one member shop and a published live session."""
    collective = CollectiveFactory()
    organiser = OrganiserFactory(collective=collective, role="organiser").user
    shop = MembershipFactory(collective=collective, merchant__name="Fromagerie Margaux").merchant
    fields = {
        "collective": collective,
        "kind": Event.Kind.LIVE,
        "title": "Le direct du samedi",
        "slug": "direct-du-samedi",
        "registration_open": False,
        "stream_url": "https://www.youtube.com/live/abcdefghijk",
        **event_fields,
    }
    event = EventFactory(**fields)
    return SimpleNamespace(collective=collective, organiser=organiser, shop=shop, event=event)


def on_air() -> dict[str, dt.datetime]:
    now = timezone.now()
    return {"starts_at": now - dt.timedelta(minutes=10), "ends_at": now + dt.timedelta(hours=1)}


def item(live, **fields) -> LineupItem:
    product = fields.pop("product", None) or ProductFactory(merchant=live.shop)
    return LineupItemFactory(event=live.event, product=product, **fields)


def url(name, live, lang="", **kwargs):
    with translation.override(lang or "fr"):
        return reverse(
            f"live:{name}",
            kwargs={"slug": live.collective.slug, "event_slug": live.event.slug, **kwargs},
        )


def organiser_url(name, live, **kwargs):
    return reverse(
        f"organiser_live:{name}",
        kwargs={"collective_slug": live.collective.slug, "event_slug": live.event.slug, **kwargs},
    )


def ordered_titles(event) -> list[str]:
    return [i.product.title for i in event.lineup.select_related("product").order_by("position")]


# --- The stream link -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "platform"),
    [
        ("https://www.youtube.com/live/abcdefghijk", "youtube"),
        ("https://youtube.com/watch?v=abcdefghijk", "youtube"),
        ("https://m.youtube.com/watch?v=abcdefghijk", "youtube"),
        ("https://youtu.be/abcdefghijk", "youtube"),
        ("https://www.twitch.tv/lahalle", "twitch"),
        ("https://twitch.tv/lahalle", "twitch"),
        ("https://www.instagram.com/lahalle/live/", "instagram"),
        ("https://instagram.com/lahalle", "instagram"),
        ("https://tube.villeneuve.fr/w/9x3Fk2LmQp2aB7cD1eF4gH", "peertube"),
        ("https://video.example.org/videos/watch/0b4c1f5e-8a1c-4f7e-9a2b-1c2d3e4f5a6b", "peertube"),
        # Not a live platform, not https for an unknown host, not a PeerTube path, nonsense.
        ("https://vimeo.com/123456", None),
        ("http://tube.villeneuve.fr/w/9x3Fk2LmQp2aB7cD1eF4gH", None),
        ("https://tube.villeneuve.fr/about", None),
        ("https://192.168.1.10/w/9x3Fk2LmQp2aB7cD1eF4gH", None),
        ("https://user:pw@www.youtube.com/live/abc", None),
        ("ftp://www.youtube.com/live/abc", None),
        ("https://www.youtube.com:99999/", None),
        ("youtube.com", None),
        ("", None),
    ],
)
def test_stream_platform_recognises_the_live_platforms(link, platform):
    # Rule: the stream link is labelled by its platform; anything else is not recognised.
    assert stream_platform(link) == platform


def test_a_stream_link_must_be_on_a_live_platform_or_empty():
    validate_stream_url("")
    validate_stream_url("https://www.twitch.tv/lahalle")
    with pytest.raises(ValidationError) as error:
        validate_stream_url("https://example.org/mon-direct")
    assert "stream_url" in error.value.error_dict


# --- Services: the line-up -------------------------------------------------------------------


def test_products_are_added_at_the_end_of_the_line_up_in_order():
    live = make_live()
    first = ProductFactory(merchant=live.shop, title="Comté 18 mois")
    second = ProductFactory(merchant=live.shop, title="Tomme de brebis")
    lineup_add(actor=live.organiser, event=live.event, product=first)
    added = lineup_add(actor=live.organiser, event=live.event, product=second, note="  −10 %  ")
    assert ordered_titles(live.event) == ["Comté 18 mois", "Tomme de brebis"]
    assert added.note == "−10 %"
    assert added.position > live.event.lineup.get(product=first).position


def test_each_product_is_in_the_line_up_once():
    live = make_live()
    product = ProductFactory(merchant=live.shop)
    lineup_add(actor=live.organiser, event=live.event, product=product)
    with pytest.raises(ValidationError) as error:
        lineup_add(actor=live.organiser, event=live.event, product=product)
    assert error.value.error_dict["product"][0].code == "already_in_lineup"
    assert live.event.lineup.count() == 1


@pytest.mark.parametrize(
    "make_product",
    [
        pytest.param(lambda live: ProductFactory(), id="not-a-member"),
        pytest.param(lambda live: ProductFactory(merchant=live.shop, status="draft"), id="draft"),
        pytest.param(
            lambda live: ProductFactory(
                merchant=MembershipFactory(collective=live.collective, status="suspended").merchant
            ),
            id="suspended-member",
        ),
    ],
)
def test_only_published_products_of_active_members_join_the_line_up(make_product):
    live = make_live()
    with pytest.raises(ValidationError) as error:
        lineup_add(actor=live.organiser, event=live.event, product=make_product(live))
    assert error.value.error_dict["product"][0].code == "product_not_offered"
    assert not live.event.lineup.exists()


def test_only_the_collectives_organisers_change_the_line_up():
    live = make_live()
    existing = item(live)
    product = ProductFactory(merchant=live.shop)
    shopkeeper = MerchantMemberFactory(merchant=live.shop).user
    other_organiser = OrganiserFactory().user  # of another collective
    for outsider in (UserFactory(), shopkeeper, other_organiser):
        with pytest.raises(PermissionDenied):
            lineup_add(actor=outsider, event=live.event, product=product)
        with pytest.raises(PermissionDenied):
            lineup_highlight(actor=outsider, item=existing)
        with pytest.raises(PermissionDenied):
            lineup_move(actor=outsider, item=existing, direction="down")
        with pytest.raises(PermissionDenied):
            lineup_remove(actor=outsider, item=existing)
        with pytest.raises(PermissionDenied):
            lineup_clear_highlight(actor=outsider, event=live.event)
    assert list(live.event.lineup.all()) == [existing]


def test_only_a_live_session_has_a_line_up():
    live = make_live()
    market = EventFactory(collective=live.collective, kind=Event.Kind.MARKET)
    product = ProductFactory(merchant=live.shop)
    with pytest.raises(ValidationError) as error:
        lineup_add(actor=live.organiser, event=market, product=product)
    assert error.value.code == "not_live"
    # A row that got there anyway (admin, data import) cannot be driven either.
    stray = LineupItemFactory(event=market, product=product)
    with pytest.raises(ValidationError):
        lineup_highlight(actor=live.organiser, item=stray)


def test_moving_swaps_a_product_with_its_neighbour():
    live = make_live()
    a, b, c = (item(live, product=ProductFactory(merchant=live.shop, title=t)) for t in "ABC")
    lineup_move(actor=live.organiser, item=c, direction="up")
    assert ordered_titles(live.event) == ["A", "C", "B"]
    lineup_move(actor=live.organiser, item=a, direction="down")
    assert ordered_titles(live.event) == ["C", "A", "B"]
    # The first does not go up, the last does not go down.
    lineup_move(actor=live.organiser, item=c, direction="up")
    lineup_move(actor=live.organiser, item=b, direction="down")
    assert ordered_titles(live.event) == ["C", "A", "B"]
    with pytest.raises(ValidationError):
        lineup_move(actor=live.organiser, item=a, direction="sideways")  # type: ignore[arg-type]


def test_removing_keeps_the_order_of_the_others_and_adding_goes_after_them():
    live = make_live()
    _a, b, c = (item(live, product=ProductFactory(merchant=live.shop, title=t)) for t in "ABC")
    lineup_remove(actor=live.organiser, item=b)
    assert ordered_titles(live.event) == ["A", "C"]
    lineup_add(
        actor=live.organiser,
        event=live.event,
        product=ProductFactory(merchant=live.shop, title="D"),
    )
    lineup_move(actor=live.organiser, item=c, direction="up")
    assert ordered_titles(live.event) == ["C", "A", "D"]


def test_highlighting_shows_one_product_and_is_idempotent():
    live = make_live()
    a, b = item(live), item(live)
    lineup_highlight(actor=live.organiser, item=a)
    a.refresh_from_db()
    assert a.is_current
    assert a.shown_at is not None
    first_shown = a.shown_at

    lineup_highlight(actor=live.organiser, item=b)
    assert list(live.event.lineup.filter(is_current=True)) == [b]

    lineup_highlight(actor=live.organiser, item=b)  # a second tap changes nothing
    b_shown = LineupItem.objects.get(pk=b.pk).shown_at
    lineup_highlight(actor=live.organiser, item=b)
    assert LineupItem.objects.get(pk=b.pk).shown_at == b_shown
    assert list(live.event.lineup.filter(is_current=True)) == [b]
    a.refresh_from_db()
    assert a.shown_at == first_shown  # when it was shown stays recorded

    lineup_clear_highlight(actor=live.organiser, event=live.event)
    assert not live.event.lineup.filter(is_current=True).exists()


def test_a_product_of_another_live_cannot_be_driven_from_this_one():
    live = make_live()
    other = make_live()
    foreign = item(other)
    foreign.event = live.event  # a forged object: the service re-reads the row
    with pytest.raises(ValidationError):
        lineup_highlight(actor=live.organiser, item=foreign)
    assert not LineupItem.objects.filter(is_current=True).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_highlights_leave_exactly_one_product_shown():
    # Rule: two organisers tapping « show now » at the same moment end with one current
    # product (the event row lock serialises them; neither gets an integrity error).
    live = make_live()
    second_organiser = OrganiserFactory(collective=live.collective, role="admin").user
    items = [item(live) for _ in range(6)]
    actors = [live.organiser, second_organiser] * 3
    barrier = threading.Barrier(len(items))
    outcomes: list[str] = []

    def show(actor, lineup_item):
        try:
            barrier.wait(timeout=10)
            lineup_highlight(actor=actor, item=lineup_item)
            outcomes.append("shown")
        except Exception as error:  # the test reports whatever went wrong
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=show, args=(actor, lineup_item))
        for actor, lineup_item in zip(actors, items, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == ["shown"] * len(items)
    assert LineupItem.objects.filter(event=live.event, is_current=True).count() == 1


# --- The viewers' page -------------------------------------------------------------------------


def test_the_viewers_page_shows_the_line_up_the_product_shown_and_the_stock_left(client):
    live = make_live(**on_air())
    counted = item(live, product=ProductFactory(merchant=live.shop, title="Comté", stock=3))
    sold_out = item(live, product=ProductFactory(merchant=live.shop, title="Brie", stock=0))
    untracked = item(live, product=ProductFactory(merchant=live.shop, title="Pain", stock=None))
    lineup_highlight(actor=live.organiser, item=counted)

    response = client.get(url("detail", live, lang="en"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le direct du samedi" in html
    assert "Watch on YouTube" in html
    assert 'href="https://www.youtube.com/live/abcdefghijk"' in html
    assert "<iframe" not in html  # the stream opens on click only
    assert f'data-current-product="{counted.pk}"' in html
    assert f'data-lineup-item="{counted.pk}" aria-current="true"' in html
    assert f'data-lineup-item="{sold_out.pk}" aria-current' not in html
    assert html.index("Comté") < html.index("Brie") < html.index("Pain")
    assert "3 in stock" in html
    assert "Sold out" in html
    assert 'data-stock="3"' in html
    assert 'data-stock="0"' in html
    # An untracked stock says nothing about quantities.
    untracked_card = html[html.index(f'data-lineup-item="{untracked.pk}"') :]
    assert "data-stock" not in untracked_card.split("</li>")[0]
    assert "To reserve in store" in html
    assert live.shop.get_absolute_url() in html
    assert "Live now" in html


def test_the_viewers_page_shows_the_time_in_paris(client):
    starts = timezone.make_aware(dt.datetime(2030, 7, 4, 18, 30), dt.UTC)  # 20:30 in Paris
    live = make_live(starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    html = client.get(url("detail", live, lang="en")).content.decode()
    assert "20:30" in html
    assert "21:30" in html


def test_the_public_does_not_see_products_no_longer_offered(client):
    live = make_live()
    shown = item(live, product=ProductFactory(merchant=live.shop, title="Comté"))
    hidden = item(live, product=ProductFactory(merchant=live.shop, title="Retiré"))
    hidden.product.status = "draft"
    hidden.product.save()
    html = client.get(url("detail", live)).content.decode()
    assert f'data-lineup-item="{shown.pk}"' in html
    assert "Retiré" not in html


def test_a_draft_live_is_previewed_by_its_organisers_only(client):
    live = make_live(status=Event.Status.DRAFT, published_at=None)
    assert client.get(url("detail", live)).status_code == 404
    assert client.get(url("state", live)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url("detail", live)).status_code == 404
    client.force_login(OrganiserFactory().user)  # of another collective
    assert client.get(url("detail", live)).status_code == 404
    client.force_login(live.organiser)
    assert client.get(url("detail", live)).status_code == 200
    assert client.get(url("state", live)).status_code == 200


def test_lives_of_an_inactive_collective_and_other_kinds_are_not_live_pages(client):
    draft_collective = make_live()
    draft_collective.collective.status = "draft"
    draft_collective.collective.save()
    assert client.get(url("detail", draft_collective)).status_code == 404
    live = make_live()
    market = EventFactory(collective=live.collective, kind=Event.Kind.MARKET)
    market_url = reverse("live:detail", args=[live.collective.slug, market.slug])
    assert client.get(market_url).status_code == 404


def test_the_polled_part_is_never_cached_and_polls_until_the_live_is_over(client, settings):
    live = make_live(**on_air())
    item(live)
    response = client.get(url("state", live))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    assert 'id="live-state"' in html
    assert f'hx-get="{url("state", live)}"' in html
    assert 'hx-trigger="every 5s"' in html
    assert "<html" not in html  # a fragment, not a page

    settings.HALLE_LIVE_POLL_SECONDS = 1
    assert 'hx-trigger="every 1s"' in client.get(url("state", live)).content.decode()
    page = client.get(url("detail", live))
    assert 'hx-trigger="every 1s"' in page.content.decode()
    assert "no-cache" in page["Cache-Control"]


def test_polling_stops_once_the_live_is_over(client):
    now = timezone.now()
    live = make_live(starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=1))
    item(live)
    for name in ("state", "detail"):
        html = client.get(url(name, live)).content.decode()
        assert 'id="live-state"' in html
        assert "hx-trigger" not in html
        assert "hx-get" not in html


def test_a_cancelled_live_does_not_poll(client):
    live = make_live(**on_air(), status=Event.Status.CANCELLED, cancelled_at=timezone.now())
    html = client.get(url("detail", live, lang="en")).content.decode()
    assert "This live is cancelled." in html
    assert "hx-trigger" not in html


def test_a_live_days_ahead_polls_slowly_until_shortly_before_it_starts(client):
    live = make_live()  # the factory's event starts in a week
    assert 'hx-trigger="every 60s"' in client.get(url("state", live)).content.decode()


def test_a_moved_live_is_timed_by_its_date(client):
    # Rule: dates are occurrences; a live moved to now is on air even if the event's first
    # date says next week.
    live = make_live()
    times = on_air()
    live.event.occurrences.update(**times)
    html = client.get(url("detail", live, lang="en")).content.decode()
    assert "Live now" in html
    assert 'hx-trigger="every 5s"' in html


def _fill(live, count):
    for _ in range(count - live.event.lineup.count()):
        product = ProductFactory(merchant=live.shop, stock=4)
        ProductImageFactory(product=product)
        item(live, product=product)


@pytest.mark.parametrize("name", ["state", "detail"])
def test_the_viewers_page_and_its_polled_part_make_a_constant_number_of_queries(client, name):
    live = make_live(**on_air())
    _fill(live, 3)
    lineup_highlight(actor=live.organiser, item=live.event.lineup.first())
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(name, live)).status_code == 200
    _fill(live, 30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(name, live))
    assert response.content.decode().count("data-lineup-item=") == 30
    assert len(few) == len(many) <= 3, [q["sql"] for q in many.captured_queries]


# --- The organisers' control room ------------------------------------------------------------


def test_the_control_room_is_for_the_collectives_organisers(client):
    live = make_live()
    item(live)
    assert client.get(organiser_url("control", live)).status_code == 302  # log in first
    client.force_login(UserFactory())
    assert client.get(organiser_url("control", live)).status_code == 404
    client.force_login(live.organiser)
    response = client.get(organiser_url("control", live))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("live:detail", args=[live.collective.slug, live.event.slug]) in html
    assert 'href="https://www.youtube.com/live/abcdefghijk"' in html
    index = client.get(reverse("organiser_live:index", args=[live.collective.slug]))
    assert f'data-live-event="{live.event.slug}"' in index.content.decode()


def test_the_control_room_only_runs_live_sessions(client):
    live = make_live()
    market = EventFactory(collective=live.collective, kind=Event.Kind.MARKET)
    client.force_login(live.organiser)
    response = client.get(
        reverse("organiser_live:control", args=[live.collective.slug, market.slug])
    )
    assert response.status_code == 404


def test_an_organiser_adds_a_product_found_by_its_shop(client):
    live = make_live()
    wanted = ProductFactory(merchant=live.shop, title="Crème fraîche")
    other_shop = MembershipFactory(
        collective=live.collective, merchant__name="Boulangerie"
    ).merchant
    other = ProductFactory(merchant=other_shop, title="Baguette")
    client.force_login(live.organiser)

    # « margaux » finds the shop's products, « creme » the title whatever the accents.
    for search in ("margaux", "creme"):
        html = client.get(organiser_url("control", live), {"q": search}).content.decode()
        assert f'value="{wanted.pk}"' in html
        assert f'value="{other.pk}"' not in html

    response = client.post(
        organiser_url("add", live), {"product": wanted.pk, "note": "Offre du direct", "q": "creme"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?q=creme")
    added = live.event.lineup.get()
    assert (added.product, added.note) == (wanted, "Offre du direct")
    # Once in the line-up it is no longer offered.
    html = client.get(organiser_url("control", live), {"q": "creme"}).content.decode()
    assert f'value="{wanted.pk}"' not in html


def test_adding_a_product_that_is_not_offered_shows_the_error_and_keeps_the_note(client):
    live = make_live()
    outsider = ProductFactory(title="Hors collectif")
    client.force_login(live.organiser)
    response = client.post(organiser_url("add", live), {"product": outsider.pk, "note": "Ma note"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "form-field--error" in html
    assert 'value="Ma note"' in html
    assert not live.event.lineup.exists()


def test_the_control_room_buttons_drive_the_line_up(client):
    live = make_live()
    a, b = (item(live, product=ProductFactory(merchant=live.shop, title=t)) for t in "AB")
    client.force_login(live.organiser)

    response = client.post(organiser_url("highlight", live, item_pk=b.pk))
    assert response.status_code == 302
    assert list(live.event.lineup.filter(is_current=True)) == [b]

    client.post(organiser_url("move", live, item_pk=b.pk), {"direction": "up"})
    assert ordered_titles(live.event) == ["B", "A"]

    client.post(organiser_url("clear_highlight", live))
    assert not live.event.lineup.filter(is_current=True).exists()

    client.post(organiser_url("remove", live, item_pk=a.pk))
    assert ordered_titles(live.event) == ["B"]

    # Actions are POST only, and a row of another live is not found.
    assert client.get(organiser_url("highlight", live, item_pk=b.pk)).status_code == 405
    foreign = item(make_live())
    assert client.post(organiser_url("remove", live, item_pk=foreign.pk)).status_code == 404


def test_with_htmx_an_action_answers_the_control_panel_and_its_outcome(client):
    live = make_live()
    shown = item(live, product=ProductFactory(merchant=live.shop, title="Comté"))
    client.force_login(live.organiser)
    with translation.override("en"):
        highlight_url = organiser_url("highlight", live, item_pk=shown.pk)
    response = client.post(highlight_url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="live-control"' in html
    assert "Viewers now see Comté." in html
    assert f'data-lineup-item="{shown.pk}" aria-current="true"' in html


def test_another_collectives_organiser_cannot_drive_the_live(client):
    live = make_live()
    target = item(live)
    client.force_login(OrganiserFactory().user)
    assert client.post(organiser_url("highlight", live, item_pk=target.pk)).status_code == 404
    assert not LineupItem.objects.filter(is_current=True).exists()

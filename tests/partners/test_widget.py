"""The embeddable widget (/widget/…): what partner sites frame, and the organisers' page that
gives them the snippet.

Rules protected: only published data of an active collective shows, whoever asks; the
widget pages alone may be framed (every other page stays DENY); they set no cookie; links
open Halle in a new tab with ``?source=widget``, which a reservation records; French by
default, English under /en/; one rendering cached a minute per canonical URL and language;
query counts constant. Page text is asserted on data or structure, not translated strings.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import Product, ProductImage
from collectives.models import Collective, Event, EventOccurrence, EventPhoto, Membership
from merchants.models import Merchant
from orders.models import Reservation, Source
from orders.selectors.reservations import pickup_choices
from partners.forms.widget import DEFAULT_SECTIONS, WidgetOptions
from partners.selectors.widget import widget_shops
from partners.views.widget import CACHE_SECONDS
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    OpeningHoursFactory,
    OrganiserFactory,
    ProductFactory,
    ProductImageFactory,
    SelectionFactory,
    SelectionItemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def widget_url(collective, query="", *, language="fr"):
    with translation.override(language):
        url = reverse("widget:collective", kwargs={"slug": collective.slug})
    return url + (f"?{query}" if query else "")


def event_widget_url(event, query="", *, language="fr"):
    with translation.override(language):
        url = reverse(
            "widget:event", kwargs={"slug": event.collective.slug, "event_slug": event.slug}
        )
    return url + (f"?{query}" if query else "")


def organiser_url(collective, query="", *, language="en"):
    with translation.override(language):
        url = reverse("organiser_partners:widget", kwargs={"collective_slug": collective.slug})
    return url + (f"?{query}" if query else "")


def member(collective, **fields):
    shop = MerchantFactory(**fields)
    MembershipFactory(collective=collective, merchant=shop)
    return shop


def ready_photo(product):
    return ProductImageFactory(
        product=product,
        status=ProductImage.Status.READY,
        position=0,
        renditions={"320": {"width": 320, "height": 320, "webp": "p.webp", "jpeg": "p.jpg"}},
    )


def attribute_values(html, name, attribute):
    return re.findall(rf'{attribute}="([^"]+)"', "".join(re.findall(rf"<{name}\b[^>]*>", html)))


def listed(html, kind):
    return re.findall(rf'data-{kind}="([^"]+)"', html)


@pytest.fixture
def town():
    collective = CollectiveFactory(name="Les Halles de Villeneuve", slug="villeneuve")
    bakery = member(collective, name="Au Bon Pain", slug="au-bon-pain", trade="bakery")
    cheese = member(collective, name="Fromagerie du Lot", slug="fromagerie", trade="cheese")
    for weekday in range(7):
        OpeningHoursFactory(
            merchant=bakery, weekday=weekday, opens=dt.time(7, 0), closes=dt.time(19, 0)
        )
    now = timezone.now()
    ProductFactory(
        merchant=bakery, slug="baguette", title="Baguette", published_at=now - dt.timedelta(3)
    )
    ProductFactory(
        merchant=cheese, slug="tomme", title="Tomme", published_at=now - dt.timedelta(1), stock=0
    )
    ProductFactory(merchant=cheese, slug="brouillon", status="draft", published_at=None)
    outsider = MerchantFactory(slug="ailleurs")
    ProductFactory(merchant=outsider, slug="hors-collectif")
    EventFactory(collective=collective, slug="marche", title="Marché du samedi")
    EventFactory(
        collective=collective,
        slug="brouillon-evenement",
        status=Event.Status.DRAFT,
        published_at=None,
    )
    return collective


# --- Options -------------------------------------------------------------------------------


def test_options_from_a_pasted_url_are_made_valid_rather_than_refused():
    options = WidgetOptions.from_query(
        {
            "show": "Shops, nonsense,products,shops",
            "limit": "99",
            "theme": "purple",
            "accent": "#1D6B35",
            "selection": "noel local!",
        }
    )
    assert options.show == ("shops", "products")
    assert options.limit == 24
    assert options.theme == "light"
    assert options.accent == "1d6b35"
    assert options.selection == ""
    assert WidgetOptions.from_query({"limit": "0"}).limit == 1
    assert WidgetOptions.from_query({"limit": "six"}).limit == 6
    assert WidgetOptions.from_query({}).show == DEFAULT_SECTIONS


def test_the_canonical_query_ignores_order_and_unknown_parameters():
    one = WidgetOptions.from_query({"theme": "dark", "show": "events", "utm_source": "x"})
    two = WidgetOptions.from_query({"show": "events", "theme": "dark"})
    assert one.query() == two.query() == "show=events&limit=6&theme=dark"


@pytest.mark.parametrize(
    ("accent", "ink"), [("ffd400", "#000000"), ("1d6b35", "#ffffff"), ("", "#ffffff")]
)
def test_text_on_the_accent_is_black_or_white_whichever_reads_better(accent, ink):
    assert WidgetOptions(accent=accent).accent_ink == ink


# --- What the collective's widget shows -----------------------------------------------------


def test_only_published_things_of_an_active_collective_show(client, town):
    html = client.get(widget_url(town, "show=products,events,shops&limit=24")).content.decode()
    assert listed(html, "product") == ["tomme", "baguette"]  # newest first, members only
    assert listed(html, "event") == ["marche"]
    assert listed(html, "shop") == ["au-bon-pain", "fromagerie"]
    assert listed(html, "section") == ["products", "events", "shops"]  # in the order asked


def test_an_organiser_gets_no_preview_in_the_widget(client, town):
    # The rendering is shared by every visitor: nobody's drafts may ever be in it.
    client.force_login(OrganiserFactory(collective=town).user)
    html = client.get(widget_url(town, "show=events,products&limit=24")).content.decode()
    assert "brouillon" not in html


def test_sections_are_limited_and_default_to_events_then_products(client, town):
    html = client.get(widget_url(town, "limit=1")).content.decode()
    assert listed(html, "section") == ["events", "products"]
    assert listed(html, "product") == ["tomme"]


def test_a_visible_selection_shows_its_products_in_order(client, town):
    selection = SelectionFactory(collective=town, slug="noel")
    baguette = Product.objects.get(slug="baguette")
    tomme = Product.objects.get(slug="tomme")
    SelectionItemFactory(selection=selection, product=baguette, position=0)
    SelectionItemFactory(selection=selection, product=tomme, position=1)
    html = client.get(widget_url(town, "show=products&selection=noel")).content.decode()
    assert 'data-selection="noel"' in html
    assert listed(html, "product") == ["baguette", "tomme"]
    assert selection.get_absolute_url() + "?source=widget" in html


def test_a_selection_no_longer_visible_leaves_the_newest_products(client, town):
    SelectionFactory(
        collective=town, slug="ete", visible_until=timezone.now() - dt.timedelta(days=1)
    )
    html = client.get(widget_url(town, "show=products&selection=ete")).content.decode()
    assert "data-selection" not in html
    assert listed(html, "product") == ["tomme", "baguette"]


def test_products_of_a_shop_that_left_disappear(client, town):
    Membership.objects.filter(merchant__slug="fromagerie").update(
        status=Membership.Status.LEFT, left_at=timezone.now()
    )
    html = client.get(widget_url(town, "show=products,shops")).content.decode()
    assert listed(html, "product") == ["baguette"]
    assert listed(html, "shop") == ["au-bon-pain"]


def test_shops_say_whether_they_are_open_now(town):
    monday_noon = timezone.make_aware(dt.datetime(2030, 1, 7, 12, 0))
    rows = widget_shops(collective=town, limit=10, now=monday_noon)
    assert [(row.shop.slug, row.opening and row.opening.is_open) for row in rows] == [
        ("au-bon-pain", True),
        ("fromagerie", None),  # no hours published
    ]


def test_the_shops_opening_state_is_in_the_page(client, town):
    html = client.get(widget_url(town, "show=shops")).content.decode()
    assert len(re.findall(r'data-open="(yes|no)"', html)) == 1


def test_a_sold_out_product_is_marked_and_a_photo_is_shown_when_ready(client, town):
    ready_photo(Product.objects.get(slug="baguette"))
    html = client.get(widget_url(town, "show=products")).content.decode()
    assert html.count("hw-badge--out") == 1
    assert "p.jpg" in html
    assert 'alt="Une photo du produit"' in html


def test_a_draft_or_unknown_collective_answers_404_inside_the_frame(client):
    draft = CollectiveFactory(status=Collective.Status.DRAFT)
    for url in (widget_url(draft), "/widget/nulle-part/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "data-not-found" in response.content.decode()
        assert "X-Frame-Options" not in response
        assert "frame-ancestors *" in response["Content-Security-Policy"]


def test_the_widget_is_read_only(client, town):
    assert client.post(widget_url(town)).status_code == 405


# --- One event's widget ---------------------------------------------------------------------


def test_an_events_widget_lists_its_next_dates_cancelled_ones_marked(client, town):
    event = Event.objects.get(slug="marche")
    later = event.starts_at + dt.timedelta(days=7)
    EventOccurrence.objects.create(
        event=event,
        original_start=later,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=2),
        status=EventOccurrence.Status.CANCELLED,
        cancelled_at=timezone.now(),
    )
    EventPhoto.objects.create(
        event=event,
        image="events/cover.jpg",
        width=64,
        height=64,
        alt_text="La halle",
        status=EventPhoto.Status.READY,
        renditions={"320": {"width": 320, "height": 240, "webp": "c.webp", "jpeg": "c.jpg"}},
    )
    html = client.get(event_widget_url(event)).content.decode()
    assert len(listed(html, "date")) == 2
    assert html.count('data-status="cancelled"') == 1
    assert 'alt="La halle"' in html
    assert event.get_absolute_url() + "?source=widget" in html


def test_a_draft_event_is_not_in_any_widget(client, town):
    draft = Event.objects.get(slug="brouillon-evenement")
    assert client.get(event_widget_url(draft)).status_code == 404


# --- Framing, cookies, links, languages -----------------------------------------------------


def test_only_the_widget_may_be_framed(client, town):
    response = client.get(widget_url(town))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors *" in policy
    assert "default-src 'none'" in policy  # nothing from another site can load in it
    # Every other page keeps refusing to be framed.
    assert client.get(town.get_absolute_url())["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in client.get(town.get_absolute_url())


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_widget_sets_no_cookie_and_reads_no_session(client, town, logged_in):
    if logged_in:
        client.force_login(UserFactory())
    for url in (widget_url(town, "show=products,events,shops"), widget_url(town, language="en")):
        response = client.get(url)
        assert response.cookies == {}
        assert "Set-Cookie" not in response
        assert "Cookie" not in response.get("Vary", "")  # the session was never touched
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_every_link_opens_halle_in_a_new_tab_with_its_source(client, town):
    ready_photo(Product.objects.get(slug="baguette"))
    html = client.get(widget_url(town, "show=products,events,shops")).content.decode()
    links = re.findall(r"<a\b[^>]*>", html)
    assert len(links) >= 8
    for link in links:
        assert 'target="_blank"' in link
        assert 'rel="noopener"' in link
        assert re.search(r'href="[^"]*\?source=widget"', link), link
    # Nothing is loaded from elsewhere: every src and stylesheet is one of Halle's paths.
    for value in attribute_values(html, "(?:img|script|link|source)", "(?:src|href)"):
        assert value.startswith("/"), value


def test_french_by_default_and_english_under_en(client, town):
    french = client.get(widget_url(town)).content.decode()
    english = client.get(widget_url(town, language="en")).content.decode()
    assert '<html lang="fr"' in french
    assert '<html lang="en"' in english
    assert "Upcoming events" in english
    assert 'href="/en/collectifs/villeneuve/evenements/marche/?source=widget"' in english
    assert 'href="/collectifs/villeneuve/evenements/marche/?source=widget"' in french


def test_theme_and_accent_reach_the_page(client, town):
    html = client.get(widget_url(town, "theme=dark&accent=ffd400")).content.decode()
    assert 'data-theme="dark"' in html
    assert "--accent: #ffd400; --accent-ink: #000000" in html


# --- Cache and query counts -----------------------------------------------------------------


def test_one_rendering_is_served_for_a_minute_per_url_and_language(
    client, town, django_assert_num_queries
):
    first = client.get(widget_url(town, "show=products&limit=3"))
    assert f"max-age={CACHE_SECONDS}" in first["Cache-Control"]
    assert "public" in first["Cache-Control"]
    ProductFactory(merchant=Merchant.objects.get(slug="au-bon-pain"), slug="croissant")
    # The same options in another order, or with a tracker's parameters: the same rendering.
    with django_assert_num_queries(0):
        again = client.get(widget_url(town, "limit=3&utm_source=mairie&show=products"))
    assert again.content == first.content
    assert "croissant" not in again.content.decode()
    # The English rendering is its own.
    assert (
        "croissant" in client.get(widget_url(town, "show=products", language="en")).content.decode()
    )
    cache.clear()  # a minute later
    assert "croissant" in client.get(widget_url(town, "show=products&limit=3")).content.decode()


def _town_of(size):
    collective = CollectiveFactory()
    selection = SelectionFactory(collective=collective, slug=f"choix-{size}")
    for index in range(size):
        shop = member(collective)
        OpeningHoursFactory(merchant=shop)
        for _ in range(3):
            product = ProductFactory(merchant=shop)
            ready_photo(product)
            ProductImageFactory(product=product, position=1)
            SelectionItemFactory(selection=selection, product=product)
        EventFactory(collective=collective, starts_at=timezone.now() + dt.timedelta(days=index + 1))
    return collective, selection


@pytest.mark.parametrize(
    ("query", "budget"),
    [
        # collective; products and their photos; events and covers; shops, hours, closures
        ("show=products,events,shops&limit=24", 8),
        # the same, plus the selection
        ("show=products,events,shops&limit=24&selection={selection}", 9),
    ],
)
def test_the_collective_widget_reads_a_constant_number_of_queries(
    client, django_assert_max_num_queries, query, budget
):
    counts = []
    for size in (2, 8):
        collective, selection = _town_of(size)
        with django_assert_max_num_queries(budget) as captured:
            response = client.get(widget_url(collective, query.format(selection=selection.slug)))
        html = response.content.decode()
        assert len(listed(html, "product")) == min(24, 3 * size)
        assert len(listed(html, "event")) == size
        assert len(listed(html, "shop")) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_the_event_widget_reads_a_constant_number_of_queries(client, django_assert_max_num_queries):
    counts = []
    for size in (2, 12):
        event = EventFactory()
        for index in range(1, size):
            start = event.starts_at + dt.timedelta(days=index)
            EventOccurrence.objects.create(
                event=event,
                original_start=start,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
            )
        # collective, event, its cover, its dates
        with django_assert_max_num_queries(4) as captured:
            html = client.get(event_widget_url(event, "limit=24")).content.decode()
        assert len(listed(html, "date")) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- A reservation made from the widget records it ------------------------------------------


def test_a_reservation_from_a_widget_link_records_the_widget(client, town, customer):
    shop = Merchant.objects.get(slug="au-bon-pain")
    product = Product.objects.get(slug="baguette")
    html = client.get(widget_url(town, "show=products")).content.decode()
    link = f"{product.get_absolute_url()}?source=widget"
    assert f'href="{link}"' in html

    # A visitor is sent to log in and comes back to the same link.
    visitor_page = client.get(link).content.decode()
    assert "source%3Dwidget" in visitor_page

    client.force_login(customer)
    page = client.get(link).content.decode()
    assert '<input type="hidden" name="source" value="widget">' in page
    key = pickup_choices(merchant=shop)[0].key
    response = client.post(
        reverse("reservations:reserve", args=[shop.slug, product.slug]),
        {"quantity": "1", "pickup": key, "source": "widget"},
    )
    assert response.status_code == 302
    assert Reservation.objects.get().source == Source.WIDGET


# --- The organisers' page -------------------------------------------------------------------


@pytest.fixture
def organiser(town):
    return OrganiserFactory(collective=town, role="organiser").user


def test_the_organiser_gets_the_snippet_and_a_live_preview(client, town, organiser):
    client.force_login(organiser)
    response = client.get(organiser_url(town))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"  # the organiser space is never framed
    html = response.content.decode()
    snippet = re.search(r"<textarea[^>]*data-widget-snippet>(.*?)</textarea>", html, re.S)
    assert snippet is not None
    code = snippet.group(1)
    # The pasted code is the escaped HTML of a frame on Halle's absolute address …
    assert (
        "&lt;iframe src=&quot;http://testserver/widget/villeneuve/"
        "?show=events,products&amp;amp;limit=6&amp;amp;theme=light&quot;"
    ) in code
    assert "loading=&quot;lazy&quot;" in code
    # … and the optional script, at the file's own (stable) address.
    assert (
        "&lt;script src=&quot;http://testserver/static/js/halle-widget.js&quot; async&gt;" in code
    )
    assert 'src="/widget/villeneuve/?show=events,products&amp;limit=6&amp;theme=light"' in html


def test_the_organiser_chooses_the_options_and_the_language(client, town, organiser):
    selection = SelectionFactory(collective=town, slug="noel", title="Noël local")
    client.force_login(organiser)
    query = (
        "show=products&show=shops&selection=noel&limit=4&theme=auto&accent=%231d6b35"
        "&language=en&height=500"
    )
    html = client.get(organiser_url(town, query)).content.decode()
    expected = (
        "/en/widget/villeneuve/?show=products,shops&amp;limit=4&amp;theme=auto"
        f"&amp;accent=1d6b35&amp;selection={selection.slug}"
    )
    assert f'src="{expected}"' in html  # the preview
    assert "http://testserver" + expected.replace("&amp;", "&amp;amp;") in html  # the code
    assert "height=&quot;500&quot;" in html
    assert "Les Halles de Villeneuve on Halle" in html  # the frame's title, in English


def test_a_wrong_choice_is_shown_next_to_its_field_and_kept(client, town, organiser):
    client.force_login(organiser)
    html = client.get(
        organiser_url(
            town, "show=events&limit=99&theme=light&language=fr&height=600&accent=%23000000"
        )
    ).content.decode()
    assert "data-widget-errors" in html
    assert 'value="99"' in html
    assert 'aria-invalid="true"' in html


def test_only_the_collectives_organisers_reach_the_page(client, town):
    assert client.get(organiser_url(town)).status_code == 302  # to log in
    client.force_login(UserFactory())
    assert client.get(organiser_url(town)).status_code == 404
    other = OrganiserFactory().user
    client.force_login(other)
    assert client.get(organiser_url(town)).status_code == 404


def test_the_page_warns_while_the_collective_is_a_draft(client):
    draft = CollectiveFactory(status=Collective.Status.DRAFT)
    client.force_login(OrganiserFactory(collective=draft).user)
    assert "data-widget-not-public" in client.get(organiser_url(draft)).content.decode()


def test_the_widget_price_is_written_the_french_way(client, town):
    Product.objects.filter(slug="baguette").update(price=Decimal("1.20"))
    html = client.get(widget_url(town, "show=products")).content.decode()
    assert "1,20 €" in html

"""A live sale session in the browser: a viewer follows the line-up on a phone while an
organiser, on another phone, shows the next product from the control room. The viewer's page
follows without a reload (htmx polling), the stock left too; both pages pass axe without a
serious violation and nothing is requested outside Halle (the stream opens on click only).

Elements are found by ids and data attributes, and checked against product titles (data), so
the wording of the interface is not asserted here.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from catalog.services import product_adjust_stock
from collectives.models import Event
from collectives.services.live import lineup_highlight
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    LineupItemFactory,
    MembershipFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def open_logged_in(browser, live_server, user):
    """A second phone: a new browser context logged in as ``user``, recording its requests
    like the ``page`` fixture does."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    other = context.new_page()
    other.set_default_timeout(15_000)
    other.requests = []
    other.own_origin = urlsplit(live_server.url).netloc
    other.on("request", lambda request: other.requests.append(request.url))
    return other


def test_viewers_follow_the_product_the_organiser_shows_without_reloading(
    browser, page, live_server, settings
):
    settings.HALLE_LIVE_POLL_SECONDS = 1  # the page polls every second in this test
    collective = CollectiveFactory(name="Cœur de Bastide")
    organiser = OrganiserFactory(collective=collective, role="organiser").user
    shop = MembershipFactory(collective=collective, merchant__name="Fromagerie Margaux").merchant
    shopkeeper = MerchantMemberFactory(merchant=shop, role="owner").user
    now = timezone.now()
    event = EventFactory(
        collective=collective,
        kind=Event.Kind.LIVE,
        title="Le direct du samedi",
        slug="direct-du-samedi",
        registration_open=False,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
        stream_url="https://tube.villeneuve-la-halle.fr/w/9x3Fk2LmQp2aB7cD1eF4gH",
    )
    comte = ProductFactory(merchant=shop, title="Comté 18 mois", stock=3)
    tomme = ProductFactory(merchant=shop, title="Tomme de brebis", stock=None)
    first = LineupItemFactory(event=event, product=comte, position=0)
    second = LineupItemFactory(event=event, product=tomme, position=1, note="Offre du direct")
    lineup_highlight(actor=organiser, item=first)
    ProductFactory(merchant=shop, title="Brie de Meaux")  # offered, not in the line-up

    # The viewer's phone: the Comté is being shown, 3 left.
    page.goto(live_server.url + reverse("live:detail", args=[collective.slug, event.slug]))
    current = page.locator("[data-current-product]")
    expect(current).to_contain_text("Comté 18 mois")
    expect(current.locator("[data-stock]")).to_have_attribute("data-stock", "3")
    expect(page.locator("#live-watch")).to_have_attribute("href", event.stream_url)
    assert serious_violations(page) == []
    page.evaluate("window.stillTheSamePage = true")  # gone if the page reloads

    # The organiser's phone: « show now » on the tomme, in the control room.
    control = open_logged_in(browser, live_server, organiser)
    control.goto(
        live_server.url + reverse("organiser_live:control", args=[collective.slug, event.slug])
    )
    expect(control.locator(f"[data-lineup-item='{first.pk}']")).to_have_attribute(
        "aria-current", "true"
    )
    control.locator(f"#live-show-{second.pk}").click()
    expect(control.locator(f"[data-lineup-item='{second.pk}']")).to_have_attribute(
        "aria-current", "true"
    )
    expect(control.locator("#live-status")).to_contain_text("Tomme de brebis")
    assert serious_violations(control) == []

    # The viewer's page follows by itself.
    expect(current).to_contain_text("Tomme de brebis", timeout=10_000)
    expect(page.locator(f"[data-lineup-item='{second.pk}']")).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator(f"[data-lineup-item='{first.pk}']")).not_to_have_attribute(
        "aria-current", "true"
    )
    # …and so does the stock: the shop sells a Comté over the counter.
    product_adjust_stock(actor=shopkeeper, product=comte, delta=-1)
    expect(page.locator(f"[data-lineup-item='{first.pk}'] [data-stock]")).to_have_attribute(
        "data-stock", "2", timeout=10_000
    )

    # The organiser finds a product of another member by typing (the list follows the search
    # box), and adds it with a note.
    bakery = MembershipFactory(collective=collective, merchant__name="Boulangerie Fournil").merchant
    ProductFactory(merchant=bakery, title="Pain au levain", stock=12)
    control.locator("#lineup-search").fill("fournil")
    product_choice = control.locator("#id_product option", has_text="Pain au levain")
    expect(product_choice).to_have_count(1)
    expect(control.locator("#id_product option", has_text="Brie de Meaux")).to_have_count(0)
    control.locator("#id_product").select_option(label=product_choice.inner_text())
    control.locator("#id_note").fill("Tout chaud")
    control.locator("#lineup-add").click()
    expect(control.locator(".live-lineup [data-lineup-item]")).to_have_count(3)
    expect(control.locator(".live-lineup")).to_contain_text("Tout chaud")
    expect(page.locator(".live-lineup")).to_contain_text("Pain au levain", timeout=10_000)

    assert page.evaluate("window.stillTheSamePage") is True
    assert serious_violations(page) == []

    assert foreign_requests(page) == []
    assert foreign_requests(control) == []
    control.context.close()

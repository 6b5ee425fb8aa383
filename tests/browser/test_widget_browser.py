"""A partner's page framing Halle's widget, in Chromium: the partner's page is served from
another origin by a small HTTP server on 127.0.0.1 started by the test, Halle by the live
server. The widget renders inside the frame, the resizing script makes the frame as tall as
its content (and hears nobody but Halle), nothing is asked from outside this machine, no
cookie is set, and axe finds no serious violation in the widget."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    OpeningHoursFactory,
    OrganiserFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture
def town():
    collective = CollectiveFactory(name="Les Halles de Villeneuve", slug="villeneuve")
    for index, trade in enumerate(("bakery", "cheese", "books")):
        shop = MerchantFactory(name=f"Boutique {trade}", trade=trade)
        MembershipFactory(collective=collective, merchant=shop)
        OpeningHoursFactory(merchant=shop)
        for number in range(3):
            ProductFactory(merchant=shop, title=f"Produit {index}-{number}")
    for number in range(3):
        EventFactory(collective=collective, title=f"Marché {number}")
    return collective


@pytest.fixture
def partner_site():
    """A partner's site on another origin (127.0.0.1, its own port); ``serve(html)`` sets
    the page it answers with, and gives its address."""
    page = {"html": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = page["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(html):
        page["html"] = html
        return f"http://127.0.0.1:{server.server_port}/"

    yield serve
    server.shutdown()
    server.server_close()
    thread.join()


def partner_page(live_server, town, query="show=events,products,shops&limit=6"):
    """The code an organiser hands over, pasted into the partner's page."""
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Mairie de Villeneuve</title></head>
<body><main><h1>Mairie de Villeneuve</h1><p>Le commerce en ville :</p>
<iframe id="halle" src="{live_server.url}/widget/{town.slug}/?{query}" title="{town.name}"
  loading="lazy" style="width:100%;border:0" height="150"></iframe>
<script src="{live_server.url}/static/js/halle-widget.js" async></script>
</main></body></html>"""


def frame_height(page) -> int:
    return page.evaluate("() => document.getElementById('halle').getBoundingClientRect().height")


def content_height(frame) -> int:
    return frame.evaluate(
        "() => Math.ceil(document.getElementById('halle-widget').getBoundingClientRect().height)"
    )


def test_the_widget_renders_in_a_partners_page_and_takes_its_height(
    page, live_server, town, partner_site
):
    url = partner_site(partner_page(live_server, town))
    page.goto(url)
    widget = page.frame_locator("#halle")
    expect(widget.get_by_role("heading", level=1)).to_have_text(town.name)
    expect(widget.locator("[data-product]")).to_have_count(6)
    expect(widget.locator("[data-event]")).to_have_count(3)
    expect(widget.locator("[data-shop]")).to_have_count(3)

    # Two origins: the partner's page, Halle's frame.
    frame = page.frame(url=re.compile(r"/widget/villeneuve/"))
    assert frame is not None
    assert urlsplit(page.url).port != urlsplit(live_server.url).port
    assert frame.evaluate("() => location.origin") == live_server.url

    # The height message arrived: the frame, 150 px as pasted, fits its content.
    page.wait_for_function("() => document.getElementById('halle').style.height !== ''")
    assert frame_height(page) > 150
    assert abs(frame_height(page) - content_height(frame)) <= 1

    # The content gets shorter on a wider screen (more products a row): the frame follows.
    before = frame_height(page)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.wait_for_function(
        f"() => document.getElementById('halle').getBoundingClientRect().height < {before}"
    )
    assert abs(frame_height(page) - content_height(frame)) <= 1

    # Links open Halle in a new tab, attributed to the widget.
    hrefs = widget.locator("a").evaluate_all("links => links.map(a => [a.target, a.rel, a.href])")
    assert hrefs
    for target, rel, href in hrefs:
        assert (target, rel) == ("_blank", "noopener")
        assert href.startswith(live_server.url)
        assert "source=widget" in href

    # Nothing left this machine, and no cookie was set, in either origin.
    page.wait_for_load_state("networkidle")
    assert [u for u in page.requests if urlsplit(u).hostname not in LOCAL_HOSTS] == []
    assert page.context.cookies() == []


def test_the_script_hears_only_halle(page, live_server, town, partner_site):
    page.goto(partner_site(partner_page(live_server, town)))
    page.wait_for_function("() => document.getElementById('halle').style.height !== ''")
    height = frame_height(page)
    # The partner's own origin (or any script of another) pretends to be the widget.
    # Messages from one window arrive in order: once the probe is heard, so was the fake.
    page.evaluate(
        """() => new Promise(resolve => {
            window.addEventListener("message", e => { if (e.data && e.data.probe) resolve(); });
            window.postMessage({type: "halle-widget:height", height: 40}, "*");
            window.postMessage({probe: true}, "*");
        })"""
    )
    assert frame_height(page) == height


def test_a_widget_for_an_unknown_collective_still_shows_in_the_frame(
    page, live_server, partner_site
):
    ghost = CollectiveFactory.build(slug="nulle-part", name="Nulle part")
    page.goto(partner_site(partner_page(live_server, ghost)))
    expect(page.frame_locator("#halle").locator("[data-not-found]")).to_be_visible()


@pytest.mark.parametrize("query", ["theme=light", "theme=dark&accent=ffd400", "theme=auto"])
def test_axe_finds_no_serious_violation_in_the_widget(page, live_server, town, query):
    page.goto(f"{live_server.url}/widget/{town.slug}/?show=events,products,shops&{query}")
    expect(page.locator("[data-shop]")).to_have_count(3)
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/en/widget/{town.slug}/?show=products,shops&{query}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert serious_violations(page) == []


def test_the_organisers_page_previews_the_widget_and_updates_the_code(page, live_server, town):
    client = Client()
    client.force_login(OrganiserFactory(collective=town).user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/en/organiser/{town.slug}/api/widget/")
    preview = page.frame_locator("[data-widget-preview]")
    expect(preview.locator("[data-event]")).to_have_count(3)
    expect(preview.locator("[data-shop]")).to_have_count(0)

    page.get_by_label("Member shops, open or closed now").check()
    expect(preview.locator("[data-shop]")).to_have_count(3)
    snippet = page.locator("[data-widget-snippet]")
    expect(snippet).to_have_value(re.compile(r"show=events,products,shops&amp;limit=6"))
    assert "show=events" in page.url  # the choices are in the page's address
    assert serious_violations(page) == []

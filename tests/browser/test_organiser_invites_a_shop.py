"""An organiser invites a shopkeeper by e-mail; the shopkeeper opens the link from the e-mail
on a phone (360×800), ticks the charter and accepts; the members page shows the shop active.
Both pages pass axe without a serious violation, and nothing leaves Halle.

Elements are found by ids and data attributes: the French catalogue of these strings is
produced after this work, so their wording is not asserted here.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from collectives.models import Membership
from collectives.tasks import send_collective_invitation
from tests.browser.conftest import foreign_requests
from tests.factories import CollectiveFactory, MerchantMemberFactory, OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, user):
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 360, "height": 800})


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_an_organiser_invites_a_shop_and_the_shop_accepts(page, live_server, monkeypatch):
    # The live server runs in this process: the e-mail task runs at commit, as a worker would.
    monkeypatch.setattr(
        send_collective_invitation, "delay", lambda *args: send_collective_invitation(*args)
    )
    collective = CollectiveFactory(
        name="Cœur de Bastide", charter="Nous ouvrons le premier dimanche du mois."
    )
    organiser = OrganiserFactory(collective=collective, role="organiser").user
    shopkeeper = UserFactory(email="lucie@example.org")
    shop = MerchantMemberFactory(
        user=shopkeeper, role="owner", merchant__name="Fromagerie"
    ).merchant

    log_in(page, live_server, organiser)
    page.goto(live_server.url + reverse("organiser:invite", args=[collective.slug]))
    page.fill("#id_email", "lucie@example.org")
    page.fill("#id_message", "Bienvenue !")
    page.locator("#invite-form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('organiser:members', args=[collective.slug])}")
    expect(page.locator("[data-invitation='lucie@example.org']")).to_be_visible()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/rejoindre/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]

    log_in(page, live_server, shopkeeper)
    page.goto(live_server.url + path)
    expect(page.locator(".join-charter")).to_contain_text("premier dimanche")
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    expect(page.locator("#id_merchant")).to_have_value(str(shop.pk))
    # Without the charter ticked, nothing happens and the box says why.
    page.locator("#join-form button[type=submit]").click()
    expect(page.locator(".form-field--error #id_accept_charter")).to_be_visible()
    assert not Membership.objects.filter(collective=collective).exists()
    page.check("#id_accept_charter")
    page.locator("#join-form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('shop_collectives:list', args=[shop.slug])}")
    expect(page.locator(f"[data-collective='{collective.slug}'] [data-status]")).to_have_attribute(
        "data-status", "active"
    )

    log_in(page, live_server, organiser)
    page.goto(live_server.url + reverse("organiser:members", args=[collective.slug]))
    expect(page.locator(f"tr[data-membership='{shop.slug}'] [data-status]")).to_have_attribute(
        "data-status", "active"
    )
    assert page.locator("[data-invitation]").count() == 0  # accepted: no longer waiting
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    assert foreign_requests(page) == []

"""An organiser creates a selection on a phone (360×800), finds a member's product in the
shared catalog, adds it (htmx: only the managed part of the page changes) and publishes; a
visitor then finds the selection on the collective's selections page and opens it. Every page
passes axe without a serious violation, and nothing leaves Halle.

Elements are found by ids and data attributes: the French catalogue of these strings is
produced after this work, so their wording is not asserted here.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from collectives.models import Selection
from tests.browser.conftest import foreign_requests, serious_violations
from tests.browser.test_organiser_invites_a_shop import log_in
from tests.factories import (
    CollectiveFactory,
    MembershipFactory,
    MerchantFactory,
    OrganiserFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_organiser_curates_a_selection_and_a_visitor_sees_it(page, live_server):
    collective = CollectiveFactory(name="Cœur de Bastide")
    organiser = OrganiserFactory(collective=collective, role="organiser").user
    cheese = MerchantFactory(name="Fromagerie du Lot")
    bakery = MerchantFactory(name="Boulangerie Éloi")
    for shop in (cheese, bakery):
        MembershipFactory(collective=collective, merchant=shop)
    tomme = ProductFactory(merchant=cheese, title="Tomme de brebis")
    ProductFactory(merchant=bakery, title="Pain de campagne")

    # The organiser creates the selection…
    log_in(page, live_server, organiser)
    page.goto(live_server.url + reverse("organiser_selections:list", args=[collective.slug]))
    page.locator("#new-selection").click()
    page.fill("#id_title", "Noël local")
    page.fill("#id_text", "Les idées cadeaux de la bastide.")
    page.locator("#selection-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/selections/\d+/$"))
    selection = Selection.objects.get(collective=collective)
    assert page.url.endswith(
        reverse("organiser_selections:detail", args=[collective.slug, selection.pk])
    )
    expect(page.locator("#selection-status")).to_have_attribute("data-status", "draft")

    # …finds the cheese by its shop's name (the results follow the typing)…
    page.fill("#id_q", "fromagerie")
    expect(page.locator("[data-addable-product]")).to_have_count(1)
    expect(page.locator(f"[data-addable-product='{tomme.slug}']")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []

    # …adds it: htmx swaps the managed part and says so in the live region…
    page.locator(f"#add-{tomme.pk}").click()
    expect(page.locator(f"[data-items] [data-item='{tomme.slug}']")).to_be_visible()
    expect(page.locator("#selection-notice")).to_contain_text("Tomme de brebis")
    assert page.locator(f"[data-addable-product='{tomme.slug}']").count() == 0

    # …and publishes it.
    page.locator("#publish-selection").click()
    expect(page.locator("#selection-status")).to_have_attribute("data-status", "published")
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    assert foreign_requests(page) == []

    # A visitor finds it among the collective's selections and opens it.
    page.context.clear_cookies()
    page.requests.clear()
    page.goto(live_server.url + reverse("selections:list", args=[collective.slug]))
    teaser = page.locator(f"[data-selection='{selection.slug}']")
    expect(teaser).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    teaser.get_by_role("link", name="Noël local", exact=True).click()
    page.wait_for_url("**" + selection.get_absolute_url())
    expect(page.locator("h1")).to_have_text("Noël local")
    expect(page.locator(f"[data-selection-products] [data-product='{tomme.slug}']")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    assert foreign_requests(page) == []

"""A customer joins a group buy on a phone (360×800) in Chromium: from the group buy's page
she logs in through the « log in to pledge » link, comes back, pledges, and sees the total
and the bar move; then a neighbour's pledge reaches the next tier and her open page shows
it by itself (the progress part polls). The page passes axe without a serious violation
and loads nothing from outside Halle.

Elements are found by ids and data attributes: the French catalogue of these strings is
produced after this work, so their wording is not asserted here.
"""

import datetime as dt
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from orders import tasks_group_buys
from orders.models import GroupBuy, Pledge
from orders.services.group_buys import TierRequest, group_buy_open, pledge_place
from orders.views import group_buys_public
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import MerchantFactory, MerchantMemberFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


@pytest.fixture
def group_buy(monkeypatch):
    # The « tier reached » e-mails are the services' tests' business.
    monkeypatch.setattr(tasks_group_buys.notify_group_buy_tier, "delay", lambda *args: None)
    shop = MerchantFactory(name="Épicerie Lafayette")
    owner = MerchantMemberFactory(merchant=shop, role="owner").user
    product = ProductFactory(merchant=shop, title="Huile de noix", price=Decimal("12.00"))
    return group_buy_open(
        actor=owner,
        product=product,
        tiers=[TierRequest(10, Decimal("10")), TierRequest(30, Decimal("20"))],
        deadline=timezone.now() + dt.timedelta(days=3),
        max_quantity=60,
    )


def poll_every(monkeypatch, seconds: int) -> None:
    """The interval the next rendering of the progress asks for. The page polls every 15 s;
    the test shortens it while it waits for a change, and lengthens it before axe reads the
    page (a part swapped in the middle of axe's reading would be reported wrongly)."""
    monkeypatch.setattr(group_buys_public, "POLL_SECONDS", seconds)


def test_a_customer_pledges_and_sees_the_progress_move(page, live_server, group_buy, monkeypatch):
    page.set_viewport_size({"width": 360, "height": 800})
    poll_every(monkeypatch, 600)
    alice = UserFactory(email="alice@example.org")
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    url = f"{live_server.url}/achats-groupes/{group_buy.pk}/"
    bar = page.locator("#group-buy-bar")

    # A visitor sees the tiers and the empty bar, and is offered to log in first.
    page.goto(url)
    page.wait_for_load_state("networkidle")
    expect(bar).to_have_attribute("data-pledged", "0")
    expect(bar).to_have_attribute("max", "10")
    expect(page.locator("[data-tiers] tbody tr")).to_have_count(2)
    assert serious_violations(page) == []
    page.locator("[data-login-to-pledge]").click()

    # The log-in form brings her back to the group buy, where the form now waits.
    page.fill("#id_login", alice.email)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(url)
    page.fill("#id_quantity", "4")
    poll_every(monkeypatch, 1)
    page.locator("[data-pledge]").click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("[data-my-pledge]")).to_have_attribute("data-my-pledge", "4")
    expect(bar).to_have_attribute("data-pledged", "4")
    expect(page.locator("[data-progress-text]")).to_contain_text("4 / 10")
    expect(page.locator("[data-withdraw]")).to_be_visible()
    assert Pledge.objects.get(customer=alice).quantity == 4

    # A neighbour pledges 8 meanwhile: the first tier is reached, and her page shows the
    # total and the next tier by itself.
    pledge_place(actor=UserFactory(), group_buy=group_buy, quantity=8)
    expect(bar).to_have_attribute("data-pledged", "12")
    expect(bar).to_have_attribute("max", "30")
    expect(page.locator("[data-progress-text]")).to_contain_text("12 / 30")
    expect(page.locator("[data-tier='10'][data-reached]")).to_have_count(1)
    poll_every(monkeypatch, 600)
    expect(page.locator("#group-buy-progress")).to_have_attribute("data-poll-seconds", "600")
    assert serious_violations(page) == []
    assert foreign_requests(page) == []
    assert GroupBuy.objects.get(pk=group_buy.pk).pledged_quantity == 12

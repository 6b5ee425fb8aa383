"""The bell and the inbox in Chromium: the unread count appears in the site header (htmx
loaded by the bell where the page does not load it, and not loaded twice where it does),
marking one read swaps its entry in place, marking all read empties the count; the inbox
and preferences pages pass axe without a serious violation and load nothing from outside.

Elements are found by data attributes: the French catalogue is produced after this work.
"""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from notifications.models import Notification
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import MerchantFactory, UserFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def log_in(page, live_server, user) -> None:
    page.goto(live_server.url + "/compte/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_the_bell_counts_and_the_inbox_marks_read(page, live_server):
    person = UserFactory(email="nina@example.org")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    first = NotificationFactory(recipient=person, summary="Votre commande est prête")
    NotificationFactory(recipient=person, summary="Nouveau chez Fromagerie Dupuy")
    log_in(page, live_server, person)
    count = page.locator("[data-notifications-bell] [data-unread]")

    # A page that does not use htmx: the bell loads it.
    page.goto(live_server.url + "/notifications/preferences/")
    expect(count).to_have_attribute("data-unread", "2")
    assert serious_violations(page) == []

    # A page that loads htmx itself (the follow button): one htmx, the count still comes.
    shop = MerchantFactory()
    page.goto(live_server.url + shop.get_absolute_url())
    expect(count).to_have_attribute("data-unread", "2")
    assert page.evaluate("document.querySelectorAll('script[src*=\"htmx-2\"]').length") == 1

    page.goto(live_server.url + "/notifications/")
    page.wait_for_load_state("networkidle")
    assert foreign_requests(page) == []
    assert serious_violations(page) == []
    entry = page.locator(f'[data-notification="{first.pk}"]')
    page.evaluate("window.notReloaded = true")
    entry.locator("button").click()
    expect(page.locator(f'[data-notification="{first.pk}"]')).to_have_attribute("data-read", "true")
    assert page.evaluate("window.notReloaded") is True

    page.locator("[data-mark-all-read]").click()
    page.wait_for_load_state("networkidle")
    expect(count).to_have_attribute("data-unread", "0")
    assert not Notification.objects.filter(recipient=person, read_at__isnull=True).exists()

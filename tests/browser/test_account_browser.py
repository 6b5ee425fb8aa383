"""« Mon compte » on a phone (360×800) in Chromium: a customer logs in through the real form,
opens « Mon compte » from the header, finds her reservation's pickup code, downloads her data
as a JSON file, then deletes her account with her password — she is logged out and cannot
log in again. The pages pass axe without a serious violation and load nothing from outside
Halle.

Elements are found by ids, data attributes and addresses: the French catalogue of these
strings is produced after this work, so their wording is not asserted here.
"""

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from collectives.models import Follow
from orders.models import Reservation
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import MerchantFactory, UserFactory
from tests.orders.factories import ReservationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def log_in_with_the_form(page, live_server, email):
    page.goto(live_server.url + reverse("account_login"))
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_a_customer_downloads_her_data_then_deletes_her_account(page, live_server):
    page.set_viewport_size({"width": 360, "height": 800})
    alice = UserFactory(email="alice@example.org")
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    shop = MerchantFactory(name="Fromagerie de la Halle")
    reservation = ReservationFactory(customer=alice, merchant=shop)
    Follow.objects.create(user=alice, merchant=shop)

    log_in_with_the_form(page, live_server, alice.email)
    page.locator(f'.site-nav a[href="{reverse("account:overview")}"]').click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#my-reservations .pickup-code")).to_have_text(reservation.code)
    assert foreign_requests(page) == []
    assert serious_violations(page) == []

    # Her data, as a file named after today.
    page.locator(f'a[href="{reverse("account:export")}"]').first.click()
    with page.expect_download() as download_info:
        page.locator("[data-export]").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"halle-mes-donnees-{timezone.localdate().isoformat()}.json"
    )
    with open(download.path(), encoding="utf-8") as exported:
        data = json.load(exported)
    assert [r["code"] for r in data["reservations"]] == [reservation.code]
    assert data["follows"][0]["name"] == "Fromagerie de la Halle"

    # Deleting: a wrong password changes nothing; hers deletes the account.
    page.goto(live_server.url + reverse("account:delete"))
    assert serious_violations(page) == []
    page.fill("#id_secret", "not my password")
    page.locator("[data-delete-account]").click()
    expect(page.locator(".form-field--error")).to_be_visible()
    assert User.objects.filter(pk=alice.pk).exists()
    page.fill("#id_secret", PASSWORD)
    page.locator("[data-delete-account]").click()
    page.wait_for_url(live_server.url + reverse("collectives:home"))
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator(f'.site-nav a[href="{reverse("account_login")}"]')).to_be_visible()
    assert not User.objects.filter(email="alice@example.org").exists()
    reservation.refresh_from_db()
    assert reservation.customer_id is None
    assert reservation.status == Reservation.Status.CANCELLED

    # She cannot log in any more.
    log_in_with_the_form(page, live_server, "alice@example.org")
    expect(page.locator("#id_password")).to_be_visible()
    expect(page.locator(f'.site-nav a[href="{reverse("account:overview")}"]')).to_have_count(0)

"""« My shop › API » in a real Chromium at phone size: an owner creates a token, sees it once
and copies it with the button, then revokes it; the page passes axe without a serious
violation and loads nothing from outside Halle."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from partners.models import MerchantToken
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import MerchantMemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_owner_creates_copies_and_revokes_a_token(page, live_server):
    member = MerchantMemberFactory(role="owner", merchant__name="Fromagerie du Lot")
    shop = member.merchant
    page.set_viewport_size({"width": 360, "height": 800})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, live_server, member.user)
    with translation.override("en"):
        url = live_server.url + reverse("shop_partners:tokens", args=[shop.slug])

    page.goto(url)
    expect(page.locator("[data-no-tokens]")).to_be_visible()
    page.get_by_label("Name").fill("Caisse du magasin")
    page.get_by_role("button", name="Create the token").click()

    secret_field = page.locator("[data-token-secret]")
    expect(secret_field).to_be_visible()
    secret = secret_field.input_value()
    token = MerchantToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    copy = page.get_by_role("button", name="Copy the token")
    expect(copy).to_be_visible()  # shown by the script; without it the field stays selectable
    copy.click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert serious_violations(page) == []

    page.goto(url)  # shown once: not on the next visit
    expect(page.locator("[data-token-secret]")).to_have_count(0)
    expect(page.locator(f"[data-token='{token.pk}']")).to_contain_text(token.prefix)
    page.get_by_text("Revoke…").click()
    page.get_by_role("button", name="Confirm revocation").click()
    expect(page.locator("[data-revoked]")).to_be_visible()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert serious_violations(page) == []
    assert foreign_requests(page) == []

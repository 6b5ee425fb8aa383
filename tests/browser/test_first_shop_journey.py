"""The whole first visit of a shopkeeper, on a phone-sized screen in a real Chromium: sign up,
confirm the e-mail, create the shop, add three products with photos, publish — and the public
page shows them. Each part is tested in depth elsewhere; this proves they join up."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import expect

from catalog.models import Product, ProductImage
from catalog.services import product_image_process
from merchants.models import Merchant
from tests.browser.conftest import foreign_requests

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCTS = [("Tomme de brebis", "12,50"), ("Cabécou fermier", "2,40"), ("Comté 18 mois", "3.90")]


def french(text: str) -> str:
    with translation.override("fr"):
        return gettext(text)


def test_from_sign_up_to_a_published_shop_with_three_illustrated_products(
    page, live_server, tmp_path
):
    page.set_viewport_size({"width": 360, "height": 800})
    photo = tmp_path / "produit.jpg"
    Image.new("RGB", (1200, 900), "goldenrod").save(photo, "JPEG")

    # Sign up, then follow the link of the confirmation e-mail.
    page.goto(live_server.url + reverse("account_signup"))
    page.fill("#id_email", "lucie@example.org")
    page.fill("#id_password1", "des-fraises-au-marche")
    page.fill("#id_password2", "des-fraises-au-marche")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/confirm-email/\S+", mail.outbox[0].body).group(0)
    page.goto(live_server.url + "/" + link.split("://", 1)[1].split("/", 1)[1])
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    # « Mon commerce » in the header leads a newcomer to the shop's creation.
    page.get_by_role("link", name=french("My shop")).first.click()
    page.wait_for_url(f"**{reverse('shop:create')}")
    page.fill("#id_name", "Fromagerie Lucie")
    page.select_option("#id_trade", "cheese")
    page.fill("#id_street", "4 rue de Penne")
    page.fill("#id_postcode", "47300")
    page.fill("#id_city", "Villeneuve-sur-Lot")
    page.fill("#id_d1_0_opens", "09:00")
    page.fill("#id_d1_0_closes", "19:00")
    page.locator("form.shop-form button[type=submit]").click()
    expect(page.locator(".shop-status")).to_contain_text(french("Draft"))
    shop = Merchant.objects.get(name="Fromagerie Lucie")
    assert page.url.endswith(reverse("shop:dashboard", args=[shop.slug]))
    page.locator(f"form[action='{reverse('shop:publish', args=[shop.slug])}'] button").click()
    expect(page.locator(".shop-status")).not_to_contain_text(french("Draft"))

    for title, price in PRODUCTS:
        page.goto(live_server.url + reverse("products:create", args=[shop.slug]))
        page.fill("#id_title", title)
        page.fill("#id_price", price)
        page.locator("#id_photos").set_input_files(str(photo))
        page.get_by_role("button", name=french("Save as a draft")).click()
        page.wait_for_url(re.compile(r".*/produits/\d+/.*"))
        page.locator("button[name=action][value=publish]").click()
        page.wait_for_load_state()

    # No worker in browser tests: process the three photos as the worker would.
    for image_id in ProductImage.objects.values_list("pk", flat=True):
        product_image_process(image_id=image_id)
    assert Product.objects.published().filter(merchant=shop).count() == 3

    page.context.clear_cookies()  # a visitor's view
    page.requests.clear()
    page.goto(live_server.url + shop.get_absolute_url())
    for title, _price in PRODUCTS:
        card = page.locator(".product-card", has_text=title)
        expect(card).to_be_visible()
        assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.get_by_text("12,50 €")).to_be_visible()
    expect(page.get_by_text("3,90 €")).to_be_visible()
    assert foreign_requests(page) == []

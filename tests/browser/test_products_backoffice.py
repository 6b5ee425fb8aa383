"""« Mon commerce » › Produits in a real Chromium at phone size (360×800): a shopkeeper adds a
product with a photo, quick-edits its stock in the list without leaving the page, drags its
photos into a new order; the pages pass axe without a serious violation."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import expect

from catalog import services as catalog_services
from catalog.models import Product
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import MerchantMemberFactory, ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def french(text):
    with translation.override("fr"):
        return gettext(text)


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def shop_owner():
    member = MerchantMemberFactory(role="owner", merchant__name="Fromagerie du Lot")
    return member.user, member.merchant


@pytest.fixture
def phone(page, live_server, shop_owner):
    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, live_server, shop_owner[0])
    return page


def products_url(live_server, shop, name="list", *args):
    return live_server.url + reverse(f"products:{name}", args=[shop.slug, *args])


def test_owner_adds_a_product_with_a_photo_then_quick_edits_its_stock(
    phone, live_server, shop_owner, tmp_path
):
    page = phone
    _, shop = shop_owner
    photo = tmp_path / "tomme.jpg"
    Image.new("RGB", (900, 700), "khaki").save(photo, "JPEG")

    page.goto(products_url(live_server, shop))
    page.get_by_role("link", name=french("Add a product")).first.click()
    page.wait_for_url("**/produits/nouveau/")
    page.locator("#id_title").fill("Tomme de brebis")
    page.locator("#id_price").fill("12,50")
    page.locator("#id_unit").select_option("kg")
    page.locator("#id_stock").fill("4")
    page.locator("#id_photos").set_input_files(str(photo))
    page.get_by_role("button", name=french("Save as a draft")).click()

    page.wait_for_url("**/produits/*/")
    product = Product.objects.get(merchant=shop)
    assert (product.title, str(product.price), product.stock) == ("Tomme de brebis", "12.50", 4)
    image = product.images.get()
    expect(page.locator(f"#photo-thumb-{image.pk}")).to_contain_text(french("Processing"))

    # No worker in this test: process the photo here, as the Celery task would.
    catalog_services.product_image_process(image_id=image.pk)
    page.reload()
    picture = page.locator(f"#photo-thumb-{image.pk} img")
    expect(picture).to_be_visible()
    page.wait_for_function(
        "id => { const img = document.querySelector(`#photo-thumb-${id} img`);"
        " return img && img.complete && img.naturalWidth > 0; }",
        arg=image.pk,
    )

    # The list: the row shows the photo; typing a stock saves it in place.
    page.get_by_role("link", name=french("Products")).first.click()
    page.wait_for_url("**/produits/")
    row = page.locator(f"#product-{product.pk}")
    expect(row.locator("img")).to_be_visible()
    page.evaluate("window.__stillTheSamePage = true")

    stock = row.get_by_label(french("Stock"), exact=True)
    stock.fill("7")
    expect(page.locator(f"#product-{product.pk} .stock-form__saved")).to_contain_text(
        french("saved")
    )
    expect(page.locator(f"#stock-{product.pk}")).to_have_value("7")
    assert Product.objects.get(pk=product.pk).stock == 7

    # A negative number: the error shows in the row, the typed value stays.
    page.locator(f"#stock-{product.pk}").fill("-3")
    error = page.locator(f"#stock-{product.pk}-error")
    expect(error).to_contain_text("Le stock ne peut pas être négatif.")
    expect(page.locator(f"#stock-{product.pk}")).to_have_value("-3")
    assert Product.objects.get(pk=product.pk).stock == 7

    assert page.evaluate("window.__stillTheSamePage") is True  # no page load happened
    assert foreign_requests(page) == []


def test_photos_are_reordered_by_dragging_the_handle(phone, live_server, shop_owner):
    page = phone
    _, shop = shop_owner
    product = ProductFactory(merchant=shop, title="Savon au lait d'ânesse")
    first, second, third = (
        ProductImageFactory(product=product, position=n, alt_text=f"Photo {n}") for n in range(3)
    )

    page.goto(products_url(live_server, shop, "edit", product.pk))
    handle = page.locator(f"#photo-{third.pk} [data-photo-handle]")
    expect(handle).to_be_visible()  # shown once product-photos.js runs
    handle.scroll_into_view_if_needed()
    start = handle.bounding_box()
    x = start["x"] + start["width"] / 2
    page.mouse.move(x, start["y"] + start["height"] / 2)
    page.mouse.down()
    # Drag up to the top edge of the screen, as a finger would, and hold there: the page
    # scrolls up by itself until the photo has passed the first one.
    page.mouse.move(x, 8, steps=15)
    expect(page.locator(".photo-list > li").first).to_have_id(f"photo-{third.pk}")
    page.mouse.up()

    expect(page.locator(".photo-manager__notice")).to_have_text(
        french("New order of the photos saved.")
    )
    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [
        third.pk,
        first.pk,
        second.pk,
    ]


@pytest.mark.parametrize("which", ["list", "create", "edit"])
def test_product_pages_have_no_serious_accessibility_violation(
    phone, live_server, shop_owner, which
):

    page = phone
    owner, shop = shop_owner
    product = ProductFactory(merchant=shop, title="Tomme de brebis", stock=3, sku="TOM-1")
    ProductFactory(merchant=shop, title="Cabécou", stock=None, status="draft", published_at=None)
    image = catalog_services.product_image_add(
        actor=owner,
        product=product,
        upload=_jpeg_upload(),
        alt_text="Une tomme entamée",
    )
    catalog_services.product_image_process(image_id=image.pk)
    ProductImageFactory(product=product, position=1)  # a second one, still being processed
    path = {
        "list": products_url(live_server, shop),
        "create": products_url(live_server, shop, "create"),
        "edit": products_url(live_server, shop, "edit", product.pk),
    }[which]

    page.goto(path)
    page.wait_for_load_state("networkidle")

    serious = serious_violations(page)
    assert serious == []
    # Nothing wider than the phone: the page never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert foreign_requests(page) == []


def _jpeg_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "khaki").save(buffer, "JPEG")
    return SimpleUploadedFile("tomme.jpg", buffer.getvalue(), content_type="image/jpeg")

"""A visitor's first steps in Halle, in a real Chromium: home → collective → shop → product,
with accessibility checks (axe) and proof that no request leaves Halle."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog import services as catalog_services
from tests.browser.conftest import foreign_requests, serious_violations
from tests.factories import (
    CollectiveFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OpeningHoursFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def town():
    collective = CollectiveFactory(
        name="Les Commerçants de Villeneuve", description="Les boutiques du centre, ensemble."
    )
    shop = MerchantFactory(name="Fromagerie du Lot", trade="cheese", story="Affineurs depuis 1962.")
    owner = MerchantMemberFactory(merchant=shop).user
    MembershipFactory(collective=collective, merchant=shop)
    OpeningHoursFactory(merchant=shop)
    products = [
        ProductFactory(merchant=shop, title="Tomme de brebis", price="24.90", unit="kg"),
        ProductFactory(merchant=shop, title="Cabécou fermier", price="2.40", stock=0),
    ]
    buffer = io.BytesIO()
    Image.new("RGB", (900, 900), "khaki").save(buffer, "JPEG")
    image = catalog_services.product_image_add(
        actor=owner,
        product=products[0],
        upload=SimpleUploadedFile("tomme.jpg", buffer.getvalue(), content_type="image/jpeg"),
        alt_text="Une tomme de brebis entamée",
    )
    catalog_services.product_image_process(image_id=image.pk)
    return collective, shop, products


def test_visitor_goes_from_home_to_a_shop_and_sees_its_products(page, live_server, town):
    collective, shop, products = town
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=collective.name).click()
    page.wait_for_url(f"**{collective.get_absolute_url()}")
    page.get_by_role("link", name=shop.name).click()
    page.wait_for_url(f"**{shop.get_absolute_url()}")

    assert page.get_by_role("heading", level=1).inner_text() == shop.name
    for product in products:
        assert page.get_by_role("link", name=product.title).is_visible()
    photo = page.get_by_role("img", name="Une tomme de brebis entamée")
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert foreign_requests(page) == []


@pytest.mark.parametrize("which", ["home", "collective", "shop", "product"])
def test_public_pages_have_no_serious_accessibility_violation(page, live_server, town, which):

    collective, shop, products = town
    path = {
        "home": "/",
        "collective": collective.get_absolute_url(),
        "shop": shop.get_absolute_url(),
        "product": products[0].get_absolute_url(),
    }[which]
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")

    serious = serious_violations(page)
    assert serious == []
    assert page.requests, "the page made no request at all?"
    assert foreign_requests(page) == []

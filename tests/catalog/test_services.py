"""Product services: tenancy, stock that never goes negative, photos queued after commit."""

import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation
from PIL import Image

from catalog import services
from catalog.models import Product, ProductImage
from tests.factories import (
    MembershipFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


def jpeg_upload(name="photo.jpg", size=(640, 480)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "darkgreen").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_create_update_publish_archive(owner):
    product = services.product_create(
        actor=owner,
        merchant=owner.shop,
        title="Tomme de brebis",
        price=Decimal("24.90"),
        unit="kg",
        vat_rate=Decimal("5.50"),
    )
    assert (product.status, product.slug, product.published_at) == (
        "draft",
        "tomme-de-brebis",
        None,
    )
    services.product_update(actor=owner, product=product, price=Decimal("25.50"))
    assert Product.objects.get(pk=product.pk).price == Decimal("25.50")
    services.product_publish(actor=owner, product=product)
    assert product.status == "published"
    assert product.published_at is not None
    services.product_archive(actor=owner, product=product)
    assert Product.objects.get(pk=product.pk).status == "archived"


def test_invalid_price_is_a_field_error_and_writes_nothing(owner):
    with pytest.raises(ValidationError) as excinfo:
        services.product_create(
            actor=owner,
            merchant=owner.shop,
            title="Gratuit?",
            price=Decimal("-1"),
        )
    assert "price" in excinfo.value.message_dict
    assert not Product.objects.filter(title="Gratuit?").exists()


def test_staff_of_shop_a_cannot_edit_shop_b(owner):
    product_b = ProductFactory()
    with pytest.raises(PermissionDenied):
        services.product_update(actor=owner, product=product_b, title="Piraté")
    with pytest.raises(PermissionDenied):
        services.product_create(
            actor=owner, merchant=product_b.merchant, title="Intrus", price=Decimal("1")
        )
    assert Product.objects.get(pk=product_b.pk).title != "Piraté"


def test_an_organiser_cannot_edit_a_members_products():
    membership = MembershipFactory()
    organiser = OrganiserFactory(collective=membership.collective).user
    product = ProductFactory(merchant=membership.merchant)
    with pytest.raises(PermissionDenied):
        services.product_update(actor=organiser, product=product, price=Decimal("0.01"))
    with pytest.raises(PermissionDenied):
        services.product_archive(actor=organiser, product=product)


def test_staff_member_edits_their_shops_products(owner):
    staff = MerchantMemberFactory(merchant=owner.shop, role="staff").user
    product = ProductFactory(merchant=owner.shop)
    services.product_set_stock(actor=staff, product=product, quantity=12)
    assert Product.objects.get(pk=product.pk).stock == 12


def test_stock_cannot_be_set_negative(owner):
    product = ProductFactory(merchant=owner.shop, stock=3)
    with pytest.raises(ValidationError):
        services.product_set_stock(actor=owner, product=product, quantity=-2)
    assert Product.objects.get(pk=product.pk).stock == 3


def test_adjusting_below_zero_is_refused(owner):
    product = ProductFactory(merchant=owner.shop, stock=2)
    services.product_adjust_stock(actor=owner, product=product, delta=-2)
    with pytest.raises(ValidationError):
        services.product_adjust_stock(actor=owner, product=product, delta=-1)
    assert Product.objects.get(pk=product.pk).stock == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_sales_of_the_last_units_never_oversell():
    member = MerchantMemberFactory()
    product = ProductFactory(merchant=member.merchant, stock=5)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def sell_one():
        try:
            barrier.wait(timeout=10)
            services.product_adjust_stock(actor=member.user, product=product, delta=-1)
            outcomes.append("sold")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sell_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused"] * 3 + ["sold"] * 5
    assert Product.objects.get(pk=product.pk).stock == 0


def test_photo_processing_is_queued_only_after_commit(owner, django_capture_on_commit_callbacks):
    product = ProductFactory(merchant=owner.shop)
    with django_capture_on_commit_callbacks() as callbacks:
        image = services.product_image_add(actor=owner, product=product, upload=jpeg_upload())
        assert image.status == ProductImage.Status.PENDING
    assert len(callbacks) == 1
    assert image.position == 0
    second = services.product_image_add(actor=owner, product=product, upload=jpeg_upload())
    assert second.position == 1


def test_a_non_image_upload_is_refused_before_storage(owner):
    product = ProductFactory(merchant=owner.shop)
    fake = SimpleUploadedFile("photo.jpg", b"pas une image du tout", content_type="image/jpeg")
    with pytest.raises(ValidationError) as excinfo:
        services.product_image_add(actor=owner, product=product, upload=fake)
    assert excinfo.value.code == "invalid_format"
    assert not ProductImage.objects.exists()


def test_upload_errors_speak_french_to_a_french_shopkeeper(owner):
    product = ProductFactory(merchant=owner.shop)
    fake = SimpleUploadedFile("photo.jpg", b"pas une image du tout", content_type="image/jpeg")
    with translation.override("fr"), pytest.raises(ValidationError) as excinfo:
        services.product_image_add(actor=owner, product=product, upload=fake)
    assert "Merci d’envoyer une image JPEG, PNG ou WebP." in excinfo.value.messages[0]


def test_a_decompression_bomb_is_refused_before_storage(owner):
    product = ProductFactory(merchant=owner.shop)
    buffer = io.BytesIO()
    # 1-bit pixels compress to almost nothing: a small file that decodes to 80 Mpx (limit: 60).
    Image.new("1", (10_000, 8_000)).save(buffer, "PNG")
    assert buffer.tell() < 200_000
    bomb = SimpleUploadedFile("bombe.png", buffer.getvalue(), content_type="image/png")
    with pytest.raises(ValidationError) as excinfo:
        services.product_image_add(actor=owner, product=product, upload=bomb)
    assert excinfo.value.code == "too_many_pixels"
    assert not ProductImage.objects.exists()


def test_processing_writes_renditions_and_removes_the_raw_upload(owner):
    product = ProductFactory(merchant=owner.shop)
    image = services.product_image_add(
        actor=owner, product=product, upload=jpeg_upload(size=(2000, 1500))
    )
    raw_name = image.image.name
    storage = image.image.storage
    assert storage.exists(raw_name)

    processed = services.product_image_process(image_id=image.pk)

    assert processed.status == ProductImage.Status.READY
    assert set(processed.renditions) == {"320", "800", "1600"}
    for entry in processed.renditions.values():
        assert storage.exists(entry["webp"])
        assert storage.exists(entry["jpeg"])
    assert processed.renditions["800"]["width"] == 800
    assert not storage.exists(raw_name)
    # Idempotent: a second delivery of the task changes nothing.
    again = services.product_image_process(image_id=image.pk)
    assert again.renditions == processed.renditions


def test_processing_a_deleted_photo_does_nothing():
    assert services.product_image_process(image_id=987654) is None


def test_editing_a_product_keeps_the_units_a_customer_just_reserved(owner):
    """The shopkeeper's page showed 5 in stock; meanwhile a reservation took 2. Saving the
    description (with the stock field untouched) must not put the 2 units back."""
    from catalog.models import Product
    from tests.factories import ProductFactory

    product = ProductFactory(merchant=owner.shop, stock=5)
    page = Product.objects.get(pk=product.pk)  # what the edit page loaded
    assert services.product_stock_take(product_id=product.pk, quantity=2) is True
    services.product_update(actor=owner, product=page, description="Au levain.", stock=5)
    product.refresh_from_db()
    assert product.stock == 3
    assert product.description == "Au levain."
    # A stock the shopkeeper did change is written: it is their count.
    services.product_update(actor=owner, product=product, stock=10)
    product.refresh_from_db()
    assert product.stock == 10

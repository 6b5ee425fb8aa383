"""Rules of products that hold for every row, enforced by PostgreSQL itself."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from catalog.models import Category, Product
from tests.factories import MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_stock_never_below_zero():
    with pytest.raises(IntegrityError):
        ProductFactory(stock=-1)


def test_untracked_stock_is_allowed():
    assert ProductFactory(stock=None).is_in_stock


def test_slug_unique_per_shop_only():
    product = ProductFactory(slug="baguette")
    ProductFactory(slug="baguette")  # another shop: fine
    with pytest.raises(IntegrityError):
        ProductFactory(slug="baguette", merchant=product.merchant)


def test_sku_unique_per_shop_when_given():
    merchant = MerchantFactory()
    ProductFactory(merchant=merchant, sku="")
    ProductFactory(merchant=merchant, sku="")  # blank SKUs do not collide
    ProductFactory(merchant=merchant, sku="PAIN-01")
    with pytest.raises(IntegrityError):
        ProductFactory(merchant=merchant, sku="PAIN-01")


def test_compare_at_price_must_be_above_price():
    with pytest.raises(IntegrityError):
        ProductFactory(price=Decimal("10.00"), compare_at_price=Decimal("9.00"))


def test_only_french_vat_rates():
    with pytest.raises(IntegrityError):
        ProductFactory(vat_rate=Decimal("19.60"))


def test_unknown_labels_are_refused():
    ProductFactory(labels=["organic", "local"])
    with pytest.raises(IntegrityError):
        ProductFactory(labels=["miracle"])


def test_a_published_product_has_a_publication_date():
    with pytest.raises(IntegrityError):
        ProductFactory(status=Product.Status.PUBLISHED, published_at=None)


def test_categories_are_seeded_in_two_levels():
    food = Category.objects.get(slug="alimentation")
    assert food.parent is None
    assert food.children.filter(name="Fromagerie").exists()
    assert not Category.objects.filter(parent__parent__isnull=False).exists()
    assert Category.objects.filter(parent=None).count() >= 6


def test_published_hides_drafts_and_products_of_inactive_shops():
    visible = ProductFactory()
    ProductFactory(status=Product.Status.DRAFT, published_at=None)
    ProductFactory(merchant=MerchantFactory(status="suspended"))
    assert list(Product.objects.published()) == [visible]


def test_srcset_lists_each_width_once_and_only_when_ready():
    from tests.factories import ProductImageFactory

    image = ProductImageFactory(
        status="ready",
        renditions={
            "320": {"width": 320, "webp": "p-320.webp", "jpeg": "p-320.jpg"},
            "800": {"width": 500, "webp": "p-800.webp", "jpeg": "p-800.jpg"},
            "1600": {"width": 500, "webp": "p-1600.webp", "jpeg": "p-1600.jpg"},
        },
    )
    assert image.srcset_webp == "/media/p-320.webp 320w, /media/p-800.webp 500w"
    assert image.fallback_url == "/media/p-800.jpg"
    image.status = "pending"
    assert image.srcset_webp == ""
    assert image.fallback_url is None

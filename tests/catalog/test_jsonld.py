"""schema.org JSON-LD of the public pages: what search engines read of a product (its offer:
price, currency, availability), a shop (address, position, hours, closures) and a story, and
that no text of a shopkeeper's can break out of the ``<script>`` element."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import ProductImage
from merchants.jsonld import jsonld_script, shop_type
from merchants.models import Merchant, StoryImage, Trade
from tests.factories import (
    CategoryFactory,
    ClosureFactory,
    MerchantFactory,
    OpeningHoursFactory,
    ProductFactory,
    ProductImageFactory,
    StoryFactory,
    StoryImageFactory,
)

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"
RENDITIONS = {
    "320": {"width": 320, "height": 240, "webp": "p/320.webp", "jpeg": "p/320.jpg"},
    "800": {"width": 800, "height": 600, "webp": "p/800.webp", "jpeg": "p/800.jpg"},
}
_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def page_jsonld(client, url: str) -> list:
    """Every JSON-LD object of the page, parsed as a search engine parses it."""
    response = client.get(url)
    assert response.status_code == 200
    return [json.loads(text) for text in _SCRIPT.findall(response.content.decode())]


def only_jsonld(client, url: str) -> dict:
    scripts = page_jsonld(client, url)
    assert len(scripts) == 1
    return scripts[0]


# --- Product -------------------------------------------------------------------------------


def test_product_offer_has_the_price_as_a_string_in_euros(client):
    """Money is never a float: the offer's price reads « 12.50 », currency EUR, VAT included."""
    product = ProductFactory(price=Decimal("12.5"), title="Tomme de brebis")
    data = only_jsonld(client, product.get_absolute_url())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"] == "Tomme de brebis"
    assert data["url"] == f"http://testserver{product.get_absolute_url()}"
    offer = data["offers"]
    assert offer["@type"] == "Offer"
    assert offer["price"] == "12.50"
    assert offer["priceCurrency"] == "EUR"
    assert offer["priceSpecification"]["valueAddedTaxIncluded"] is True
    assert offer["url"] == data["url"]


@pytest.mark.parametrize(
    ("stock", "availability"),
    [(0, "OutOfStock"), (3, "InStock"), (None, "InStock")],
    ids=["sold-out", "three-left", "not-counted"],
)
def test_availability_follows_the_stock(client, stock, availability):
    """Sold out is out of stock; a shop that does not count units has the product in store."""
    product = ProductFactory(stock=stock)
    assert only_jsonld(client, product.get_absolute_url())["offers"]["availability"] == (
        SCHEMA + availability
    )


def test_second_hand_products_are_offered_used_the_others_new(client):
    used = ProductFactory(labels=["second_hand", "local"])
    new = ProductFactory(labels=["handmade"])
    assert only_jsonld(client, used.get_absolute_url())["offers"]["itemCondition"] == (
        SCHEMA + "UsedCondition"
    )
    assert only_jsonld(client, new.get_absolute_url())["offers"]["itemCondition"] == (
        SCHEMA + "NewCondition"
    )


def test_product_is_sold_by_its_shop_reference_category_and_unit(client):
    """The seller is the shop (typed from its trade); a price per kilogram says so."""
    shop = MerchantFactory(name="Au Bon Pain", trade=Trade.BAKERY)
    product = ProductFactory(
        merchant=shop, sku="PAIN-01", unit="kg", category=CategoryFactory(name="Pains")
    )
    data = only_jsonld(client, product.get_absolute_url())
    assert data["sku"] == "PAIN-01"
    assert data["category"] == "Pains"
    assert data["offers"]["seller"] == {
        "@type": "Bakery",
        "name": "Au Bon Pain",
        "url": f"http://testserver{shop.get_absolute_url()}",
    }
    assert data["offers"]["priceSpecification"]["referenceQuantity"] == {
        "@type": "QuantitativeValue",
        "value": 1,
        "unitCode": "KGM",
    }
    assert (
        "referenceQuantity"
        not in (
            only_jsonld(client, ProductFactory(unit="piece").get_absolute_url())["offers"][
                "priceSpecification"
            ]
        )
    )


def test_product_images_are_absolute_urls_of_ready_photos_only(client):
    """Search engines get the largest processed JPEG, never a photo still being processed."""
    product = ProductFactory()
    ProductImageFactory(
        product=product, position=0, status=ProductImage.Status.READY, renditions=RENDITIONS
    )
    ProductImageFactory(product=product, position=1)  # pending
    data = only_jsonld(client, product.get_absolute_url())
    assert data["image"] == ["http://testserver/media/p/800.jpg"]
    assert "image" not in only_jsonld(client, ProductFactory().get_absolute_url())


def test_a_title_with_a_closing_script_tag_stays_inside_the_script(client):
    """A shopkeeper's text cannot end the JSON-LD element and inject markup."""
    title = 'Pain </script><script>alert("x")</script> & <!-- fin'
    product = ProductFactory(title=title, description="</SCRIPT> aussi")
    response = client.get(product.get_absolute_url())
    html = response.content.decode()
    assert '<script>alert("x")' not in html
    data = only_jsonld(client, product.get_absolute_url())
    assert data["name"] == title
    assert data["description"] == "</SCRIPT> aussi"


def test_jsonld_script_escapes_what_html_would_read_and_keeps_accents():
    text = jsonld_script({"name": "Crème </script> <!-- & brûlée"})
    for character in "<>&":
        assert character not in text
    assert "Crème" in text  # not « Cr\\u00e8me »: the page is UTF-8
    assert "brûlée" in text
    assert json.loads(text) == {"name": "Crème </script> <!-- & brûlée"}


# --- Shop ----------------------------------------------------------------------------------


def test_shop_is_a_local_business_with_address_geo_and_contact(client):
    shop = MerchantFactory(
        name="Fromagerie Dupont",
        trade=Trade.CHEESE,
        street="3 place du Marché",
        postcode="47300",
        city="Villeneuve-sur-Lot",
        latitude=Decimal("44.408100"),
        longitude=Decimal("0.704500"),
        phone="05 53 00 00 00",
        website="https://fromagerie.example.org/",
        short_description="Fromages affinés sur place.",
    )
    data = only_jsonld(client, shop.get_absolute_url())
    # schema.org has no cheese shop: a plain Store, a LocalBusiness subtype.
    assert data["@type"] == "Store"
    assert data["name"] == "Fromagerie Dupont"
    assert data["url"] == f"http://testserver{shop.get_absolute_url()}"
    assert data["description"] == "Fromages affinés sur place."
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "3 place du Marché",
        "postalCode": "47300",
        "addressLocality": "Villeneuve-sur-Lot",
        "addressCountry": "FR",
    }
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 44.4081, "longitude": 0.7045}
    assert data["telephone"] == "05 53 00 00 00"
    assert data["sameAs"] == ["https://fromagerie.example.org/"]


def test_shop_without_a_position_has_no_geo(client):
    assert "geo" not in only_jsonld(client, MerchantFactory().get_absolute_url())


def test_opening_hours_list_each_range_so_a_lunch_break_shows(client):
    """Two ranges on Tuesday are two specifications; times are 24-hour « HH:MM »."""
    shop = MerchantFactory()
    OpeningHoursFactory(merchant=shop, weekday=1, opens=dt.time(9), closes=dt.time(12, 30))
    OpeningHoursFactory(merchant=shop, weekday=1, opens=dt.time(14), closes=dt.time(19))
    OpeningHoursFactory(merchant=shop, weekday=5, opens=dt.time(8), closes=dt.time(13))
    data = only_jsonld(client, shop.get_absolute_url())
    assert data["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": SCHEMA + "Tuesday",
            "opens": "09:00",
            "closes": "12:30",
        },
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": SCHEMA + "Tuesday",
            "opens": "14:00",
            "closes": "19:00",
        },
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": SCHEMA + "Saturday",
            "opens": "08:00",
            "closes": "13:00",
        },
    ]


def test_closures_to_come_are_special_hours_closed_all_day(client):
    """An exceptional closure is « 00:00 – 00:00 » from its first to its last day; one that
    is over is not listed (the page does not show it either)."""
    shop = MerchantFactory()
    today = timezone.localdate()
    coming = ClosureFactory(
        merchant=shop,
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=17),
    )
    ClosureFactory(
        merchant=shop,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today - dt.timedelta(days=20),
    )
    data = only_jsonld(client, shop.get_absolute_url())
    assert data["specialOpeningHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "validFrom": coming.starts_on.isoformat(),
            "validThrough": coming.ends_on.isoformat(),
            "opens": "00:00",
            "closes": "00:00",
        }
    ]
    assert "specialOpeningHoursSpecification" not in only_jsonld(
        client, MerchantFactory().get_absolute_url()
    )


@pytest.mark.parametrize(
    ("trade", "schema_type"),
    [
        (Trade.BAKERY, "Bakery"),
        (Trade.BOOKS, "BookStore"),
        (Trade.FLORIST, "Florist"),
        (Trade.WINE, "LiquorStore"),
        (Trade.BUTCHER, "Store"),
        (Trade.SERVICES, "LocalBusiness"),
    ],
)
def test_shop_type_is_the_most_precise_schema_org_type_of_its_trade(trade, schema_type):
    assert shop_type(Merchant(trade=trade)) == schema_type


def test_shop_name_with_a_script_tag_stays_inside_the_script(client):
    shop = MerchantFactory(name="Chez </script> Léa")
    assert only_jsonld(client, shop.get_absolute_url())["name"] == "Chez </script> Léa"


# --- Story ---------------------------------------------------------------------------------


def test_story_is_an_article_by_its_shop_with_its_photos_and_products(client):
    shop = MerchantFactory(name="Le Fournil", trade=Trade.BAKERY)
    story = StoryFactory(
        merchant=shop, title="Le levain", body="Nous **nourrissons** le levain chaque matin."
    )
    StoryImageFactory(
        story=story, position=0, status=StoryImage.Status.READY, renditions=RENDITIONS
    )
    product = ProductFactory(merchant=shop, title="Pain au levain")
    product.stories.add(story)
    url = f"/boutiques/{shop.slug}/histoires/{story.slug}/"
    data = only_jsonld(client, url)
    assert data["@type"] == "Article"
    assert data["headline"] == "Le levain"
    assert data["url"] == f"http://testserver{url}"
    assert dt.datetime.fromisoformat(data["datePublished"]) == story.published_at
    shop_ref = {
        "@type": "Bakery",
        "name": "Le Fournil",
        "url": f"http://testserver/boutiques/{shop.slug}/",
    }
    assert data["author"] == shop_ref
    assert data["publisher"] == shop_ref
    assert data["image"] == ["http://testserver/media/p/800.jpg"]
    assert data["description"] == "Nous nourrissons le levain chaque matin."
    assert data["mentions"] == [
        {
            "@type": "Product",
            "name": "Pain au levain",
            "url": f"http://testserver{product.get_absolute_url()}",
        }
    ]


def test_shop_pictures_are_its_image_and_logo(client):
    shop = MerchantFactory(cover_image="merchants/covers/c.jpg", logo="merchants/logos/l.jpg")
    data = only_jsonld(client, shop.get_absolute_url())
    assert data["image"] == [
        "http://testserver/media/merchants/covers/c.jpg",
        "http://testserver/media/merchants/logos/l.jpg",
    ]
    assert data["logo"] == "http://testserver/media/merchants/logos/l.jpg"

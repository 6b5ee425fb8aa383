"""Public pages: they render, their query count does not grow with the catalog, they hide
what the visitor may not see and they load nothing from another site."""

import re

import pytest
from django.urls import reverse

from catalog.models import ProductImage
from tests.factories import (
    CollectiveFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OpeningHoursFactory,
    ProductFactory,
    ProductImageFactory,
)

pytestmark = pytest.mark.django_db


def make_town(products_per_shop: int, shops: int = 3):
    collective = CollectiveFactory(name="Les Commerçants de Villeneuve")
    merchants = []
    for _ in range(shops):
        merchant = MerchantFactory()
        MembershipFactory(collective=collective, merchant=merchant)
        OpeningHoursFactory(merchant=merchant)
        for product in ProductFactory.create_batch(products_per_shop, merchant=merchant):
            ProductImageFactory(
                product=product,
                status=ProductImage.Status.READY,
                position=0,
                renditions={
                    "320": {"width": 320, "height": 320, "webp": "a.webp", "jpeg": "a.jpg"}
                },
            )
        merchants.append(merchant)
    return collective, merchants


def count_queries(client, url, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["home", "collective", "shop", "product"])
def test_query_count_does_not_grow_with_the_number_of_products(
    client, page, django_assert_max_num_queries
):
    counts = []
    for size in (5, 50):
        collective, merchants = make_town(products_per_shop=size)
        shop = merchants[0]
        product = shop.products.first()
        url = {
            "home": reverse("collectives:home"),
            "collective": collective.get_absolute_url(),
            "shop": shop.get_absolute_url(),
            "product": product.get_absolute_url(),
        }[page]
        # The collective page also shows upcoming events and featured selections (6 more).
        budget = 14 if page == "collective" else 8
        counts.append(count_queries(client, url, django_assert_max_num_queries, budget=budget))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries at 5 products, {counts[1]} at 50"


def test_home_lists_active_collectives_with_their_shop_count(client):
    collective, _ = make_town(products_per_shop=1, shops=2)
    CollectiveFactory(name="Brouillon secret", status="draft")
    content = client.get("/").content.decode()
    assert collective.name in content
    assert "Brouillon secret" not in content


def test_collective_page_lists_active_member_shops_only(client):
    collective, merchants = make_town(products_per_shop=1, shops=2)
    left = MerchantFactory(name="Partie ailleurs")
    MembershipFactory(
        collective=collective, merchant=left, status="left", left_at="2026-01-01T00:00Z"
    )
    draft = MerchantFactory(name="Pas encore ouverte", status="draft")
    MembershipFactory(collective=collective, merchant=draft)
    content = client.get(collective.get_absolute_url()).content.decode()
    assert all(m.name in content for m in merchants)
    assert "Partie ailleurs" not in content
    assert "Pas encore ouverte" not in content


def test_shop_page_shows_hours_products_and_story(client):
    shop = MerchantFactory(story="Nous pétrissons au levain depuis 1987.")
    OpeningHoursFactory(merchant=shop, weekday=1)
    ProductFactory(merchant=shop, title="Pain de campagne")
    ProductFactory(merchant=shop, title="Brouillon caché", status="draft", published_at=None)
    content = client.get(shop.get_absolute_url()).content.decode()
    assert "Pain de campagne" in content
    assert "Brouillon caché" not in content
    assert "levain depuis 1987" in content
    assert "9 h – 12 h 30" in content


def test_product_page_shows_price_and_stock_state(client):
    product = ProductFactory(title="Comté 18 mois", price="32.40", unit="kg", stock=0)
    content = client.get(product.get_absolute_url()).content.decode()
    assert "Comté 18 mois" in content
    assert "32,40 €" in content
    assert "Épuisé" in content or "Sold out" in content


def test_draft_shop_is_404_for_the_public_and_for_staff_of_another_shop(client):
    draft = MerchantFactory(status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    other_staff = MerchantMemberFactory().user
    client.force_login(other_staff)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_draft_product_is_404_for_others_but_previewed_by_its_own_staff(client):
    member = MerchantMemberFactory(role="staff")
    draft = ProductFactory(merchant=member.merchant, status="draft", published_at=None)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(MerchantMemberFactory().user)  # staff of shop B
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(member.user)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_archived_product_is_gone_from_public_pages(client):
    product = ProductFactory(status="archived")
    assert client.get(product.get_absolute_url()).status_code == 404


def test_pages_are_french_first_and_english_under_en(client):
    collective, _ = make_town(products_per_shop=1, shops=1)
    french = client.get(collective.get_absolute_url())
    assert '<html lang="fr">' in french.content.decode()
    english = client.get("/en" + collective.get_absolute_url())
    assert '<html lang="en">' in english.content.decode()


def test_sitemap_lists_every_public_page(client):
    collective, merchants = make_town(products_per_shop=2, shops=2)
    hidden = ProductFactory(merchant=merchants[0], status="draft", published_at=None)
    body = client.get("/sitemap.xml").content.decode()
    assert "/collectifs/" + collective.slug + "/" in body
    for merchant in merchants:
        assert merchant.get_absolute_url() in body
        for product in merchant.products.filter(status="published"):
            assert product.get_absolute_url() in body
    assert hidden.get_absolute_url() not in body
    # English pages are listed too, as alternates of the French ones.
    assert f'hreflang="en" href="http://testserver/en{merchants[0].get_absolute_url()}"' in body


def test_pages_reference_no_other_site_for_assets(client):
    """No CDN: every stylesheet, script and image URL is relative to Halle."""
    collective, merchants = make_town(products_per_shop=2, shops=1)
    product = merchants[0].products.first()
    for url in (
        "/",
        collective.get_absolute_url(),
        merchants[0].get_absolute_url(),
        product.get_absolute_url(),
    ):
        html = client.get(url).content.decode()
        assets = re.findall(r'(?:src|href|srcset)="([^"]+)"', html)
        external = [
            a
            for a in assets
            if re.match(r"(https?:)?//", a) and not a.startswith(("mailto:", "tel:"))
        ]
        # The shop's own website link is a link, not an asset; factories set none.
        assert external == [], f"{url}: {external}"


def test_language_switch_keeps_the_visitor_on_the_same_page(client):
    collective, _ = make_town(products_per_shop=1, shops=1)
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": collective.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en" + collective.get_absolute_url()

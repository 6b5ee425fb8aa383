"""Conditional reads of the partner API: every successful GET carries an ETag (a hash of its
body) and a Last-Modified (when that body was first served), and answers 304 Not Modified
to If-None-Match / If-Modified-Since while the partner's copy is current — never after a
change, even one that the changed rows' own dates would not show."""

import pytest
from django.urls import reverse
from django.utils.http import http_date, parse_http_date

from catalog.models import Product
from partners.api.caching import first_served
from tests.factories import CollectiveFactory, MembershipFactory, MerchantFactory, ProductFactory
from tests.partners.factories import PartnerKeyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    collective = CollectiveFactory(slug="villeneuve")
    shop = MerchantFactory(slug="au-bon-pain")
    MembershipFactory(collective=collective, merchant=shop)
    return ProductFactory(merchant=shop, title="Pain de seigle")


def url(name, *args):
    return reverse(f"api:{name}", args=args)


def test_reads_carry_an_etag_and_answer_304_to_if_none_match(client, product):
    first = client.get(url("product_detail", product.pk))
    etag = first["ETag"]
    assert etag.startswith('"')
    assert first["Cache-Control"] == "no-cache"
    assert {"Authorization", "Origin"} <= {v.strip() for v in first["Vary"].split(",")}
    again = client.get(url("product_detail", product.pk), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert (
        client.get(url("product_detail", product.pk), HTTP_IF_NONE_MATCH='"autre"').status_code
        == 200
    )


def test_a_change_gives_a_new_etag(client, product):
    etag = client.get(url("product_detail", product.pk))["ETag"]
    Product.objects.filter(pk=product.pk).update(title="Pain de campagne")
    changed = client.get(url("product_detail", product.pk), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["title"] == "Pain de campagne"


def test_lists_answer_304_too_and_notice_a_row_leaving(client, product):
    list_url = url("collective_products", "villeneuve")
    first = client.get(list_url)
    assert client.get(list_url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(list_url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    # Unpublishing changes no remaining row's date: the list still changed.
    Product.objects.filter(pk=product.pk).update(status="draft")
    assert client.get(list_url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    after = client.get(list_url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert after.status_code == 200
    assert after.json()["results"] == []


def test_last_modified_answers_304_to_if_modified_since(client, product):
    first = client.get(url("product_detail", product.pk))
    last_modified = first["Last-Modified"]
    same = client.get(url("product_detail", product.pk), HTTP_IF_MODIFIED_SINCE=last_modified)
    assert same.status_code == 304
    assert same["Last-Modified"] == last_modified
    earlier = http_date(parse_http_date(last_modified) - 60)
    assert (
        client.get(url("product_detail", product.pk), HTTP_IF_MODIFIED_SINCE=earlier).status_code
        == 200
    )


def test_if_none_match_wins_over_if_modified_since(client, product):
    first = client.get(url("product_detail", product.pk))
    response = client.get(
        url("product_detail", product.pk),
        HTTP_IF_NONE_MATCH='"autre"',
        HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
    )
    assert response.status_code == 200


def test_a_body_changed_and_changed_back_is_not_current_for_the_middle_copy():
    """A → B → A: a partner holding B (with B's date) must get A again, not a 304."""
    a, b = '"a"', '"b"'
    since_a = first_served("http://testserver/x", a, now=1000)
    assert first_served("http://testserver/x", a, now=1005) == since_a
    since_b = first_served("http://testserver/x", b, now=1000.5)  # within the same second
    assert since_b > since_a
    since_a_again = first_served("http://testserver/x", a, now=1001)
    assert since_a_again > since_b


def test_head_requests_get_the_validators(client, product):
    response = client.head(url("product_detail", product.pk))
    assert response.status_code == 200
    assert response["ETag"]
    assert response["Last-Modified"]


def test_a_304_keeps_its_cors_header(client, product):
    key = PartnerKeyFactory(collective=None, allowed_origins=["https://mairie.example"])
    headers = {
        "HTTP_AUTHORIZATION": f"Api-Key {key.plaintext}",
        "HTTP_ORIGIN": "https://mairie.example",
    }
    etag = client.get(url("product_detail", product.pk), **headers)["ETag"]
    response = client.get(url("product_detail", product.pk), HTTP_IF_NONE_MATCH=etag, **headers)
    assert response.status_code == 304
    assert response["Access-Control-Allow-Origin"] == "https://mairie.example"


def test_errors_carry_no_validators(client, product):
    response = client.get(url("product_detail", product.pk + 1000))
    assert response.status_code == 404
    assert "ETag" not in response

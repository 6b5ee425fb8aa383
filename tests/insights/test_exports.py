"""Exports of the dashboards' tables: every table downloads as CSV (UTF-8 with BOM, ``;``,
what French Excel opens) and XLSX (loads back with openpyxl, same rows as the page's table);
an unknown table or format is a 404; a searched word never becomes a formula."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from insights.exports import dashboard_tables, xlsx_bytes
from insights.selectors.dashboards import shop_dashboard
from tests.factories import CollectiveFactory, MembershipFactory, MerchantMemberFactory
from tests.insights.dashboard_rows import search, shop_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_owner():
    member = MerchantMemberFactory(role="owner")
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=member.merchant)
    shop_day(member.merchant, 0, views=42, amount_reserved=Decimal("12.50"))
    search(collective, 0, "=cmd|calc", 3)
    search(collective, 0, "cidre", 5)
    return member


def url(name, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def test_csv_has_bom_semicolons_and_the_rows(client, shop_owner):
    client.force_login(shop_owner.user)
    response = client.get(url("shop_insights:export", shop_owner.merchant.slug, "searches", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Words searched", "Searches"]
    assert rows[1] == ["cidre", "5"]
    assert rows[2][0].startswith("'")  # « =cmd… » quoted: opening the file runs nothing


def test_csv_writes_decimal_commas(client, shop_owner):
    client.force_login(shop_owner.user)
    response = client.get(url("shop_insights:export", shop_owner.merchant.slug, "totals", "csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Amount reserved (€);12,50;0" in text


def test_xlsx_loads_back_with_the_same_rows(client, shop_owner):
    client.force_login(shop_owner.user)
    with translation.override("en"):
        tables = dashboard_tables(shop_dashboard(merchant=shop_owner.merchant, days=90), shop=True)
    for key, table in tables.items():
        response = client.get(
            url("shop_insights:export", shop_owner.merchant.slug, key, "xlsx") + "?periode=90"
        )
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0] == list(table.header)
        assert len(rows) == len(table.rows) + 1


def test_xlsx_keeps_numbers_as_numbers(shop_owner):
    with translation.override("en"):
        tables = dashboard_tables(shop_dashboard(merchant=shop_owner.merchant, days=30), shop=True)
    table = tables["totals"]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    views = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Page views")
    assert views[1] == 42


def test_unknown_table_or_format_is_404(client, shop_owner):
    client.force_login(shop_owner.user)
    slug = shop_owner.merchant.slug
    assert client.get(url("shop_insights:export", slug, "nothing", "csv")).status_code == 404
    assert client.get(url("shop_insights:export", slug, "totals", "pdf")).status_code == 404

"""A shop's dashboard in « Mon commerce » (/mon-commerce/<shop>/statistiques/…).

The shop's owners and staff see its own figures (``merchant_required``: anyone else gets a
404), with the median shop of its collectives for comparison, and download any table.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from insights.exports import FORMATS, dashboard_tables, table_response
from insights.selectors.dashboards import period_days, shop_dashboard
from insights.views.common import SHOP_HIGHLIGHTS, page_context, with_exports
from merchants.permissions import ShopRequest, merchant_required

NAV = "insights"


@merchant_required()
def dashboard(request: ShopRequest) -> HttpResponse:
    days = period_days(request.GET.get("periode"))
    data = shop_dashboard(merchant=request.merchant, days=days)
    return render(
        request,
        "insights/shop_dashboard.html",
        {
            "nav": NAV,
            **page_context(data, highlights=SHOP_HIGHLIGHTS),
            "tables": with_exports(
                dashboard_tables(data, shop=True),
                url_name="shop_insights:export",
                slug=request.merchant.slug,
                days=days,
            ),
        },
    )


@merchant_required()
def export(request: ShopRequest, table: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    days = period_days(request.GET.get("periode"))
    tables = dashboard_tables(shop_dashboard(merchant=request.merchant, days=days), shop=True)
    if fmt not in FORMATS or table not in tables:
        raise Http404
    return table_response(
        tables[table], fmt=fmt, filename=f"{request.merchant.slug}-{table}-{days}j"
    )

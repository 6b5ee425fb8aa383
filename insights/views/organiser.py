"""A collective's dashboard in the organiser space (/organiser/<collective>/statistiques/…).

Organisers see the collective's totals — sums over its active members, events' turnout,
group buys, newsletter reach, origins of reservations — and never one shop's figures: every
table here is built from the collective's own daily rows.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from collectives.permissions import OrganiserRequest, organiser_required
from insights.exports import FORMATS, dashboard_tables, table_response
from insights.selectors.dashboards import collective_dashboard, period_days
from insights.views.common import COLLECTIVE_HIGHLIGHTS, page_context, with_exports

NAV = "insights"


@organiser_required()
def dashboard(request: OrganiserRequest) -> HttpResponse:
    days = period_days(request.GET.get("periode"))
    data = collective_dashboard(collective=request.collective, days=days)
    figures = data.figures
    return render(
        request,
        "insights/organiser_dashboard.html",
        {
            "nav": NAV,
            "is_admin": request.organiser_role == "admin",
            **page_context(data, highlights=COLLECTIVE_HIGHLIGHTS),
            "turnout": {
                "registrations": figures["event_registrations"].value,
                "attendance": figures["event_attendance"].value,
            },
            "group_buys": {
                "succeeded": figures["group_buys_succeeded"].value,
                "total": figures["group_buys_succeeded"].value + figures["group_buys_failed"].value,
                "pledges": figures["pledges"].value,
            },
            "newsletter": figures["newsletter_recipients"].value,
            "tables": with_exports(
                dashboard_tables(data, shop=False),
                url_name="organiser_insights:export",
                slug=request.collective.slug,
                days=days,
            ),
        },
    )


@organiser_required()
def export(request: OrganiserRequest, table: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    days = period_days(request.GET.get("periode"))
    data = collective_dashboard(collective=request.collective, days=days)
    tables = dashboard_tables(data, shop=False)
    if fmt not in FORMATS or table not in tables:
        raise Http404
    return table_response(
        tables[table], fmt=fmt, filename=f"{request.collective.slug}-{table}-{days}j"
    )

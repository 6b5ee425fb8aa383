"""What both dashboards' pages share: their charts."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from insights.charts import bar_chart, line_chart
from insights.exports import FORMATS, Table
from insights.selectors.dashboards import Dashboard


def charts_for(dashboard: Dashboard) -> dict[str, SafeString]:
    """The SVG charts of the series: page views (line) and reservations (bars). Their
    figures are in the « series » table shown next to them."""
    labels = [date_format(point.start, "j M") for point in dashboard.series]
    period = dashboard.period
    span = _("from %(start)s to %(end)s") % {
        "start": date_format(period.start, "DATE_FORMAT"),
        "end": date_format(period.end, "DATE_FORMAT"),
    }
    step = _("per week") if period.weekly else _("per day")
    views = [point.values["views"] for point in dashboard.series]
    reservations = [point.values["reservations_created"] for point in dashboard.series]
    return {
        "views": line_chart(
            chart_id="chart-views",
            title=_("Page views"),
            desc=_("Page views %(step)s, %(span)s: %(total)s in all.")
            % {"step": step, "span": span, "total": sum(views)},
            labels=labels,
            values=views,
        ),
        "reservations": bar_chart(
            chart_id="chart-reservations",
            title=_("Reservations made"),
            desc=_("Reservations made %(step)s, %(span)s: %(total)s in all.")
            % {"step": step, "span": span, "total": sum(reservations)},
            labels=labels,
            values=reservations,
        ),
    }


def with_exports(
    tables: dict[str, Table], *, url_name: str, slug: str, days: int
) -> list[tuple[Table, str, str]]:
    """Each table with the links to its CSV and XLSX files for the same period."""
    links = []
    for key, table in tables.items():
        csv, xlsx = (
            reverse(url_name, args=[slug, key, fmt]) + f"?periode={days}" for fmt in FORMATS
        )
        links.append((table, csv, xlsx))
    return links


SHOP_HIGHLIGHTS = ("views", "reservations_created", "amount_reserved", "followers_gained")
COLLECTIVE_HIGHLIGHTS = (
    "views",
    "reservations_created",
    "amount_reserved",
    "searches_without_results",
)


def page_context(dashboard: Dashboard, *, highlights: tuple[str, ...]) -> dict[str, object]:
    """What the shared part of the page needs besides the tables."""
    from insights.exports import figure_labels
    from insights.selectors.dashboards import MEDIAN_MIN_SHOPS, PERIODS

    labels = figure_labels()
    return {
        "periods": PERIODS,
        "days": dashboard.period.days,
        "dashboard": dashboard,
        "charts": charts_for(dashboard),
        "median_min": MEDIAN_MIN_SHOPS,
        "highlights": [(key, labels[key], dashboard.figures[key]) for key in highlights],
    }

"""The dashboards' tables, as the pages show them and as files: CSV (what French Excel
opens: ``catalog.csv_format.write_table``) and XLSX (openpyxl).

One function builds every table of a dashboard (:func:`dashboard_tables`); the page renders
those tables next to its charts and the export writes the same rows, so a file always says
what the page says. An organiser's dashboard has no table with one row per shop.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalog.csv_format import write_table
from insights.selectors.dashboards import Dashboard

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    """One table of a dashboard: ``key`` names it in the export's URL."""

    key: str
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]


def figure_labels() -> dict[str, str]:
    """The names of the figures, in the active language."""
    return {
        "views": _("Page views"),
        "reservations_created": _("Reservations made"),
        "reservations_collected": _("Reservations collected"),
        "reservations_expired": _("Reservations expired"),
        "items_reserved": _("Items reserved"),
        "amount_reserved": _("Amount reserved (€)"),
        "pledges": _("Group-buy pledges"),
        "group_buys_succeeded": _("Group buys succeeded"),
        "group_buys_failed": _("Group buys not reached"),
        "followers_gained": _("New followers"),
        "directions": _("« Directions » clicks"),
        "calls": _("« Call » clicks"),
        "searches": _("Searches"),
        "searches_without_results": _("Searches without results"),
        "event_registrations": _("Event registrations"),
        "event_attendance": _("Registered for dates that took place"),
        "newsletter_recipients": _("Newsletter e-mails sent"),
    }


def source_label(key: str) -> str:
    """The origin's name (orders.models.Source), the key itself for an unknown one."""
    from orders.models import Source

    try:
        return str(Source(key).label)
    except ValueError:
        return key


def dashboard_tables(dashboard: Dashboard, *, shop: bool) -> dict[str, Table]:
    """Every table of a dashboard, by key, in the order the page shows them."""
    labels = figure_labels()
    tables = [
        Table(
            "totals",
            _("Totals"),
            [_("Figure"), _("This period"), _("Previous period"), _("Change (%)")],
            [
                [labels[name], f.value, f.previous, "" if f.trend is None else f.trend]
                for name, f in dashboard.figures.items()
            ],
        ),
        Table(
            "series",
            _("Week by week") if dashboard.period.weekly else _("Day by day"),
            [_("Week of") if dashboard.period.weekly else _("Day")]
            + [labels[name] for name in ("views", "reservations_created", "amount_reserved")],
            [
                [
                    point.start,
                    point.values["views"],
                    point.values["reservations_created"],
                    point.values["amount_reserved"],
                ]
                for point in dashboard.series
            ],
        ),
    ]
    if shop:
        tables.append(
            Table(
                "products",
                _("Most viewed products"),
                [_("Product"), _("Page views")],
                [list(row) for row in dashboard.top_products],
            )
        )
        tables.append(
            Table(
                "comparison",
                _("Compared with the median shop of your collectives"),
                [
                    _("Collective"),
                    _("Active shops"),
                    _("Median page views"),
                    _("Median reservations"),
                    _("Median amount reserved (€)"),
                ],
                [
                    [m.collective_name, m.shops, m.views, m.reservations, m.amount]
                    for m in dashboard.medians
                    if m.shown
                ],
            )
        )
    tables.append(
        Table(
            "searches",
            _("Searches without results"),
            [_("Words searched"), _("Searches")],
            [list(row) for row in dashboard.searches_without_results],
        )
    )
    tables.append(
        Table(
            "sources",
            _("Reservations and pledges by origin"),
            [_("Origin"), _("Reservations and pledges")],
            [[source_label(key), total] for key, total in dashboard.by_source],
        )
    )
    return {table.key: table for table in tables}


def _cell(value: Any) -> str:
    """A value as French spreadsheets read it: decimal commas, dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    if hasattr(value, "isoformat"):
        return date_format(value, "d/m/Y")
    return str(value)


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    """The table as a CSV download (UTF-8 with BOM, ``;``)."""
    rows = ([_cell(value) for value in row] for row in table.rows)
    response = StreamingHttpResponse(
        write_table(table.header, rows, text_columns={0}), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_bytes(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet, numbers kept as numbers."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = table.key
    sheet.append(list(table.header))
    for row in table.rows:
        sheet.append([_xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula from a searched word or a title
    return value


def xlsx_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(table), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def table_response(
    table: Table, *, fmt: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    """The download of ``table`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "xlsx":
        return xlsx_response(table, filename)
    return csv_response(table, filename)

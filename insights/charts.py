"""Charts drawn on the server as SVG: no JavaScript library, nothing loaded from elsewhere.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(``aria-labelledby`` points at both). The figures themselves are always given again in an
HTML table next to the chart (the templates put it in a ``<details>``): the chart is for the
eye, the table for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
HEIGHT = 220
MARGIN_LEFT = 48
MARGIN_BOTTOM = 28
MARGIN_TOP = 12

Number = int | float | Decimal


def _scale(values: Sequence[Number]) -> float:
    top = max((float(v) for v in values), default=0.0)
    return top if top > 0 else 1.0


def _frame(chart_id: str, title: str, desc: str, body: SafeString, top: float) -> SafeString:
    axis = format_html(
        '<line class="chart__axis" x1="{x}" y1="{y}" x2="{w}" y2="{y}"/>'
        '<text class="chart__label" x="{lx}" y="{ty}" text-anchor="end">{top}</text>'
        '<text class="chart__label" x="{lx}" y="{y}" text-anchor="end">0</text>',
        x=MARGIN_LEFT,
        y=HEIGHT - MARGIN_BOTTOM,
        w=WIDTH,
        lx=MARGIN_LEFT - 6,
        ty=MARGIN_TOP + 4,
        top=_short(top),
    )
    return format_html(
        '<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {w} {h}" preserveAspectRatio="none" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{axis}{body}</svg>",
        id=chart_id,
        w=WIDTH,
        h=HEIGHT,
        title=title,
        desc=desc,
        axis=axis,
        body=body,
    )


def _short(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def bar_chart(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[Number]
) -> SafeString:
    """A bar chart of ``values`` (one bar per label; each bar has its own ``<title>`` with
    the label and the figure, shown as a tooltip)."""
    top = _scale(values)
    plot_width = WIDTH - MARGIN_LEFT
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    step = plot_width / max(len(values), 1)
    bar = max(step * 0.75, 1.0)
    bars = format_html_join(
        "",
        '<rect class="chart__bar" x="{}" y="{}" width="{}" height="{}">'
        "<title>{} : {}</title></rect>",
        (
            (
                f"{MARGIN_LEFT + i * step + (step - bar) / 2:.1f}",
                f"{HEIGHT - MARGIN_BOTTOM - float(v) / top * plot_height:.1f}",
                f"{bar:.1f}",
                f"{float(v) / top * plot_height:.1f}",
                label,
                v,
            )
            for i, (label, v) in enumerate(zip(labels, values, strict=True))
        ),
    )
    ends = _end_labels(labels, step)
    return _frame(chart_id, title, desc, SafeString(bars + ends), top)


def line_chart(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[Number]
) -> SafeString:
    """A line chart of ``values``, one point per label."""
    top = _scale(values)
    plot_width = WIDTH - MARGIN_LEFT
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    step = plot_width / max(len(values) - 1, 1)
    points = " ".join(
        f"{MARGIN_LEFT + i * step:.1f},{HEIGHT - MARGIN_BOTTOM - float(v) / top * plot_height:.1f}"
        for i, v in enumerate(values)
    )
    line = format_html('<polyline class="chart__line" fill="none" points="{}"/>', points)
    return _frame(chart_id, title, desc, SafeString(line + _end_labels(labels, step)), top)


def _end_labels(labels: Sequence[str], step: float) -> SafeString:
    """The first and last labels under the axis (the table has every one)."""
    if not labels:
        return SafeString("")
    return format_html(
        '<text class="chart__label" x="{}" y="{}">{}</text>'
        '<text class="chart__label" x="{}" y="{}" text-anchor="end">{}</text>',
        MARGIN_LEFT,
        HEIGHT - 8,
        labels[0],
        WIDTH,
        HEIGHT - 8,
        labels[-1],
    )

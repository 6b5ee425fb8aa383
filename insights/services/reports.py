"""The monthly report: on the 1st, each collective's organisers receive the previous
month's figures by e-mail (text and HTML), through ``notifications.notify`` (kind
``insights.monthly_report``: in the inbox too, and the organiser can turn the e-mail off).

At most once per organiser and month: the collective's row is locked while its report is
written, and an organiser who already has the month's notification (its stored context names
the collective and the month) is skipped — the notification row is the claim, committed with
the sending, so re-running the task after a crash or twice in a day sends nothing twice.
Only the collective's totals are sent, never one shop's figures.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from collectives.models import Collective
from insights.selectors.dashboards import collective_month_figures
from notifications.models import Notification
from notifications.services.notify import notify

KIND = "insights.monthly_report"


def previous_month(today: dt.date) -> dt.date:
    """The first day of the month before ``today``'s."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def monthly_reports_send(*, today: dt.date | None = None) -> int:
    """Send last month's report to the organisers of every active collective; returns how
    many notifications were written (0 when run again for the same month). Each
    collective is its own transaction: one failing does not hold back the others."""
    month = previous_month(today or timezone.localdate())
    sent = 0
    ids = Collective.objects.filter(status=Collective.Status.ACTIVE).values_list("pk", flat=True)
    for collective_id in list(ids):
        sent += collective_monthly_report_send(collective_id=collective_id, month=month)
    return sent


@transaction.atomic
def collective_monthly_report_send(*, collective_id: int, month: dt.date) -> int:
    """Send the report of ``month`` (its first day) to the collective's organisers who have
    not had it yet; returns how many were written. A system action (the monthly task): no
    actor, the recipients are the collective's own organisers."""
    collective = Collective.objects.select_for_update().get(pk=collective_id)
    already = Notification.objects.filter(
        kind=KIND,
        context__collective_id=collective.pk,
        context__month=month.isoformat(),
    ).values("recipient_id")
    recipients = list(
        User.objects.filter(organiser_roles__collective=collective, is_active=True)
        .exclude(pk__in=already)
        .distinct()
        .order_by("pk")
    )
    if not recipients:
        return 0
    data = collective_month_figures(collective=collective, first=month)
    context: dict[str, Any] = {
        "collective_id": collective.pk,
        "collective_name": collective.name,
        "collective_slug": collective.slug,
        "month": month.isoformat(),
        "figures": {
            name: [_plain(figure.value), _plain(figure.previous)]
            for name, figure in data.figures.items()
        },
        "pickup_rate": data.pickup_rate,
        "searches_without_results": [list(row) for row in data.searches_without_results],
        "by_source": [list(row) for row in data.by_source],
    }
    link = reverse("organiser_insights:dashboard", args=[collective.slug])
    for recipient in recipients:
        notify(recipient=recipient, kind=KIND, context=context, link=link)
    return len(recipients)


def _plain(value: Any) -> Any:
    """A figure as JSON stores it (amounts as text, to keep their cents exact)."""
    return str(value) if isinstance(value, Decimal) else value


def report_email_context(stored: dict[str, Any]) -> dict[str, Any]:
    """The templates' context of a stored report (the kind's loader): the month as a date,
    the figures with their names in the recipient's language, the dashboard's address."""
    from insights.exports import figure_labels, source_label
    from notifications.emails import site_url

    labels = figure_labels()
    rows = []
    for name, (value, previous) in stored["figures"].items():
        current, before = Decimal(str(value)), Decimal(str(previous))
        trend = round(float((current - before) * 100 / before), 1) if before else None
        rows.append({"label": labels.get(name, name), "value": value, "trend": trend})
    return {
        **stored,
        "month_date": dt.date.fromisoformat(stored["month"]),
        "rows": rows,
        "sources": [(source_label(key), total) for key, total in stored["by_source"]],
        "link": site_url(reverse("organiser_insights:dashboard", args=[stored["collective_slug"]])),
    }

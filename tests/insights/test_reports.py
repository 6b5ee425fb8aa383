"""The monthly report: the organisers of each active collective get last month's figures
(text and HTML) once per month — running the task again sends nothing — with the
collective's totals only, never one shop's figures; the beat entry runs it on the 1st."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail

from insights.models import CollectiveDay, ShopDay
from insights.services.reports import KIND, monthly_reports_send
from insights.tasks_reports import send_monthly_reports
from notifications.models import Notification
from notifications.services.delivery import notification_deliver
from tests.factories import CollectiveFactory, MembershipFactory, OrganiserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 1)


@pytest.fixture
def collective():
    collective = CollectiveFactory(name="Cœur de Bastide")
    shop = MembershipFactory(collective=collective).merchant
    CollectiveDay.objects.create(
        collective=collective,
        day=dt.date(2025, 2, 10),
        views=4321,
        reservations_collected=3,
        reservations_expired=1,
        amount_reserved=Decimal("99.90"),
    )
    CollectiveDay.objects.create(collective=collective, day=dt.date(2025, 1, 10), views=1000)
    CollectiveDay.objects.create(collective=collective, day=dt.date(2025, 3, 1), views=777777)
    ShopDay.objects.create(merchant=shop, day=dt.date(2025, 2, 10), views=98765)
    return collective


def test_sent_once_per_month_to_each_organiser(collective):
    organisers = [OrganiserFactory(collective=collective).user for _ in range(2)]
    OrganiserFactory(collective=CollectiveFactory(status="archived"))  # not active: no report

    assert monthly_reports_send(today=TODAY) == 2
    assert monthly_reports_send(today=TODAY) == 0  # run again: nothing sent twice

    sent = Notification.objects.filter(kind=KIND)
    assert sorted(sent.values_list("recipient_id", flat=True)) == sorted(u.pk for u in organisers)
    assert all(n.context["month"] == "2025-02-01" for n in sent)
    # next month is another report
    assert monthly_reports_send(today=dt.date(2025, 4, 1)) == 2


def test_email_has_the_months_figures_in_text_and_html(collective):
    organiser = OrganiserFactory(collective=collective).user
    organiser.preferred_language = "en"
    organiser.save()
    monthly_reports_send(today=TODAY)
    notification = Notification.objects.get(kind=KIND, recipient=organiser)

    notification_deliver(notification_id=notification.pk)

    (message,) = mail.outbox
    assert message.to == [organiser.email]
    assert "Cœur de Bastide" in message.subject
    assert "February 2025" in message.subject
    assert "Page views: 4321 (332.1 % vs previous month)" in message.body
    assert "Pickup rate: 75.0 %" in message.body
    assert "99.90" in message.body
    html = message.alternatives[0][0]
    assert "4321" in html
    assert "<table" in html
    for text in (message.body, html):
        assert "98765" not in text  # a shop's own figure never leaves its dashboard
        assert "777777" not in text  # March is not February


def test_task_and_beat_entry():
    entry = settings.CELERY_BEAT_SCHEDULE["insights-monthly-reports"]
    assert entry["task"] == send_monthly_reports.name
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1}
    assert schedule.hour == {8}
    assert schedule.minute == {0}
    assert send_monthly_reports.run() == 0  # no collective: nothing to send

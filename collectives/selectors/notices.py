"""Reads for the e-mails about events (reminders)."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from collectives.models import Event, EventOccurrence, Registration

# Reminders go out in the daytime: from 9 h the day before, not at the first run after
# midnight (the hourly task would otherwise send most of them then).
REMINDERS_FROM = dt.time(9, 0)


def registrations_to_remind(*, now: dt.datetime | None = None) -> QuerySet[Registration, int]:
    """Ids of confirmed registrations for a date that starts tomorrow (Paris calendar day)
    and that have had no reminder, for published events of active collectives — none
    before 9 h in Paris."""
    now = now or timezone.now()
    if timezone.localtime(now).time() < REMINDERS_FROM:
        return Registration.objects.none().values_list("pk", flat=True)
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time.min))
    return (
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            reminded_at__isnull=True,
            occurrence__starts_at__gte=start,
            occurrence__starts_at__lt=end,
            occurrence__status=EventOccurrence.Status.SCHEDULED,
            occurrence__event__status=Event.Status.PUBLISHED,
            occurrence__event__collective__status="active",
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )

"""``{{ range.opens|hour }}`` → « 9 h », « 18 h 30 » in French, « 9:00 » in English."""

import datetime as dt

from django import template

from merchants.hours import format_hour

register = template.Library()


@register.filter
def hour(value: dt.time | None) -> str:
    return "" if value is None else format_hour(value)

"""The query parameters of the list endpoints, validated like a body: a value that is not
valid answers 400 with the error body, the parameter's name under ``fields``
(``{"min_price": ["A valid number is required."]}``). Unknown parameters are ignored.

Times are ISO 8601 (``2025-06-01T08:00:00+02:00``, ``2025-06-01T06:00:00Z``); a time without
an offset is read in Europe/Paris, and a bare date (``2025-06-01``) is that day's start in
Europe/Paris (for ``to``: the end of that day, so ``to=2025-06-30`` includes the 30th). A
``+`` of an offset that was not URL-encoded arrives as a space: it is read back as ``+``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.request import Request

from catalog.models import Label
from collectives.models import Event
from partners.selectors.api import MAX_EVENT_SPAN, default_date_range

# « T10:00:00 02:00 »: the offset's « + » became a space in an unencoded query string.
_LOST_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


class MomentField(serializers.DateTimeField):
    """A time, or a date read as the start (or, with ``end_of_day``, the end) of that day
    in Europe/Paris."""

    default_error_messages = {
        "invalid": gettext_lazy(
            "Enter a date (2025-06-01) or a time with its offset (2025-06-01T08:00:00+02:00)."
        ),
    }

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.datetime:
        if isinstance(value, str):
            value = _LOST_PLUS.sub(r"\1+\2", value.strip())
            try:
                day = parse_date(value) if len(value) == 10 else None
            except ValueError:  # the form of a date, but no such day (2025-13-01)
                self.fail("invalid", format="")
            if day is not None:
                if self.end_of_day:
                    day += dt.timedelta(days=1)
                return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        try:
            return super().to_internal_value(value)
        except (OverflowError, ValueError):  # a time near year 1 or 9999 with an offset
            self.fail("invalid")


def query_data(request: Request) -> dict[str, str]:
    """The query string as a plain mapping (the last value of a repeated parameter)."""
    return request.query_params.dict()


class ProductFilterSerializer(serializers.Serializer):
    """Search and filters of the product lists."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=(
            "French full-text search of titles, categories and descriptions: accents and "
            "plurals do not matter (« pates » finds « Pâtés »), near spellings of a title are "
            'found when little else is; words are ANDed, "…" is a phrase, -word excludes. '
            "Results are then sorted by relevance."
        ),
    )
    category = serializers.SlugField(
        required=False,
        help_text="A category's slug; a top-level category includes its sub-categories.",
    )
    merchant = serializers.SlugField(required=False, help_text="A shop's slug.")
    # (A serializer is a field, whose ``label`` this name shadows for type checkers only.)
    label = serializers.ChoiceField(choices=Label.choices, required=False)  # type: ignore[assignment]
    min_price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="In euros, VAT included, e.g. 12.50.",
    )
    max_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False
    )
    in_stock = serializers.BooleanField(
        required=False,
        help_text=(
            "true: what can be bought now (untracked stock counts as available); "
            "false: sold out only."
        ),
    )
    updated_since = MomentField(
        required=False, help_text="Only products changed at or after this time."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"max_price": [_("The maximum price must be above the minimum.")]}
            )
        return attrs


class EventFilterSerializer(serializers.Serializer):
    """The dates of the event lists: ``from`` and ``to`` (``from`` is a keyword in Python,
    hence :meth:`get_fields`) and the kind of event."""

    to = MomentField(
        required=False,
        end_of_day=True,
        help_text="Dates starting before this time (default: a year after `from`).",
    )
    kind = serializers.ChoiceField(choices=Event.Kind.choices, required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = MomentField(
            required=False, help_text="Dates not over at this time (default: now)."
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Adds ``dates``: the range asked for, with its defaults."""
        try:
            dates = default_date_range(attrs.get("from"), attrs.get("to"))
        except OverflowError:  # « from » so late that a year after it has no date
            raise serializers.ValidationError(
                {"from": [_("Ask for dates before the year 9999.")]}
            ) from None
        if dates.end <= dates.start:
            raise serializers.ValidationError({"to": [_("`to` must come after `from`.")]})
        if dates.end - dates.start > MAX_EVENT_SPAN:
            raise serializers.ValidationError(
                {
                    "to": [
                        _("Ask for at most %(days)d days at once.") % {"days": MAX_EVENT_SPAN.days}
                    ]
                }
            )
        return {**attrs, "dates": dates}


class EventDatesFilterSerializer(EventFilterSerializer):
    """An event's dates: ``from`` and ``to`` only."""

    kind = None  # type: ignore[assignment]

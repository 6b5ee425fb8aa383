"""Forms of the organisers' event tools: the event itself (date and times in Paris time,
recurrence presets), cancelling it, moving one date, inviting shops and featuring products.

They only parse what the organiser typed and turn it into the arguments of
:mod:`collectives.services.events`, which holds the rules; the service's field errors come back
next to the fields through :meth:`EventForm.service_errors`.

Recurrence presets
------------------
An organiser picks how the event repeats in words (« Chaque semaine », « Chaque mois, le 1er
vendredi »…) and the form writes the RFC 5545 rule; the edit form reads the stored rule back
into the same preset (:func:`read_rule`), or shows it as a custom rule when it is not one of
them. The weekday and the rank come from the start date:

- « Every week » and « Every other week »: ``FREQ=WEEKLY;BYDAY=SA`` (``INTERVAL=2``).
- « Every month, on the same weekday »: the rank of the start date in its month, counted from
  the start of the month (the 8th–14th is the second one). A start on the 29th–31st is the
  fifth such weekday, which most months do not have: that one is written « the last »
  (``BYDAY=-1SA``), so the event still happens every month.
- « Every month, on the last weekday »: ``BYDAY=-1SA``; the start date must then be in the last
  seven days of its month (it is the first date of the series).
- « Every month, on the same date »: ``FREQ=MONTHLY`` (the day of the start date); refused after
  the 28th, since RFC 5545 skips the months without that day.
- « Until » (a date, included) or « Number of times » end the series: ``UNTIL=20270630``
  (the service stores it in UTC) or ``COUNT=10``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from collectives.models import Event
from collectives.recurrence import MAX_DATES, paris
from merchants.forms.shop import PositionMixin, TimeOfDayField
from merchants.models import Merchant

IMAGE_TYPES = "image/jpeg,image/png,image/webp"
# RFC 5545 day names, Monday first like ``date.weekday()``.
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Repeat:
    """The recurrence presets (values of the ``repeat`` field)."""

    ONCE = "once"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY_NTH = "monthly_nth"
    MONTHLY_LAST = "monthly_last"
    MONTHLY_DAY = "monthly_day"
    CUSTOM = "custom"


def _ordinal(rank: int) -> str:
    return {
        1: gettext("first"),
        2: gettext("second"),
        3: gettext("third"),
        4: gettext("fourth"),
        -1: gettext("last"),
    }[rank]


def weekday_rank(day: dt.date) -> int:
    """The rank of ``day`` among the same weekdays of its month, as the monthly preset writes
    it: 1 to 4, and -1 (« the last ») for a fifth one."""
    rank = (day.day - 1) // 7 + 1
    return -1 if rank == 5 else rank


def is_last_weekday(day: dt.date) -> bool:
    """Whether ``day`` is the last of its weekday in its month."""
    return day.day + 7 > calendar.monthrange(day.year, day.month)[1]


def repeat_choices(start: dt.date | None) -> list[tuple[str, str]]:
    """The presets, worded for the start date when it is known (« Every week (on
    Saturday) »), in general terms otherwise."""
    if start is None:
        return [
            (Repeat.ONCE, gettext("Once")),
            (Repeat.WEEKLY, gettext("Every week (on the weekday of the start date)")),
            (Repeat.BIWEEKLY, gettext("Every other week (on the weekday of the start date)")),
            (
                Repeat.MONTHLY_NTH,
                gettext("Every month, on the same weekday (for example the first Friday)"),
            ),
            (
                Repeat.MONTHLY_LAST,
                gettext("Every month, on the last weekday (for example the last Saturday)"),
            ),
            (Repeat.MONTHLY_DAY, gettext("Every month, on the same date")),
            (Repeat.CUSTOM, gettext("Custom (RFC 5545 rule)")),
        ]
    day = str(WEEKDAYS[start.weekday()])
    return [
        (Repeat.ONCE, gettext("Once")),
        (Repeat.WEEKLY, gettext("Every week (on %(day)s)") % {"day": day}),
        (Repeat.BIWEEKLY, gettext("Every other week (on %(day)s)") % {"day": day}),
        (
            Repeat.MONTHLY_NTH,
            gettext("Every month, on the %(ordinal)s %(day)s")
            % {"ordinal": _ordinal(weekday_rank(start)), "day": day},
        ),
        (
            Repeat.MONTHLY_LAST,
            gettext("Every month, on the %(ordinal)s %(day)s")
            % {"ordinal": _ordinal(-1), "day": day},
        ),
        (
            Repeat.MONTHLY_DAY,
            gettext("Every month, on day %(number)s") % {"number": start.day},
        ),
        (Repeat.CUSTOM, gettext("Custom (RFC 5545 rule)")),
    ]


# --- Presets ↔ RFC 5545 rules ---------------------------------------------------------------


@dataclass(frozen=True)
class RuleChoice:
    """A rule as the form shows it: a preset, the custom rule's text, and its end."""

    repeat: str
    rule: str = ""
    until: dt.date | None = None
    count: int | None = None


def build_rule(choice: RuleChoice, start: dt.date) -> str:
    """The RFC 5545 rule of a preset starting on ``start`` (``""`` for a one-off event).

    Raises a ``ValidationError`` keyed by the form's field names (``repeat``, ``rule``,
    ``repeat_until``, ``repeat_count``) when the choice does not make a rule."""
    if choice.repeat == Repeat.ONCE:
        return ""
    errors: dict[str, ValidationError] = {}
    if choice.until is not None and choice.count is not None:
        errors["repeat_count"] = ValidationError(
            _("Give either an end date or a number of times, not both."), code="until_and_count"
        )
    if choice.until is not None and choice.until < start:
        errors["repeat_until"] = ValidationError(
            _("The last date cannot come before the first one."), code="until_before_start"
        )
    day = DAY_CODES[start.weekday()]
    parts: list[str]
    if choice.repeat == Repeat.WEEKLY:
        parts = ["FREQ=WEEKLY", f"BYDAY={day}"]
    elif choice.repeat == Repeat.BIWEEKLY:
        parts = ["FREQ=WEEKLY", "INTERVAL=2", f"BYDAY={day}"]
    elif choice.repeat == Repeat.MONTHLY_NTH:
        parts = ["FREQ=MONTHLY", f"BYDAY={weekday_rank(start)}{day}"]
    elif choice.repeat == Repeat.MONTHLY_LAST:
        if not is_last_weekday(start):
            errors["repeat"] = ValidationError(
                _(
                    "The start date is not the last %(day)s of its month: choose the date of "
                    "the first « last %(day)s », or another way to repeat."
                )
                % {"day": WEEKDAYS[start.weekday()]},
                code="not_last_weekday",
            )
        parts = ["FREQ=MONTHLY", f"BYDAY=-1{day}"]
    elif choice.repeat == Repeat.MONTHLY_DAY:
        if start.day > 28:
            errors["repeat"] = ValidationError(
                _(
                    "Not every month has a day %(number)s: choose a start date up to the "
                    "28th, or « the last » weekday."
                )
                % {"number": start.day},
                code="day_not_in_every_month",
            )
        parts = ["FREQ=MONTHLY"]
    else:  # custom: the organiser's own rule, checked by the service
        text = "".join(choice.rule.split()).upper().removeprefix("RRULE:")
        if not text:
            errors["rule"] = ValidationError(
                _("Write the rule, for example FREQ=MONTHLY;BYDAY=1SA,3SA."), code="required"
            )
        elif (choice.until or choice.count) and re.search(r"(^|;)(UNTIL|COUNT)=", text):
            errors["rule"] = ValidationError(
                _("The rule already says when it ends: clear « Until » and « Number of times »."),
                code="end_twice",
            )
        parts = [text] if text else []
    if errors:
        raise ValidationError(errors)
    if choice.until is not None:
        parts.append(f"UNTIL={choice.until:%Y%m%d}")
    if choice.count is not None:
        parts.append(f"COUNT={choice.count}")
    return ";".join(parts)


def _until_date(value: str) -> dt.date | None:
    """The last day (Paris) of an ``UNTIL`` as the service stores it (UTC, « …T215959Z »)."""
    try:
        if value.endswith("Z"):
            moment = dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            return moment.astimezone(paris()).date()
        return dt.datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        return None


def read_rule(rule: str, start: dt.date) -> RuleChoice:
    """The preset a stored rule stands for, given the event's first date (the reverse of
    :func:`build_rule`); a custom rule when it is none of them."""
    if not rule:
        return RuleChoice(Repeat.ONCE)
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    until_text, count_text = parts.pop("UNTIL", None), parts.pop("COUNT", None)
    until = _until_date(until_text) if until_text else None
    count = int(count_text) if count_text and count_text.isdigit() else None
    if (until_text and until is None) or (count_text and count is None):
        return RuleChoice(Repeat.CUSTOM, rule=rule)
    day = DAY_CODES[start.weekday()]
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    presets = {
        Repeat.WEEKLY: {"FREQ": "WEEKLY", "BYDAY": day},
        Repeat.BIWEEKLY: {"FREQ": "WEEKLY", "INTERVAL": "2", "BYDAY": day},
        Repeat.MONTHLY_NTH: {"FREQ": "MONTHLY", "BYDAY": f"{weekday_rank(start)}{day}"},
        Repeat.MONTHLY_LAST: {"FREQ": "MONTHLY", "BYDAY": f"-1{day}"},
        Repeat.MONTHLY_DAY: {"FREQ": "MONTHLY"},
    }
    for repeat, wanted in presets.items():
        if parts != wanted:
            continue
        if repeat == Repeat.MONTHLY_LAST and not is_last_weekday(start):
            break
        if repeat == Repeat.MONTHLY_DAY and start.day > 28:
            break
        return RuleChoice(repeat, until=until, count=count)
    return RuleChoice(Repeat.CUSTOM, rule=rule)


# --- The event form -------------------------------------------------------------------------


class DateInput(forms.DateInput):
    """The browser's date picker (the value is an ISO date, whatever the language)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


# Fields that go to the service as they are typed (the times and the rule are built).
PLAIN_FIELDS = (
    "kind",
    "title",
    "description",
    "is_online",
    "place_name",
    "street",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "online_url",
    "stream_url",
    "capacity",
    "registration_open",
)


class EventForm(PositionMixin, forms.Form):
    """An event: what, when (Paris time, with a recurrence preset), where, and seats.

    ``event_fields()`` gives the keyword arguments of ``event_create``/``event_update``;
    ``service_errors()`` keys the service's errors by the field they concern.
    """

    kind = forms.ChoiceField(label=_("Kind of event"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happens, for whom, what to bring."),
    )
    cover = forms.FileField(
        label=_("Cover photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, in landscape. A new photo replaces the current one."),
        widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput(), help_text=_("The first date."))
    start_time = TimeOfDayField(label=_("Starts at"), widget=TimeInput())
    end_time = TimeOfDayField(label=_("Ends at"), widget=TimeInput())
    end_date = forms.DateField(
        label=_("End date (optional)"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for an event over several days, such as a weekend fair."),
    )
    repeat = forms.ChoiceField(label=_("Repeats"), initial=Repeat.ONCE, choices=())
    rule = forms.CharField(
        label=_("Custom rule"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
        help_text=_(
            "Only with « Custom »: an RFC 5545 rule, for example FREQ=MONTHLY;BYDAY=1SA,3SA "
            "(the first and third Saturdays)."
        ),
    )
    repeat_until = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=DateInput(),
        help_text=_("The last possible date, included. Empty: no end."),
    )
    repeat_count = forms.IntegerField(
        label=_("Number of times (optional)"),
        required=False,
        min_value=1,
        max_value=MAX_DATES,
        help_text=_("Instead of an end date: how many dates in all."),
    )
    is_online = forms.BooleanField(label=_("Online event"), required=False)
    place_name = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=150,
        help_text=_("For example « Place de la Halle » or the name of a shop."),
    )
    street = forms.CharField(
        label=_("Street address"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label=_("Town"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    online_url = forms.URLField(
        label=_("Link to join online"),
        required=False,
        assume_scheme="https",
        help_text=_("For an online event: the address people open to take part."),
    )
    stream_url = forms.URLField(
        label=_("Stream link"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "For a live sale session: the PeerTube, YouTube, Twitch or Instagram address of "
            "the live."
        ),
    )
    capacity = forms.IntegerField(
        label=_("Seats per date (optional)"),
        required=False,
        min_value=1,
        help_text=_("Empty: no limit. When a date is full, people join its waiting list."),
    )
    registration_open = forms.BooleanField(
        label=_("People register to come"),
        required=False,
        help_text=_("Registration is open on the event's page while the event is published."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["repeat"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = repeat_choices(self._known_start())
        # The coordinates' help is written once under both inputs (see the template).
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs["aria-describedby"] = "event-position-help"

    def _known_start(self) -> dt.date | None:
        """The start date typed or stored, to word the presets (« on Saturday »)."""
        key = self.add_prefix("date")
        value: Any = self.data.get(key) if self.is_bound else self.initial.get("date")
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value)) if value else None
        except ValueError:
            return None

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        """The form's initial values for an event (times in Paris, the rule as a preset)."""
        starts = timezone.localtime(event.starts_at, paris())
        ends = timezone.localtime(event.ends_at, paris())
        choice = read_rule(event.recurrence, starts.date())
        initial = {name: getattr(event, name) for name in PLAIN_FIELDS}
        initial.update(
            date=starts.date(),
            start_time=starts.time().replace(second=0, microsecond=0),
            end_time=ends.time().replace(second=0, microsecond=0),
            end_date=ends.date() if ends.date() != starts.date() else None,
            repeat=choice.repeat,
            rule=choice.rule,
            repeat_until=choice.until,
            repeat_count=choice.count,
        )
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start = cleaned.get("date")
        end_date = cleaned.get("end_date")
        if start and end_date and end_date < start:
            self.add_error("end_date", _("The end date cannot come before the date."))
        if start and cleaned.get("repeat"):
            choice = RuleChoice(
                cleaned["repeat"],
                rule=cleaned.get("rule", ""),
                until=cleaned.get("repeat_until"),
                count=cleaned.get("repeat_count"),
            )
            try:
                cleaned["recurrence"] = build_rule(choice, start)
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    self.add_error(field, errors)
        return cleaned

    def _moment(self, day: dt.date, time: dt.time) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, time), paris())

    def event_fields(self) -> dict[str, Any]:
        """The keyword arguments of the event services (without the cover)."""
        data = self.cleaned_data
        fields = {name: data[name] for name in PLAIN_FIELDS}
        fields["starts_at"] = self._moment(data["date"], data["start_time"])
        fields["ends_at"] = self._moment(data.get("end_date") or data["date"], data["end_time"])
        fields["recurrence"] = data.get("recurrence", "")
        return fields

    def service_errors(self, error: ValidationError) -> ValidationError:
        """A service's ``ValidationError`` keyed by this form's fields, for
        ``attach_errors``: the start goes on the date, the end on the end time (or the end
        date), the rule on the preset (or on the custom rule's text)."""
        if not hasattr(error, "error_dict"):
            return error
        data = getattr(self, "cleaned_data", {})
        targets = {
            "starts_at": "date",
            "ends_at": "end_date" if data.get("end_date") else "end_time",
            "recurrence": "rule" if data.get("repeat") == Repeat.CUSTOM else "repeat",
            "slug": "title",
            "collective": NON_FIELD_ERRORS,
        }
        remapped: dict[str, list[ValidationError]] = {}
        for field, errors in error.error_dict.items():
            remapped.setdefault(targets.get(field, field), []).extend(errors)
        return ValidationError(remapped)


# --- Smaller forms --------------------------------------------------------------------------


class CancelEventForm(forms.Form):
    """Why the event is cancelled (shown on its page and in the notice registrants get)."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the event's page and in the e-mail sent to registered people."),
    )


class OccurrenceMoveForm(forms.Form):
    """A new day and times for one date."""

    date = forms.DateField(label=_("New date"), widget=DateInput())
    start_time = TimeOfDayField(label=_("Starts at"), widget=TimeInput())
    end_time = TimeOfDayField(label=_("Ends at"), widget=TimeInput())

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """The new start and end, aware (Paris). An end before the start is the next day's
        (an evening that ends after midnight)."""
        data = self.cleaned_data
        start = timezone.make_aware(dt.datetime.combine(data["date"], data["start_time"]), paris())
        end_day = data["date"]
        if data["end_time"] <= data["start_time"]:
            end_day += dt.timedelta(days=1)
        end = timezone.make_aware(dt.datetime.combine(end_day, data["end_time"]), paris())
        return start, end


class ParticipantsInviteForm(forms.Form):
    """Member shops to invite to take part."""

    merchants = forms.ModelMultipleChoiceField(
        label=_("Shops to invite"),
        queryset=Merchant.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one shop."),
            "invalid_choice": _("Choose member shops from the list."),
        },
    )

    def __init__(self, *args: Any, shops: QuerySet[Merchant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["merchants"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = shops


class FeaturedProductsForm(forms.Form):
    """The products an event features. The page renders the boxes itself (the featured ones
    and the search results): the field only checks that each is a product one may feature."""

    products = forms.ModelMultipleChoiceField(
        label=_("Featured products"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose products of member shops.")},
    )

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["products"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = products


class FeaturedSearchForm(forms.Form):
    q = forms.CharField(label=_("Search a product or a shop"), required=False, max_length=100)

"""Forms of a shop's own pages: getting started, the profile, weekly hours, closures.

Forms only parse and check what was typed, with messages a shopkeeper understands; the
services write (and check again). The position is two plain inputs, latitude and longitude:
the map of ``static/js/shop-map.js`` only fills them, so every form works without JavaScript.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from merchants.hours import format_hour
from merchants.images import validate_image_upload
from merchants.models import Merchant, Weekday

# Up to three ranges a day: morning, afternoon, and the evening of a late-opening day.
RANGES_PER_DAY = 3
SOCIAL_LINKS_MAX = 6  # Merchant.social_links holds at most six addresses


class CoordinateField(forms.DecimalField):
    """Degrees typed with a point or a comma (« 44,4087 »), rounded to six decimals (about
    10 cm) instead of refusing the long numbers a map application copies."""

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            # The explanation below both inputs (see _position.html).
            forms.TextInput(attrs={"autocomplete": "off", "aria-describedby": "position-help"}),
        )
        super().__init__(
            max_digits=9, decimal_places=6, min_value=-limit, max_value=limit, **kwargs
        )

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(",", ".").replace("\u2212", "-")
        number = super().to_python(value)
        if number is None:
            return None
        return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


class PositionMixin(forms.Form):
    """Latitude and longitude: both or neither."""

    # One help text for both, under them (see _position.html): side by side on a phone, two
    # help texts of different lengths would push the inputs out of line.
    latitude = CoordinateField(label=_("Latitude"), limit=90)
    longitude = CoordinateField(label=_("Longitude"), limit=180)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if "latitude" in cleaned and "longitude" in cleaned:
            if latitude is None and longitude is not None:
                self.add_error("latitude", _("Enter the latitude too, or clear both."))
            elif longitude is None and latitude is not None:
                self.add_error("longitude", _("Enter the longitude too, or clear both."))
        return cleaned


class ShopCreateForm(PositionMixin, forms.ModelForm):
    """The shop part of « getting started »: what it is called, what it does, where it is."""

    class Meta:
        model = Merchant
        fields = ["name", "trade", "street", "postcode", "city", "latitude", "longitude"]
        labels = {
            "name": _("Name of the shop"),
            "trade": _("Trade"),
            "street": _("Street address"),
            "postcode": _("Postcode"),
            "city": _("Town"),
        }
        help_texts = {"name": _("As written on your shop front.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("street", "postcode", "city"):
            self.fields[name].required = True
        self.fields["name"].widget.attrs["autocomplete"] = "organization"
        self.fields["street"].widget.attrs["autocomplete"] = "address-line1"
        self.fields["postcode"].widget.attrs.update(
            {"autocomplete": "postal-code", "inputmode": "numeric"}
        )
        self.fields["city"].widget.attrs["autocomplete"] = "address-level2"


class SocialLinksField(forms.CharField):
    """One web address per line; each is checked, and « instagram.com/… » gets https://."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            return list(value)
        text = super().to_python(value)
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if len(lines) > SOCIAL_LINKS_MAX:
            raise ValidationError(
                _("Give at most %(max)s addresses."),
                code="too_many",
                params={"max": SOCIAL_LINKS_MAX},
            )
        url_field = forms.URLField(max_length=300, assume_scheme="https")
        links, errors = [], []
        for number, line in enumerate(lines, start=1):
            try:
                links.append(url_field.clean(line))
            except ValidationError as error:
                errors.append(
                    ValidationError(
                        _("Line %(number)s (%(line)s): %(error)s"),
                        code="invalid_line",
                        params={"number": number, "line": line, "error": " ".join(error.messages)},
                    )
                )
        if errors:
            raise ValidationError(errors)
        return links


def _check_picture(upload: Any) -> Any:
    if upload:
        validate_image_upload(upload)
    return upload


class ShopProfileForm(PositionMixin, forms.ModelForm):
    """Every field of the shop its team keeps up to date.

    The form works on a copy of the shop: a refused form must not leave the page's shop (its
    name is in the header) half-changed.
    """

    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        help_text=_("For example boulangerie-martin.fr"),
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    social_links = SocialLinksField(
        label=_("Social networks"),
        required=False,
        help_text=_("Instagram, Facebook, Mastodon… one address per line, at most six."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Shown small, next to the shop's name."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    cover_image = forms.FileField(
        label=_("Cover photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, in landscape: the shop front or the counter."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_cover_image = forms.BooleanField(label=_("Remove the cover photo"), required=False)
    # Declared so that « 732 829 320 00074 » (17 characters with its spaces) reaches
    # clean_siret; the model then checks the 14 digits and their checksum.
    siret = forms.CharField(
        label=_("SIRET number"),
        required=False,
        max_length=20,
        help_text=_("14 digits, optional."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Merchant
        fields = [
            "name",
            "trade",
            "short_description",
            "story",
            "street",
            "postcode",
            "city",
            "latitude",
            "longitude",
            "phone",
            "email",
            "website",
            "social_links",
            "legal_name",
            "siret",
        ]
        labels = {
            "name": _("Name of the shop"),
            "trade": _("Trade"),
            "legal_name": _("Legal name"),
            "short_description": _("Short description"),
            "story": _("Your story"),
            "street": _("Street address"),
            "postcode": _("Postcode"),
            "city": _("Town"),
            "phone": _("Phone"),
            "email": _("E-mail address for customers"),
        }
        help_texts = {
            "short_description": _("One or two sentences, shown under the name (280 characters)."),
            "story": _("Who you are, how you work, what makes your shop yours."),
            "legal_name": _("If it differs from the shop's name, e.g. « SARL Martin et fils »."),
        }
        widgets = {
            "short_description": forms.Textarea(attrs={"rows": 2}),
            "story": forms.Textarea(attrs={"rows": 6}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "postcode": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
            ),
        }

    def __init__(
        self, data: Any = None, files: Any = None, *, instance: Merchant, **kwargs: Any
    ) -> None:
        super().__init__(data, files, instance=copy.copy(instance), **kwargs)

    def clean_siret(self) -> str:
        # People copy SIRET numbers with spaces (« 123 456 789 00012 »).
        return re.sub(r"\s", "", self.cleaned_data.get("siret") or "")

    def clean_logo(self) -> Any:
        return _check_picture(self.cleaned_data.get("logo"))

    def clean_cover_image(self) -> Any:
        return _check_picture(self.cleaned_data.get("cover_image"))

    def changes(self) -> dict[str, Any]:
        """The keyword arguments of ``merchant_update``: the text fields, plus each picture
        that was uploaded (the new file) or removed (None)."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields if name in data}
        for picture in ("logo", "cover_image"):
            if data.get(picture):
                fields[picture] = data[picture]
            elif data.get(f"remove_{picture}"):
                fields[picture] = None
        return fields


class TimeOfDayField(forms.TimeField):
    """A time typed as « 9:30 », « 09:30 », « 9h30 », « 9 h » or « 9 »."""

    def to_python(self, value: Any) -> dt.time | None:
        if isinstance(value, str):
            text = value.strip().lower().replace(" ", "")
            match = re.fullmatch(r"(\d{1,2})(?:[h:.](\d{2})?)?(?::\d{2})?", text)
            if match:
                hours, minutes = int(match.group(1)), int(match.group(2) or 0)
                if hours < 24 and minutes < 60:
                    return dt.time(hours, minutes)
        return super().to_python(value)


class OpeningHoursForm(forms.Form):
    """The week's opening hours: for each day, a « closed » box and up to three ranges.

    Fields are named ``d<weekday>_closed``, ``d<weekday>_<n>_opens`` and
    ``d<weekday>_<n>_closes``; :meth:`days` groups them for the template and
    :meth:`ranges` gives what ``opening_hours_replace`` takes.
    """

    def __init__(self, *args: Any, hours: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_day: dict[int, list[Any]] = {}
        for row in hours or []:
            by_day.setdefault(row.weekday, []).append(row)
        for day in Weekday:
            rows = sorted(by_day.get(day.value, []), key=lambda r: r.opens)
            self.fields[f"d{day.value}_closed"] = forms.BooleanField(
                label=_("Closed on %(day)s") % {"day": day.label},
                required=False,
                # On the hours page a day without ranges shows as closed; when getting
                # started nothing is known yet.
                initial=hours is not None and not rows,
            )
            for slot in range(RANGES_PER_DAY):
                row = rows[slot] if slot < len(rows) else None
                for end in ("opens", "closes"):
                    self.fields[f"d{day.value}_{slot}_{end}"] = TimeOfDayField(
                        label=(
                            _("%(day)s, range %(n)s, opens at")
                            if end == "opens"
                            else _("%(day)s, range %(n)s, closes at")
                        )
                        % {"day": day.label, "n": slot + 1},
                        required=False,
                        initial=getattr(row, end) if row else None,
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    )
        self._day_errors: dict[int, list[str]] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for day in Weekday:
            ranges: list[tuple[dt.time, dt.time, str]] = []
            for slot in range(RANGES_PER_DAY):
                opens_name = f"d{day.value}_{slot}_opens"
                closes_name = f"d{day.value}_{slot}_closes"
                if opens_name not in cleaned or closes_name not in cleaned:
                    continue  # already refused by the field
                opens, closes = cleaned[opens_name], cleaned[closes_name]
                if opens is None and closes is None:
                    continue
                if opens is None:
                    self.add_error(opens_name, _("Enter the opening time of this range."))
                elif closes is None:
                    self.add_error(closes_name, _("Enter the closing time of this range."))
                elif opens >= closes:
                    self.add_error(
                        closes_name, _("The closing time must be later than the opening time.")
                    )
                else:
                    ranges.append((opens, closes, closes_name))
            if cleaned.get(f"d{day.value}_closed"):
                if ranges:
                    # Without JavaScript nothing greys the hours out when the box is ticked:
                    # rather than drop hours someone just typed, ask which one they meant.
                    self.add_error(
                        f"d{day.value}_closed",
                        _("Untick « closed » to open on this day, or clear its hours."),
                    )
                continue
            ranges.sort()
            for earlier, later in itertools.pairwise(ranges):
                if later[0] < earlier[1]:
                    self.add_error(
                        later[2],
                        _("This range overlaps the one before (%(opens)s–%(closes)s).")
                        % {"opens": format_hour(earlier[0]), "closes": format_hour(earlier[1])},
                    )
        return cleaned

    def ranges(self) -> list[tuple[int, dt.time, dt.time]]:
        """(weekday, opens, closes) of every range entered on a day not marked closed."""
        data = self.cleaned_data
        result = []
        for day in Weekday:
            if data.get(f"d{day.value}_closed"):
                continue
            for slot in range(RANGES_PER_DAY):
                opens = data.get(f"d{day.value}_{slot}_opens")
                closes = data.get(f"d{day.value}_{slot}_closes")
                if opens is not None and closes is not None:
                    result.append((day.value, opens, closes))
        return result

    def days(self) -> list[dict[str, Any]]:
        """For the template: each day with its « closed » box and its ranges' bound fields."""
        result = []
        for day in Weekday:
            slots = []
            for slot in range(RANGES_PER_DAY):
                opens = self[f"d{day.value}_{slot}_opens"]
                closes = self[f"d{day.value}_{slot}_closes"]
                slots.append(
                    {
                        "number": slot + 1,
                        "opens": opens,
                        "closes": closes,
                        "filled": bool(opens.value() or closes.value()),
                        "errors": [*opens.errors, *closes.errors],
                    }
                )
            result.append(
                {
                    "value": day.value,
                    "label": day.label,
                    "closed": self[f"d{day.value}_closed"],
                    "slots": slots,
                    "has_errors": any(slot["errors"] for slot in slots),
                }
            )
        return result


class ClosureForm(forms.Form):
    """An exceptional closure: from, until (inclusive), and why."""

    starts_on = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Until (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=200,
        help_text=_("Shown to customers, e.g. « Summer holidays »."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", _("The closure must end on or after its first day."))
            elif ends_on < timezone.localdate():
                self.add_error("ends_on", _("This closure is already over."))
        return cleaned

"""The widget's options: read leniently from the URL a partner pasted (``WidgetOptions``), and
chosen on the organisers' « Widget » page (``WidgetSnippetForm``), which writes that URL.

A partner's page must never break because of a typo in its snippet: an unknown section is
skipped, a limit out of range is brought back into it, anything unreadable takes its default.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collectives.models import Selection

SECTIONS = ("events", "products", "shops")
DEFAULT_SECTIONS = ("events", "products")
THEMES = ("light", "dark", "auto")
MIN_LIMIT = 1
MAX_LIMIT = 24
DEFAULT_LIMIT = 6
# Halle's own terracotta: the accent when the partner chooses none.
DEFAULT_ACCENT = "8a3b12"
_ACCENT = re.compile(r"#?([0-9a-fA-F]{6})")
_SLUG = re.compile(r"[-\w]{1,160}", re.ASCII)


class _Query(Protocol):
    def get(self, key: str, default: Any = ..., /) -> Any: ...


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def _relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of an ``rrggbb`` colour."""
    channels = []
    for start in (0, 2, 4):
        value = int(hex_colour[start : start + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@dataclass(frozen=True)
class WidgetOptions:
    """What a widget shows and how: the sections in order, how many items each, the colour
    theme, an accent colour (``rrggbb``, empty for Halle's) and a selection's slug (empty:
    the newest products)."""

    show: tuple[str, ...] = DEFAULT_SECTIONS
    limit: int = DEFAULT_LIMIT
    theme: str = "light"
    accent: str = ""
    selection: str = ""

    @classmethod
    def from_query(cls, query: _Query) -> WidgetOptions:
        """The options of a widget URL's query string, every value made valid (see the
        module's docstring): ``show=products,events&limit=6&theme=dark&accent=1d6b35``."""
        show: list[str] = []
        for name in str(query.get("show", "")).split(","):
            name = name.strip().lower()
            if name in SECTIONS and name not in show:
                show.append(name)
        limit = min(MAX_LIMIT, max(MIN_LIMIT, _int(query.get("limit", ""), DEFAULT_LIMIT)))
        theme = str(query.get("theme", "")).strip().lower()
        accent = _ACCENT.fullmatch(str(query.get("accent", "")).strip())
        selection = str(query.get("selection", "")).strip()
        return cls(
            show=tuple(show) or DEFAULT_SECTIONS,
            limit=limit,
            theme=theme if theme in THEMES else "light",
            accent=accent.group(1).lower() if accent else "",
            selection=selection if _SLUG.fullmatch(selection) else "",
        )

    def query(self, *, sections: bool = True) -> str:
        """The canonical query string of these options (the cache key, and the snippet's
        URL): always in the same order, the accent and selection only when set.
        ``sections=False`` leaves out what only the collective's widget reads."""
        pairs: list[tuple[str, str]] = []
        if sections:
            pairs.append(("show", ",".join(self.show)))
        pairs.append(("limit", str(self.limit)))
        pairs.append(("theme", self.theme))
        if self.accent:
            pairs.append(("accent", self.accent))
        if sections and self.selection:
            pairs.append(("selection", self.selection))
        return urlencode(pairs, safe=",")

    @property
    def accent_ink(self) -> str:
        """Black or white, whichever reads better on the accent (at least 4.5:1 for any
        colour): text on an accent-coloured button stays legible whatever the partner
        picked."""
        if not self.accent:
            return "#ffffff"
        luminance = _relative_luminance(self.accent)
        on_white = 1.05 / (luminance + 0.05)
        on_black = (luminance + 0.05) / 0.05
        return "#ffffff" if on_white >= on_black else "#000000"


class WidgetSnippetForm(forms.Form):
    """The organisers' choices for their widget; :meth:`options` turns them into the
    widget's URL options. Read from the page's own query string (a GET form: choosing
    changes nothing on the server)."""

    show = forms.MultipleChoiceField(
        label=_("What to show"),
        choices=[
            ("events", _("Upcoming events")),
            ("products", _("Products")),
            ("shops", _("Member shops, open or closed now")),
        ],
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_SECTIONS),
    )
    selection = forms.ChoiceField(
        label=_("Products shown"),
        required=False,
        help_text=_("A selection the public sees now, or the newest products of your members."),
    )
    limit = forms.IntegerField(
        label=_("How many in each part"),
        min_value=MIN_LIMIT,
        max_value=MAX_LIMIT,
        initial=DEFAULT_LIMIT,
    )
    theme = forms.ChoiceField(
        label=_("Colours"),
        choices=[
            ("light", _("Light")),
            ("dark", _("Dark")),
            ("auto", _("As the visitor's device (light or dark)")),
        ],
        widget=forms.RadioSelect,
        initial="light",
    )
    accent = forms.CharField(
        label=_("Accent colour"),
        max_length=7,
        initial="#" + DEFAULT_ACCENT,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Buttons and underlines; pick your site's colour."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
    height = forms.IntegerField(
        label=_("Height of the frame (pixels)"),
        min_value=150,
        max_value=4000,
        initial=600,
        help_text=_("With the script, the frame takes the height of its content by itself."),
    )

    def __init__(self, data: Any = None, *, selections: Sequence[Selection]) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["selection"]).choices = [
            ("", _("The newest products")),
            *((selection.slug, selection.title) for selection in selections),
        ]

    def clean_accent(self) -> str:
        match = _ACCENT.fullmatch(self.cleaned_data["accent"].strip())
        if match is None:
            raise ValidationError(
                _("Give a colour as # and six hexadecimal digits, e.g. #1d6b35."),
                code="invalid",
            )
        return match.group(1).lower()

    def options(self) -> WidgetOptions:
        """The options chosen (the form must be valid), Halle's accent left out of the URL."""
        data = self.cleaned_data
        return WidgetOptions(
            show=tuple(name for name in SECTIONS if name in data["show"]),
            limit=data["limit"],
            theme=data["theme"],
            accent="" if data["accent"] == DEFAULT_ACCENT else data["accent"],
            selection=data["selection"],
        )

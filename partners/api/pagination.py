"""Cursor pagination of every list: ``{"next": url|null, "previous": url|null, "results": […]}``.

A page is found by *keyset*, not by offset: the cursor carries the sort values of the row it
starts after (or before, going back), and the page is the ``page_size`` rows that come next
in the list's order — one indexed query whatever the depth, and no row skipped or repeated
when rows are added or removed between two calls (a row whose sort value changes meanwhile
may move, as in any live list). Each list sorts on a few columns ending with the primary
key, so that the order is total; the cursor also names the order, and a cursor made for
another order (e.g. after adding ``q``, which sorts by relevance) is refused with a 400.

Cursors are opaque to partners (URL-safe base64 of JSON): follow ``next`` and ``previous``.
``page_size`` is 1–100 (50 by default).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import F, Model, Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class OrderKey:
    """A column of a list's order: a field or annotation that is never NULL in the list,
    its direction, and how its value is written in a cursor (``datetime``, ``int``,
    ``float``, ``decimal`` or ``str``)."""

    field: str
    kind: str
    descending: bool = False


@dataclass(frozen=True)
class Ordering:
    """A list's total order: ``keys`` end with a unique column (the primary key)."""

    name: str
    keys: tuple[OrderKey, ...]

    def order_by(self, *, reverse: bool = False) -> list[Any]:
        return [
            F(key.field).desc() if key.descending != reverse else F(key.field).asc()
            for key in self.keys
        ]

    def beyond(self, values: list[Any], *, reverse: bool = False) -> Q:
        """Rows strictly after ``values`` in this order (before them with ``reverse``)."""
        condition, equal = Q(), Q()
        for key, value in zip(self.keys, values, strict=True):
            lookup = "lt" if key.descending != reverse else "gt"
            condition |= equal & Q(**{f"{key.field}__{lookup}": value})
            equal &= Q(**{key.field: value})
        return condition

    def values_of(self, row: Model) -> list[Any]:
        return [row.pk if key.field == "pk" else getattr(row, key.field) for key in self.keys]


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode_value(kind: str, value: Any) -> Any:
    if kind == "datetime":
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(value)
        return parsed
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(value)
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(value)
        if not math.isfinite(value):
            raise ValueError(value)
        return float(value)
    if kind == "decimal":
        return Decimal(str(value))
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError(value)
    return value


@dataclass(frozen=True)
class Cursor:
    ordering: str
    backwards: bool
    values: list[Any]

    def encode(self) -> str:
        payload = {
            "o": self.ordering,
            "b": self.backwards,
            "v": [_encode_value(value) for value in self.values],
        }
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid_cursor() -> ValidationError:
    return ValidationError(
        {"cursor": [_("This cursor is not valid: follow the next and previous links.")]}
    )


def decode_cursor(text: str, ordering: Ordering) -> Cursor:
    """The cursor ``text`` for a list in ``ordering``; a 400 if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw)
        if payload["o"] != ordering.name or not isinstance(payload["b"], bool):
            raise _invalid_cursor()
        values = payload["v"]
        if not isinstance(values, list) or len(values) != len(ordering.keys):
            raise _invalid_cursor()
        decoded = [
            _decode_value(key.kind, value) for key, value in zip(ordering.keys, values, strict=True)
        ]
    except (
        ValueError,
        TypeError,
        KeyError,
        binascii.Error,
        InvalidOperation,
        UnicodeDecodeError,
    ):
        raise _invalid_cursor() from None
    return Cursor(ordering=ordering.name, backwards=payload["b"], values=decoded)


class KeysetCursorPagination(BasePagination):
    """The API's pagination (see the module's docstring). The view names its order with
    ``get_ordering()``, returning an :class:`Ordering`."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def __init__(self) -> None:
        self.next_cursor: Cursor | None = None
        self.previous_cursor: Cursor | None = None
        self.request: Request | None = None

    def page_size(self, request: Request) -> int:
        default = int(api_settings.PAGE_SIZE or 50)
        text = request.query_params.get(self.page_size_query_param)
        if text is None or text == "":
            return default
        try:
            size = int(text)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Choose a page size between 1 and %(max)d.") % {"max": MAX_PAGE_SIZE}
                    ]
                }
            )
        return size

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        ordering: Ordering = view.get_ordering()
        self.request = request
        size = self.page_size(request)
        text = request.query_params.get(self.cursor_query_param)
        cursor = decode_cursor(text, ordering) if text else None
        if cursor is None or not cursor.backwards:
            rows = queryset.order_by(*ordering.order_by())
            if cursor is not None:
                rows = rows.filter(ordering.beyond(cursor.values))
            page = list(rows[: size + 1])
            more, page = len(page) > size, page[:size]
            if more:
                self.next_cursor = Cursor(ordering.name, False, ordering.values_of(page[-1]))
            if cursor is not None and page:
                self.previous_cursor = Cursor(ordering.name, True, ordering.values_of(page[0]))
            return page
        rows = queryset.order_by(*ordering.order_by(reverse=True)).filter(
            ordering.beyond(cursor.values, reverse=True)
        )
        page = list(rows[: size + 1])
        more, page = len(page) > size, page[:size][::-1]
        if page:
            # The row the cursor was made from is after this page: there is a next page.
            self.next_cursor = Cursor(ordering.name, False, ordering.values_of(page[-1]))
            if more:
                self.previous_cursor = Cursor(ordering.name, True, ordering.values_of(page[0]))
        return page

    def _link(self, cursor: Cursor | None) -> str | None:
        if cursor is None or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor.encode())

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.next_cursor),
                "previous": self._link(self.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The next page, or null on the last one."},
                "previous": {
                    **link,
                    "description": "The previous page, or null on the first one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Where the page starts: take it from `next` or `previous`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Results per page, 1–{MAX_PAGE_SIZE} (50 by default).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]

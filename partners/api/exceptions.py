"""The API's one error body, for every 4xx answer of every endpoint (reads and writes)::

    {"error": {"code": "validation_error",
               "message": "Some values are not valid.",
               "fields": {"min_price": ["A valid number is required."],
                          "lines.3.sku": ["This field is required."]}}}

``code`` is stable and meant for programs (``validation_error``, ``not_found``,
``not_authenticated``, ``authentication_failed``, ``permission_denied``, ``throttled``,
``method_not_allowed``, ``parse_error``, ``unsupported_media_type``, ``not_acceptable``,
``conflict``, ``unprocessable``…); ``message`` is for people, in the language of the
request's ``Accept-Language`` (French by default); ``fields`` maps each input that was
refused — a query parameter or a body field, nested ones written as a dotted path — to its
messages, and is empty when the error is not about an input. Errors that concern the input
as a whole are under ``non_field_errors``.

:func:`api_exception_handler` is DRF's ``EXCEPTION_HANDLER``: views raise DRF exceptions, or
Django's ``Http404``, ``PermissionDenied`` and ``ValidationError`` (what services raise), and
the answer always has this shape. :func:`error_response` builds the same body by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler


class Conflict(exceptions.APIException):
    """409: the request clashes with another one (e.g. the same idempotency key in flight)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with another one in progress."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    """422: the request is well-formed but cannot be applied (e.g. a reused idempotency key
    with a different body)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def error_body(
    code: str, message: str, fields: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    """The error body (see the module's docstring)."""
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}


def error_response(
    *,
    status_code: int,
    code: str,
    message: str,
    fields: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A DRF response carrying the error body, for answers built without an exception."""
    return Response(error_body(code, message, fields), status=status_code, headers=headers)


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"dotted.path": [messages]}``: ``{"lines": [{}, {"sku":
    ["…"]}]}`` becomes ``{"lines.1.sku": ["…"]}``; messages not under a field go under
    ``non_field_errors``."""
    flat: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        flat.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).append(message)

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, Mapping | list | tuple):
                    walk(item, f"{path}.{index}" if path else str(index))
                else:
                    add(path, str(item))
        elif value is not None:
            add(path, str(value))

    walk(detail, prefix)
    return flat


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else str(exc.default_code)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler with the body of this module. Unexpected exceptions are left
    to Django (a 500, logged and reported as usual)."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        general = fields.get(api_settings.NON_FIELD_ERRORS_KEY, [])
        message = (
            general[0]
            if len(fields) == 1 and len(general) == 1
            else _("Some values are not valid.")
        )
        response.data = error_body("validation_error", message, fields)
    elif isinstance(exc, Http404):
        response.data = error_body("not_found", _("Not found."))
    elif isinstance(exc, PermissionDenied):
        response.data = error_body(
            "permission_denied", _("You do not have permission to perform this action.")
        )
    elif isinstance(exc, exceptions.APIException):
        if isinstance(exc.detail, Mapping | list):
            response.data = error_body(
                _code_of(exc), _("The request was refused."), flatten_errors(exc.detail)
            )
        else:
            response.data = error_body(_code_of(exc), str(exc.detail))
    return response

"""What every read endpoint shares (:class:`ApiReadView`), the routing of one path to a view
per HTTP method (:func:`by_method`), and the JSON 404 of unknown API addresses."""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt
from rest_framework import generics, mixins
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.api.authentication import partner_key_of
from partners.api.caching import conditional_response
from partners.api.exceptions import error_body
from partners.api.pagination import Ordering
from partners.selectors.api import ReadScope

# The API speaks English to programs unless the caller prefers French (Accept-Language).
API_LANGUAGES = ("en", "fr")
DEFAULT_API_LANGUAGE = "en"


def api_language(request: HttpRequest) -> str:
    """The language of the API's messages: the first of the caller's ``Accept-Language``
    (by preference) that is English or French; English without one."""
    for tag, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        language = tag.split("-")[0].lower()
        if language in API_LANGUAGES:
            return language
    return DEFAULT_API_LANGUAGE


def in_api_language(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Runs ``view`` in :func:`api_language` and says so (``Content-Language``)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = api_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language",))
        return response

    return wrapper


class ApiReadView(generics.GenericAPIView):
    """A read endpoint: anyone may call it (a partner key narrows or widens what it reads
    and its rate); GET and HEAD only; successful answers carry ``ETag``/``Last-Modified``
    and become 304s when the partner's copy is current (:mod:`partners.api.caching`).

    List views name their order with :attr:`ordering` (see :mod:`partners.api.pagination`).
    """

    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]
    ordering: Ordering | None = None

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # functools.wraps keeps what DRF sets on the view: cls and initkwargs (the schema
        # generator reads them) and csrf_exempt.
        return in_api_language(super().as_view(**initkwargs))

    def get_ordering(self) -> Ordering:
        assert self.ordering is not None, f"{type(self).__name__} names no ordering"
        return self.ordering

    @property
    def scope(self) -> ReadScope:
        """What the caller reads: one collective for a collective's key, else every one."""
        key = partner_key_of(self.request)
        return ReadScope(collective_id=key.collective_id if key is not None else None)

    def finalize_response(  # type: ignore[override]  # a 304 is no DRF Response
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):
            return conditional_response(request._request, response)
        return response


class ApiListView(mixins.ListModelMixin, ApiReadView):
    """A paginated list: ``get_queryset()`` → a page in the view's order → serialized."""

    def prepare_page(self, rows: list[Any]) -> None:
        """Hook to attach what the page's rows share (their collective…) before writing."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # every list is paginated
        self.prepare_page(page)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


class ApiDetailView(mixins.RetrieveModelMixin, ApiReadView):
    """One object: ``get_object()`` → serialized."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.retrieve(request, *args, **kwargs)


# --- One path, a view per method ----------------------------------------------------------------


def _method_not_allowed(request: HttpRequest, allowed: list[str]) -> JsonResponse:
    response = JsonResponse(
        error_body(
            "method_not_allowed",
            _("Method « %(method)s » not allowed.") % {"method": request.method},
        ),
        status=405,
    )
    response["Allow"] = ", ".join(allowed)
    return response


def resolve_view(target: str | type[APIView]) -> type[APIView] | None:
    """The view class ``target`` names (a dotted path or the class itself), or None while
    its module does not exist yet. Errors inside an existing module are raised as usual."""
    if not isinstance(target, str):
        return target
    module_path, _dot, name = target.rpartition(".")
    if importlib.util.find_spec(module_path) is None:
        return None
    return getattr(import_module(module_path), name, None)


def by_method(targets: Mapping[str, str | type[APIView]]) -> Callable[..., HttpResponseBase]:
    """One URL served by a view per HTTP method (``{"GET": ListView, "POST":
    "partners.api.views_write.CreateView"}``): reads and writes of a path live in different
    modules, each with its own authentication. A view named by a dotted path is imported on
    first use, so the path works (its other methods answer 405) before that module exists.
    HEAD and OPTIONS go to the GET view (or the first one)."""
    views: dict[str, Callable[..., HttpResponseBase]] = {}

    def callback_for(method: str) -> Callable[..., HttpResponseBase] | None:
        if method not in views:
            cls = resolve_view(targets[method])
            if cls is None:
                return None
            views[method] = cls.as_view()
        return views[method]

    @csrf_exempt  # like every DRF view: API callers authenticate with headers, not cookies
    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        method = (request.method or "GET").upper()
        available = [m for m in targets if callback_for(m) is not None]
        if method in ("HEAD", "OPTIONS") and method not in targets:
            method = "GET" if "GET" in available else (available[0] if available else method)
        callback = callback_for(method) if method in targets else None
        if callback is None:
            allowed = available + (["HEAD"] if "GET" in available else []) + ["OPTIONS"]
            return in_api_language(_method_not_allowed)(request, allowed)
        return callback(request, *args, **kwargs)

    dispatch.method_targets = dict(targets)  # type: ignore[attr-defined]  # for the schema
    return dispatch


@in_api_language
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """The answer to an address under /api/ that is no endpoint."""
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)

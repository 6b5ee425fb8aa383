"""CORS for the API (/api/…): which sites' pages may call it from a browser.

- **Anonymous reads are open**: an answer to a request without ``Authorization`` carries
  ``Access-Control-Allow-Origin: *``. The data is what anybody sees on Halle's public pages,
  nothing rides on cookies (the API ignores them), and each visitor's browser is held to the
  anonymous rate of its own address.
- **A partner key is bound to its sites**: an answer to a request with a key carries
  ``Access-Control-Allow-Origin: <origin>`` (and ``Vary: Origin``) only when the request's
  ``Origin`` is in the key's ``allowed_origins``. Any other site's page cannot read the
  answer, so a key copied into someone else's page is of no use to them there.
- **Anything else gets no CORS header**: a shop's ``Bearer`` token (tills and back-office
  software call the API from servers, never from a page), a key that is not valid.
- ``Access-Control-Allow-Credentials`` is never sent and origins are never reflected except
  from a key's allow-list.

A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) carries no key, so it is
answered from the allow-lists of all working keys: an origin listed by one of them may send
``Authorization`` (the answer to the real request then checks that key's own list); any
other origin is allowed the anonymous reads only (``GET``/``HEAD`` with the conditional
headers). Preflights are cached by browsers for ten minutes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from partners.models import PartnerKey
from partners.selectors.keys import origin_allowed_by_some_key

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ANONYMOUS_HEADERS = "If-None-Match, If-Modified-Since"
KEYED_HEADERS = "Authorization, If-None-Match, If-Modified-Since"
EXPOSED_HEADERS = "ETag, Last-Modified, Retry-After, WWW-Authenticate"
PREFLIGHT_MAX_AGE = "600"


@functools.cache
def api_prefix() -> str:
    """Where the API is mounted (``/api/``)."""
    return reverse("api:schema").removesuffix("schema/")


class ApiCorsMiddleware:
    """Adds the CORS headers of the module's docstring to the API's answers, and answers
    preflights itself (before sessions, CSRF or the view)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(api_prefix()):
            return self.get_response(request)
        origin = request.headers.get("Origin")
        if (
            origin
            and request.method == "OPTIONS"
            and "Access-Control-Request-Method" in request.headers
        ):
            return self.preflight(origin)
        response = self.get_response(request)
        patch_vary_headers(response, ("Origin",))
        if origin:
            allowed = self.allowed_origin(request, origin)
            if allowed:
                response["Access-Control-Allow-Origin"] = allowed
                response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response

    @staticmethod
    def allowed_origin(request: HttpRequest, origin: str) -> str | None:
        """The ``Access-Control-Allow-Origin`` of the answer to ``request``, or None."""
        key = getattr(request, "auth", None)
        if isinstance(key, PartnerKey):
            return origin if origin in key.allowed_origins else None
        if "Authorization" in request.headers:
            return None
        return "*"

    @staticmethod
    def preflight(origin: str) -> HttpResponse:
        response = HttpResponse(status=204)
        if origin_allowed_by_some_key(origin=origin):
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Headers"] = KEYED_HEADERS
        else:
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Allow-Headers"] = ANONYMOUS_HEADERS
        response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        patch_vary_headers(response, ("Origin",))
        return response

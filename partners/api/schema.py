"""The OpenAPI schema's generator: drf-spectacular's, taught that a path routed with
:func:`partners.api.base.by_method` is one operation per method, each documented by the view
that serves it (reads here, writes in their own module once it exists)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator

from partners.api.base import resolve_view


class MethodRoutesEnumerator(EndpointEnumerator):
    def _get_api_endpoints(self, patterns: Any, prefix: str) -> list[Any]:
        if patterns is None:
            patterns = self.patterns
        endpoints: list[Any] = []
        for pattern in patterns:
            path_regex = prefix + str(pattern.pattern)
            targets = getattr(getattr(pattern, "callback", None), "method_targets", None)
            if isinstance(pattern, URLPattern) and targets:
                path = self.get_path_from_regex(path_regex)
                for method, target in targets.items():
                    cls = resolve_view(target)
                    if cls is None:
                        continue  # not written yet: documented once it exists
                    callback = cls.as_view()
                    if self.should_include_endpoint(path, callback) and method in (
                        self.get_allowed_methods(callback)
                    ):
                        endpoints.append((path, path_regex, method, callback))
            else:  # the usual pattern (resolvers come back here for their own patterns)
                endpoints.extend(super()._get_api_endpoints([pattern], prefix))
        return endpoints


class HalleSchemaGenerator(SchemaGenerator):
    endpoint_inspector_cls = MethodRoutesEnumerator


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The API's error body (see docs/api.md, « Errors »).",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "example": "validation_error"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "example": {"min_price": ["A valid number is required."]},
                },
            },
        }
    },
}
_ERRORS = {
    "400": "A parameter or a field is not valid.",
    "401": "The key or token is not valid, or was revoked.",
    "404": "Not found, or outside the caller's scope.",
    "429": "Too many requests: wait for the seconds of `Retry-After`.",
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A drf-spectacular postprocessing hook: every operation documents the error body for
    the 4xx answers any endpoint may give, and reads their 304 Not Modified."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code, description in _ERRORS.items():
                responses.setdefault(code, {"description": description, "content": reference})
            if method == "get":
                responses.setdefault(
                    "304",
                    {
                        "description": "Not modified: the copy named by If-None-Match or "
                        "If-Modified-Since is current."
                    },
                )
    return result

"""Partner keys: ``Authorization: Api-Key <key>``.

Reads need no key (anonymous callers get the low anonymous rate); a key gives its own rate
and, for browsers, its own allowed origins (see :mod:`partners.api.cors`). A key of a
collective reads that collective only; a platform key reads every active collective, like
an anonymous caller. A key that does not exist or was revoked answers 401 — it never falls
back to anonymous access, so a partner notices at once that their key stopped working.

A request authenticated by a key has ``request.user`` anonymous (a key acts for no person:
selectors see it as the public) and ``request.auth`` the :class:`PartnerKey`.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from partners.models import PartnerKey
from partners.selectors.keys import partner_key_for_secret
from partners.services.keys import partner_key_touch

SCHEME = "Api-Key"


class PartnerKeyAuthentication(BaseAuthentication):
    """Finds the partner key of ``Authorization: Api-Key <key>``; other schemes (a shop's
    ``Bearer`` token) are left to their own authentication class."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, PartnerKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() != SCHEME.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as « Authorization: Api-Key <key> », with nothing else.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        key = partner_key_for_secret(secret=secret)
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        if not key.is_active:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        partner_key_touch(key=key)
        return AnonymousUser(), key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 to a bad key.
        return f'{SCHEME} realm="api"'


def partner_key_of(request: Request) -> PartnerKey | None:
    """The partner key the request was authenticated with, if any."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, PartnerKey) else None


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes partner keys."""

    target_class = PartnerKeyAuthentication
    name = "partnerKey"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A partner key, sent as `Authorization: Api-Key <key>`. Optional on reads: "
                "without it, calls are anonymous and limited to 60 a minute per address."
            ),
        }

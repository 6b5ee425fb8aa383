"""Shop tokens on the API: ``Authorization: Bearer <token>``, for the merchant write endpoints
only (set on those views, not as a default).

A token is looked up by its SHA-256. It writes as its creator (the services take a person as
``actor``), for its shop only: the views resolve every shop and product inside
``request.auth.merchant`` and answer 404 for anything else. A revoked token, an unknown one,
or one whose creator no longer works for the shop answers 401; a partner key
(``Api-Key …``) is read-only and answers 403 on a write.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User
from partners.models import MerchantToken
from partners.selectors.tokens import merchant_token_for_secret

KEYWORD = "Bearer"
PARTNER_KEY_KEYWORD = "Api-Key"
# ``last_used_at`` is written at most this often per token: the list page needs « today »,
# not a write on every call of a till syncing every minute.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def _scheme_and_credentials(request: Request) -> tuple[str, str]:
    header = get_authorization_header(request).decode("latin-1").strip()
    scheme, _space, credentials = header.partition(" ")
    return scheme, credentials.strip()


class MerchantTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` → (the token's creator, the token)."""

    def authenticate(self, request: Request) -> tuple[User, MerchantToken] | None:
        scheme, credentials = _scheme_and_credentials(request)
        if scheme.lower() != KEYWORD.lower():
            return None  # no credentials, or another scheme: HasMerchantToken decides
        if not credentials or " " in credentials:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: send « Bearer <token> ».")
            )
        token = merchant_token_for_secret(plaintext=credentials)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        creator = token.created_by
        if creator is None or not creator.is_active or not token.creator_on_staff:  # type: ignore[attr-defined]
            raise exceptions.AuthenticationFailed(
                _(
                    "The person who created this token no longer works for the shop: "
                    "an owner must create a new one."
                )
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            MerchantToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return creator, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 without credentials.
        return f'{KEYWORD} realm="api"'


class MerchantTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes shop tokens."""

    target_class = MerchantTokenAuthentication
    name = "shopToken"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A shop's token, created by its owners in « My shop › API » and sent as "
                "`Authorization: Bearer <token>`. Writes to that shop only."
            ),
        }


class HasMerchantToken(BasePermission):
    """The call carries a valid shop token. A partner key is read-only: 403 on a write;
    no credentials at all: 401."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if isinstance(request.auth, MerchantToken):
            return True
        scheme, _credentials = _scheme_and_credentials(request)
        if scheme.lower() == PARTNER_KEY_KEYWORD.lower():
            raise exceptions.PermissionDenied(
                _("Partner keys only read. Writes need a shop token: « Bearer <token> ».")
            )
        raise exceptions.NotAuthenticated(
            _("A shop token is required: « Authorization: Bearer <token> ».")
        )


def request_token(request: Request) -> MerchantToken:
    """The shop token of a request that passed :class:`HasMerchantToken`."""
    token = request.auth
    assert isinstance(token, MerchantToken)
    return token


def request_actor(request: Request) -> User:
    """The person a shop token writes as (its creator), for the services' ``actor``."""
    user = request.user
    assert isinstance(user, User)
    return user

"""A shop's API tokens (``Authorization: Bearer …``): created and revoked by the shop's owners.

A token is a random secret shown once, when it is created; the database keeps only its
SHA-256 (:func:`merchant_token_hash`) and its first characters, to recognise it in a list. A
leaked table therefore hands out no working token. A token writes as the person who created
it: it stops working if they no longer work for the shop (see
``partners.api.token_auth``), and when it is revoked.
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from merchants.models import Merchant
from merchants.permissions import can_manage_merchant
from partners.models import MerchantToken

# Every token starts with this, so that a secret scanner (or a person) recognises one pasted
# where it should not be.
TOKEN_PREFIX = "hmt_"  # noqa: S105 — a public marker, not a secret
# What the list shows of a token: the fixed prefix and the first random characters.
SHOWN_PREFIX_LENGTH = 12


def merchant_token_hash(plaintext: str) -> str:
    """The SHA-256 (hex) under which a token is stored and looked up. A token carries 256
    random bits: a fast hash is enough, there is nothing to brute-force."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def merchant_token_create(
    *, actor: User, merchant: Merchant, name: str
) -> tuple[MerchantToken, str]:
    """Create a token for the shop's till or software; owners only.

    Returns the token and its secret — the only time the secret exists: show it once.
    """
    require(can_manage_merchant(actor, merchant))
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = MerchantToken(
        merchant=merchant,
        name=name.strip(),
        prefix=plaintext[:SHOWN_PREFIX_LENGTH],
        token_hash=merchant_token_hash(plaintext),
        created_by=actor,
    )
    if not token.name:
        raise ValidationError(
            {"name": _("Give the token a name, e.g. the till that will use it.")},
            code="required",
        )
    token.full_clean(exclude=["token_hash"])
    token.save()
    return token, plaintext


@transaction.atomic
def merchant_token_revoke(*, actor: User, token: MerchantToken) -> MerchantToken:
    """Revoke a token of the shop; owners only. It answers 401 from the next request on.
    Revoking a revoked token changes nothing (its revocation date stays)."""
    require(can_manage_merchant(actor, token.merchant))
    MerchantToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    return token

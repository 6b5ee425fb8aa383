"""Every write to partner keys: creating one (the secret is returned once and never stored),
revoking one, and noting when one was last used.

A key is ``hk_`` followed by 43 random URL-safe characters (256 bits). Only its SHA-256 and
its first twelve characters (to recognise it in a list) are kept, so a leaked database hands
out no working key. Organisers create keys for their own collective; platform staff create
platform keys (every active collective), in the admin or with ``collective=None``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from collectives.models import Collective
from collectives.permissions import can_organise
from partners.models import PartnerKey

SECRET_PREFIX = "hk_"  # noqa: S105 -- the visible start of every key, not a secret
# The characters of the key kept in clear, to tell keys apart in a list (« hk_Jd8s0aPq… »).
SHOWN_PREFIX_LENGTH = 12
# The most requests per minute an organiser may give their collective's key; platform staff
# may go up to the database's limit. A higher rate for a collective is asked of the platform.
ORGANISER_MAX_RATE = 600
PLATFORM_MAX_RATE = 100_000
MAX_ORIGINS = 20
# ``last_used_at`` is written at most this often per key: a busy key costs no write per call.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    """The SHA-256 (hex) under which a key or token is stored and looked up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def can_manage_key(actor: User, key: PartnerKey) -> bool:
    """Organisers manage their collective's keys; platform staff manage every key."""
    if actor.is_staff:
        return True
    return key.collective is not None and can_organise(actor, key.collective)


def normalise_origin(value: str) -> str:
    """``value`` as a browser sends it in an ``Origin`` header (scheme, host and port when
    not the default, lower case, no path); ValidationError if it is not an origin."""
    text = value.strip().rstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme.lower() not in ("https", "http")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
        or "*" in text
    ):
        raise ValidationError(
            _("« %(origin)s » is not a site address such as https://www.mairie-exemple.fr.")
            % {"origin": value.strip()},
            code="invalid_origin",
        )
    scheme = parts.scheme.lower()
    default_port = 443 if scheme == "https" else 80
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, default_port) else f"{scheme}://{host}:{port}"


def clean_origins(origins: Iterable[str]) -> list[str]:
    """The distinct origins among ``origins`` (blank lines skipped), normalised; every
    problem at once, as a ValidationError on ``allowed_origins``."""
    cleaned: list[str] = []
    errors: list[ValidationError] = []
    for origin in origins:
        if not origin.strip():
            continue
        try:
            normalised = normalise_origin(origin)
        except ValidationError as error:
            errors.append(error)
            continue
        if normalised not in cleaned:
            cleaned.append(normalised)
    if len(cleaned) > MAX_ORIGINS:
        errors.append(
            ValidationError(
                _("At most %(count)d sites per key.") % {"count": MAX_ORIGINS},
                code="too_many_origins",
            )
        )
    if errors:
        raise ValidationError({"allowed_origins": errors})
    return cleaned


@transaction.atomic
def partner_key_create(
    *,
    actor: User,
    collective: Collective | None,
    name: str,
    allowed_origins: Iterable[str] = (),
    rate: int = ORGANISER_MAX_RATE,
) -> tuple[PartnerKey, str]:
    """Create a read key for ``collective`` (its organisers) or, with ``collective=None``, a
    platform key (platform staff); return the key and its secret, which is shown once and
    never stored.

    ``allowed_origins`` are the sites whose pages may call the API from a browser with this
    key (normalised to ``https://host``); ``rate`` is its requests per minute, at most
    :data:`ORGANISER_MAX_RATE` for an organiser's key.
    """
    if collective is None:
        require(actor.is_staff)
    else:
        require(actor.is_staff or can_organise(actor, collective))
    errors: dict[str, list[ValidationError]] = {}
    try:
        origins = clean_origins(allowed_origins)
    except ValidationError as error:
        origins = []
        errors.update(error.error_dict)
    highest = PLATFORM_MAX_RATE if actor.is_staff else ORGANISER_MAX_RATE
    if not 1 <= rate <= highest:
        errors.setdefault("rate_per_minute", []).append(
            ValidationError(
                _("Choose between 1 and %(highest)d requests per minute.") % {"highest": highest},
                code="rate_out_of_range",
            )
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    key = PartnerKey(
        name=name.strip(),
        collective=collective,
        allowed_origins=origins,
        rate_per_minute=rate,
        created_by=actor,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        key_hash=secret_hash(secret),
    )
    try:
        key.full_clean(exclude=["allowed_origins", "rate_per_minute"])
    except ValidationError as error:
        for field, messages in error.error_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    key.save()
    return key, secret


@transaction.atomic
def partner_key_revoke(*, actor: User, key: PartnerKey) -> PartnerKey:
    """Revoke ``key``: from now on it answers 401. Revoking a revoked key changes nothing."""
    require(can_manage_key(actor, key))
    locked = PartnerKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


def partner_key_touch(*, key: PartnerKey, now: dt.datetime | None = None) -> None:
    """Note that ``key`` was just used (the organiser's list shows when). Written at most
    once a minute per key, and never inside the caller's transaction: a conditional UPDATE
    of one row, skipped while a short-lived cache marker says it was done."""
    now = now or timezone.now()
    marker = f"partners:key-used:{key.pk}"
    if not cache.add(marker, 1, timeout=int(LAST_USED_PRECISION.total_seconds())):
        return
    PartnerKey.objects.filter(pk=key.pk, revoked_at__isnull=True).exclude(
        last_used_at__gt=now - LAST_USED_PRECISION
    ).update(last_used_at=now)
    key.last_used_at = now

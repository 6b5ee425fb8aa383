"""Reads of partner keys: the key a request presents, a collective's keys for its organisers,
and whether any key lets a site call the API from a browser."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from collectives.models import Collective
from partners.models import PartnerKey
from partners.services.keys import SECRET_PREFIX, secret_hash

# Longer than any key Halle makes: looked up without hashing a megabyte of header.
_MAX_SECRET_LENGTH = 100


def partner_key_for_secret(*, secret: str) -> PartnerKey | None:
    """The key whose secret is ``secret`` (revoked or not: the caller tells them apart),
    with its collective; None if there is none. One query by the stored hash."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > _MAX_SECRET_LENGTH:
        return None
    return (
        PartnerKey.objects.select_related("collective").filter(key_hash=secret_hash(secret)).first()
    )


def collective_partner_keys(*, collective: Collective) -> QuerySet[PartnerKey]:
    """The collective's keys for its organisers: the working ones first (newest first), then
    the revoked ones, kept for the record."""
    return (
        PartnerKey.objects.filter(collective=collective)
        .select_related("created_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def collective_partner_key(*, collective: Collective, key_id: int) -> PartnerKey:
    """One key of the collective; 404 if it belongs to another collective or the platform."""
    key = PartnerKey.objects.filter(collective=collective, pk=key_id).first()
    if key is None:
        raise Http404
    key.collective = collective
    return key


def origin_allowed_by_some_key(*, origin: str) -> bool:
    """Whether a working key lets ``origin`` (a browser's ``Origin`` header) call the API:
    what a CORS preflight, which carries no key, can be told."""
    return PartnerKey.objects.filter(
        revoked_at__isnull=True, allowed_origins__contains=[origin]
    ).exists()

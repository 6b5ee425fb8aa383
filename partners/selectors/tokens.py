"""Reads of shops' API tokens: the shop's list page, and the lookup of a token presented to
the API."""

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from merchants.models import Merchant, MerchantMember
from partners.models import MerchantToken
from partners.services.tokens import merchant_token_hash


def shop_tokens(*, merchant: Merchant) -> QuerySet[MerchantToken]:
    """The shop's tokens for its page: active ones first, newest first, with their creator
    (one query whatever their number)."""
    return (
        MerchantToken.objects.filter(merchant=merchant)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at", "-pk")  # NULL (active) sorts first
    )


def shop_token(*, merchant: Merchant, pk: int) -> MerchantToken:
    """One token of the shop; 404 if it belongs to another shop."""
    try:
        token = MerchantToken.objects.get(merchant=merchant, pk=pk)
    except MerchantToken.DoesNotExist:
        raise Http404 from None
    token.merchant = merchant
    return token


def merchant_token_for_secret(*, plaintext: str) -> MerchantToken | None:
    """The token whose secret is ``plaintext`` (revoked or not), with its shop and creator,
    annotated ``creator_on_staff``: whether its creator still works for the shop. One query;
    None if no token has this secret."""
    on_staff = MerchantMember.objects.filter(
        merchant_id=OuterRef("merchant_id"), user_id=OuterRef("created_by_id")
    )
    return (
        MerchantToken.objects.filter(token_hash=merchant_token_hash(plaintext))
        .select_related("merchant", "created_by")
        .annotate(creator_on_staff=Exists(on_staff))
        .first()
    )

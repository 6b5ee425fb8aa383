"""factory-boy factories for the partners app. Secrets are made here the way the services make
them, and the plaintext is left on the instance (``.plaintext``) for the test to send."""

import hashlib
import secrets

import factory
from factory.django import DjangoModelFactory

from partners.models import MerchantToken, PartnerKey, WebhookEndpoint
from tests.factories import CollectiveFactory, MerchantFactory


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class PartnerKeyFactory(DjangoModelFactory):
    """A partner key of a collective (``collective=None`` for a platform key); the secret to
    send as ``Authorization: Api-Key <secret>`` is ``key.plaintext`` (or pass ``plaintext=``)."""

    class Meta:
        model = PartnerKey

    name = factory.Sequence(lambda n: f"Site partenaire {n}")
    collective = factory.SubFactory(CollectiveFactory)
    allowed_origins = factory.LazyFunction(list)
    rate_per_minute = 600

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        plaintext = kwargs.pop("plaintext", None) or "hk_" + secrets.token_urlsafe(32)
        kwargs.setdefault("prefix", plaintext[:12])
        kwargs.setdefault("key_hash", _sha256(plaintext))
        obj = super()._create(model_class, *args, **kwargs)
        obj.plaintext = plaintext
        return obj


class MerchantTokenFactory(DjangoModelFactory):
    """A shop's API token; the secret to send as ``Authorization: Bearer <secret>`` is
    ``token.plaintext`` (hashed with SHA-256 hex like partner keys)."""

    class Meta:
        model = MerchantToken

    merchant = factory.SubFactory(MerchantFactory)
    name = factory.Sequence(lambda n: f"Caisse {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        plaintext = kwargs.pop("plaintext", None) or "hmt_" + secrets.token_urlsafe(32)
        kwargs.setdefault("prefix", plaintext[:12])
        kwargs.setdefault("token_hash", _sha256(plaintext))
        obj = super()._create(model_class, *args, **kwargs)
        obj.plaintext = plaintext
        return obj


class WebhookEndpointFactory(DjangoModelFactory):
    """A collective's webhook endpoint (pass ``collective=None, merchant=…`` for a shop's)."""

    class Meta:
        model = WebhookEndpoint

    collective = factory.SubFactory(CollectiveFactory)
    merchant = None
    url = factory.Sequence(lambda n: f"https://partenaire{n}.example.org/halle")
    events = factory.LazyFunction(lambda: ["product.created"])
    secret = factory.LazyFunction(lambda: secrets.token_urlsafe(32))

"""Fixtures shared by every test folder."""

import pytest

from tests.factories import MerchantMemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a throwaway folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and cached fragments of one test must not leak into the next."""
    from django.core.cache import cache

    # Only this run's keys (the prefix is per process): a concurrent run keeps its own.
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    for key in client.scan_iter(match=f"{cache.key_prefix}:*"):
        client.delete(key)
    return


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in French, the default: a request to an /en/ page activates English
    for the whole thread, which would otherwise leak into the next test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def owner(db):
    """A shop owner: ``owner.shop`` is their (active) shop."""
    member = MerchantMemberFactory(role="owner")
    member.user.shop = member.merchant
    return member.user


@pytest.fixture
def customer(db):
    return UserFactory()

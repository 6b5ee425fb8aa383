"""Tests: real PostgreSQL and Redis (config.devstack picks them), fast hashing, local e-mail."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-halle")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/halle")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from config.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
HALLE_SERVE_MEDIA = True  # browser tests look at real photos
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# The cache gets a Redis database of its own (1, or CACHE_URL) so that tests can flush it
# between them without touching the Celery broker's queues.
CACHES["default"]["LOCATION"] = env(  # noqa: F405
    "CACHE_URL",
    default=urlunsplit(urlsplit(REDIS_URL)._replace(path="/1")),  # noqa: F405
)
# Per process: two test runs at once on one machine (two checkouts, two terminals) neither share
# a test database nor clear each other's cache.
CACHES["default"]["KEY_PREFIX"] = f"halle-test-{os.getpid()}"  # noqa: F405
DATABASES["default"]["TEST"] = {"NAME": f"test_halle_{os.getpid()}"}  # noqa: F405

# Tests get their own broker database (2) so a developer's running worker never steals their
# tasks, and the integration test's real worker never sees anybody else's.
CELERY_BROKER_URL = env(  # noqa: F405
    "CELERY_BROKER_URL",
    default=urlunsplit(urlsplit(REDIS_URL)._replace(path="/2")),  # noqa: F405
)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
# Queues per test run too: two runs at once (two checkouts, two terminals) each have their own
# worker in the integration tests, and neither may take the other's tasks. The worker that a
# test starts is handed its parent's prefix through the environment.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405 -- base's bounded timeouts, kept
    "global_keyprefix": env(  # noqa: F405
        "HALLE_TEST_BROKER_PREFIX", default=f"halle-test-{os.getpid()}:"
    ),
}

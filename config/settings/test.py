"""Tests: real PostgreSQL and Redis (config.devstack picks them), fast hashing, local e-mail."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-halle")  # noqa: S105 -- test settings only
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/halle")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from config.settings.base import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "halle-test"  # noqa: F405

"""Development: `make run`. DATABASE_URL / REDIS_URL are set by config.devstack."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-not-secret-halle")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/halle")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

from config.settings.base import *  # noqa: F403

DEBUG = True
HALLE_SERVE_MEDIA = True  # production serves media from object storage, not Django
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

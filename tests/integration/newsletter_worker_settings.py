"""Settings of the Celery worker that tests/integration/test_newsletter_worker.py starts: the
test settings, with e-mails written to files in the test's folder.

The test settings' locmem backend keeps e-mails in the memory of the process that sends them
— the worker's, which the test cannot read. Django's file backend writes every message to
``EMAIL_FILE_PATH``, which the test then reads back, so what the worker handed to its mail
backend is counted from outside the worker."""

import os

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["HALLE_TEST_EMAIL_DIR"]

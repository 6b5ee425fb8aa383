"""The Celery application. Broker and result store are Redis (settings: CELERY_*)."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("halle")
app.config_from_object("django.conf:settings", namespace="CELERY")

# The queues of ARCHITECTURE.md: slow or bursty work never waits behind another kind.
app.conf.task_queues = (
    Queue("default"),
    Queue("notifications"),
    Queue("webhooks"),
    Queue("insights"),
)
app.conf.task_routes = {
    "notifications.*": {"queue": "notifications"},
    "partners.*": {"queue": "webhooks"},
    "insights.*": {"queue": "insights"},
}
app.autodiscover_tasks()

"""The Celery application. Broker and result store are Redis (settings: CELERY_*)."""

from celery import Celery
from kombu import Queue

# DJANGO_SETTINGS_MODULE is not defaulted here: this module is imported with the `config`
# package by every process, and a silent default would hide a missing setting. manage.py,
# wsgi/asgi and config.devstack set it; a production worker is started with it.

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

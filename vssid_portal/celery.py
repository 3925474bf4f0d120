"""The Celery application; tasks live in each app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vssid_portal.settings")

app = Celery("vssid_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="vssid_portal.ping")
def ping() -> str:
    """Answer a health check from operators and the test suite."""
    return "pong"

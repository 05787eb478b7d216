"""The Celery app, configured from Django settings (``CELERY_`` namespace).

Tasks live in each app's ``jobs`` module, so the ``tasks`` app never has a ``tasks/tasks.py``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")

app = Celery("learnflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")

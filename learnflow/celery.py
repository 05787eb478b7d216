"""The Celery app, configured from Django settings (``CELERY_`` namespace).

Tasks live in each app's ``jobs`` module, so the ``tasks`` app never has a ``tasks/tasks.py``.
"""

import logging
import os
import zlib

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")

logger = logging.getLogger(__name__)

#: The first key of the PostgreSQL advisory locks periodic jobs hold (the second is the job's).
ADVISORY_LOCK_NAMESPACE = 0x4C46  # "LF"


def advisory_lock_key(task_name: str) -> int:
    """The second key of the advisory lock a periodic job holds while it runs (a signed int4)."""
    return zlib.crc32(task_name.encode()) - 2**31


class LearnFlowTask(Task):
    """Every LearnFlow task. A periodic job (one of ``learnflow.schedules.PERIODIC_JOBS``) runs at most
    once at a time across all workers: it holds a PostgreSQL advisory lock named after it while it
    runs, and a run that finds the lock taken (a second beat started by mistake, a manual run beside
    the scheduled one) does nothing and answers ``None``. Runs one after the other are made harmless
    by the jobs themselves (state predicates, unique rows)."""

    def __call__(self, *args, **kwargs):
        from django.db import connection

        from learnflow.schedules import periodic_task_names

        if self.name not in periodic_task_names() or connection.vendor != "postgresql":
            return super().__call__(*args, **kwargs)
        key = advisory_lock_key(self.name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, key])
            (locked,) = cursor.fetchone()
        if not locked:
            logger.info("%s is already running elsewhere; this run does nothing", self.name)
            return None
        try:
            return super().__call__(*args, **kwargs)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, key])


app = Celery("learnflow", task_cls=LearnFlowTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")

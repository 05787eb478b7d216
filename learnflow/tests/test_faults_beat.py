"""Beat run twice (two beats started by mistake, or a manual run beside the scheduled one): each
periodic job runs once at a time, holding a PostgreSQL advisory lock named after it; a run that finds
it taken does nothing. Runs one after the other are harmless by each job's own rules (its tests)."""

import threading

import psycopg
import pytest

from learnflow.celery import ADVISORY_LOCK_NAMESPACE, advisory_lock_key, app
from learnflow.schedules import PERIODIC_JOBS
from learnflow.testing import _database_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("job", PERIODIC_JOBS, ids=lambda job: job.name)
def test_a_periodic_job_run_twice_at_once_takes_effect_once(job, monkeypatch):
    # given: the job's body, which the first run holds open until the second has tried
    app.loader.import_default_modules()
    task = app.tasks[job.task]
    started, release, runs = threading.Event(), threading.Event(), []

    def body(*args, **kwargs):
        runs.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return "done"

    monkeypatch.setattr(task, "run", body)
    results = {}

    def first_run():
        from django.db import connection

        try:
            results["first"] = task.apply().get()
        finally:
            connection.close()

    # when: a first run is under way, and a second starts beside it
    first = threading.Thread(target=first_run, name="first")
    first.start()
    assert started.wait(10)
    results["second"] = task.apply().get()
    release.set()
    first.join(10)
    # then: only the first ran
    assert results == {"first": "done", "second": None}
    assert runs == ["first"]
    # and the next run, once the first has finished, runs again
    assert task.apply().get() == "done"


def test_the_lock_is_the_one_another_process_would_take():
    # given: another process (a second beat's worker) running the reminders
    name = "tasks.send_task_reminders"
    lock = [ADVISORY_LOCK_NAMESPACE, advisory_lock_key(name)]
    with psycopg.connect(_database_url(), autocommit=True) as elsewhere:
        elsewhere.execute("SELECT pg_advisory_lock(%s, %s)", lock)
        # when / then: this run does nothing
        assert app.tasks[name].apply().get() is None
        elsewhere.execute("SELECT pg_advisory_unlock(%s, %s)", lock)
    # and once that one has finished, a run works (no reminder is due)
    assert app.tasks[name].apply().get() == 0

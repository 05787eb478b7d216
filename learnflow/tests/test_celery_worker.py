"""Background work goes through a real Celery worker on the real Redis broker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from accounts.models import Notification
from learnflow.celery import app


@pytest.fixture
def celery_worker(transactional_db):
    """A worker thread consuming from the test's Redis broker, tasks no longer run eagerly."""
    app.conf.task_always_eager = False
    app.loader.import_default_modules()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


def _wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_registration_welcome_runs_on_a_real_worker_after_commit(celery_worker, api_client):
    # when
    response = api_client.post(
        "/api/user/",
        {"username": "ada", "email": "ada@example.com", "password": "correct-Horse-battery-7"},
        format="json",
    )
    # then
    assert response.status_code == 201
    assert _wait_for(lambda: Notification.objects.filter(user__username="ada", kind="welcome").exists())
    assert _wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["ada@example.com"]
    assert mail.outbox[0].subject == "Welcome to LearnFlow"

"""Background work goes through a real Celery worker on the real Redis broker."""

import pytest
from django.core import mail

from accounts.models import Notification
from learnflow.testing import wait_for


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
    assert wait_for(lambda: Notification.objects.filter(user__username="ada", kind="welcome").exists())
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["ada@example.com"]
    assert mail.outbox[0].subject == "Welcome to LearnFlow"

"""Redis down, for real (a private redis-server the test stops): the API keeps answering, reads fall
back to the database, throttles let requests through, writes succeed, and the work they queue (jobs,
cache invalidations) is kept in the outbox and done once Redis is back and the relay runs."""

from datetime import timedelta

import pytest

from accounts.models import User
from learnflow.celery import app
from learnflow.models import OutboxJob
from learnflow.outbox import outbox_relay
from learnflow.testing import BrokerQueue, client_for
from tasks.tests.factories import GoalFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "correct-horse-battery-staple-42"


def test_health_names_the_cache_and_the_broker_when_redis_is_down(api_client, private_redis):
    # given
    private_redis.stop()
    # when
    response = api_client.get("/health/")
    # then
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "up"
    assert checks["cache"] == {"status": "down", "error": "ConnectionError"}
    assert checks["broker"] == {"status": "down", "error": "OperationalError"}
    # and once Redis is back
    private_redis.start()
    assert api_client.get("/health/").status_code == 200


def test_registration_succeeds_with_redis_down_and_its_welcome_runs_once_redis_is_back(
    api_client, private_redis, django_capture_on_commit_callbacks, mailoutbox, settings
):
    # given: Redis down (cache, throttles and broker)
    settings.LEARNFLOW_OUTBOX_RELAY_AFTER_SECONDS = 0
    private_redis.stop()
    # when: the registration is throttled through the cache and queues the welcome job
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/auth/register", {"username": "ada", "email": "ada@example.com", "password": STRONG_PASSWORD}
        )
    # then: the write committed and says so
    assert response.status_code == 201, response.content
    user = User.objects.get(username="ada")
    job = OutboxJob.objects.get()
    assert (job.task, job.args, job.sent_at, job.attempts) == ("accounts.welcome_user", [str(user.pk)], None, 1)
    assert "OperationalError" in job.last_error
    # and a relay while Redis is still down keeps the job
    assert outbox_relay() == {"sent": 0, "purged": 0}
    assert OutboxJob.objects.get().sent_at is None
    assert mailoutbox == []
    # when: Redis is back and the relay runs
    private_redis.start()
    assert outbox_relay() == {"sent": 1, "purged": 0}
    # then: the job was published once, and a worker running it sends the welcome
    queue = BrokerQueue(app)
    published = queue.take()
    assert published == [("accounts.welcome_user", [str(user.pk)])]
    queue.run(published)
    assert [mail.to for mail in mailoutbox] == [["ada@example.com"]]
    assert OutboxJob.objects.get().sent_at is not None
    assert outbox_relay() == {"sent": 0, "purged": 0}


def test_throttles_let_requests_through_while_redis_is_down(api_client, private_redis, settings):
    # given: a login limit of 2 per hour per IP, and Redis down
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_ip": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    private_redis.stop()
    # when
    statuses = [api_client.post("/api/token/", {"username": "x", "password": "y"}).status_code for _ in range(4)]
    # then: none refused (the limit cannot be counted), each an ordinary wrong-password answer
    assert statuses == [401] * 4


def test_summaries_stay_fresh_across_a_redis_outage(user, private_redis, django_capture_on_commit_callbacks, settings):
    # given: a cached weekly summary
    settings.LEARNFLOW_OUTBOX_RELAY_AFTER_SECONDS = 0
    client = client_for(user)
    GoalFactory(user=user)

    def log(hours: str):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/goals/1/progress/", {"progress": "p", "logged_hours": hours, "total_hours": "10:00:00"}
            )
        assert response.status_code == 201, response.content

    def total_hours() -> float:
        response = client.get("/api/summary/weekly/")
        assert response.status_code == 200, response.content
        return sum(week["total_hours"] for week in response.json())

    log("01:00:00")
    assert total_hours() == 1.0
    # when: Redis restarts (keeping its data), and a write happens while it is down
    private_redis.stop(save=True)
    log("02:00:00")
    # then: the read falls back to the database and sees the write
    assert total_hours() == 3.0
    invalidation = OutboxJob.objects.get(task="learnflow.cache_invalidate")
    assert invalidation.sent_at is None
    # when: Redis is back with its old entries, and the relay and a worker run
    private_redis.start()
    queue = BrokerQueue(app)
    assert outbox_relay()["sent"] == 1
    queue.run(queue.take())
    # then: the stale entry is gone
    assert total_hours() == 3.0


def test_relay_leaves_recent_jobs_to_their_own_publishing_and_purges_old_sent_ones(settings, celery_queue):
    # given
    from django.utils import timezone

    settings.LEARNFLOW_OUTBOX_RELAY_AFTER_SECONDS = 60
    settings.LEARNFLOW_OUTBOX_KEEP_SENT_HOURS = 24
    now = timezone.now()
    recent = OutboxJob.objects.create(task="learnflow.outbox_relay")
    stale = OutboxJob.objects.create(task="learnflow.sweep_orphaned_files")
    old_sent = OutboxJob.objects.create(task="learnflow.outbox_relay")
    OutboxJob.objects.filter(pk=stale.pk).update(created_at=now - timedelta(seconds=61))
    OutboxJob.objects.filter(pk=old_sent.pk).update(
        created_at=now - timedelta(hours=30), sent_at=now - timedelta(hours=25)
    )
    # when
    result = outbox_relay()
    # then
    assert result == {"sent": 1, "purged": 1}
    assert celery_queue.take() == [("learnflow.sweep_orphaned_files", [])]
    pending = {pk: sent_at is None for pk, sent_at in OutboxJob.objects.values_list("pk", "sent_at")}
    assert pending == {recent.pk: True, stale.pk: False}

"""PostgreSQL restarted under running processes (a private cluster the test stops for real): requests
fail fast with a JSON 503 while it is down, never hang, and gunicorn and a Celery worker work again
once it is back, without being restarted themselves."""

import time

import psycopg
import pytest

from accounts.tests.factories import UserFactory
from learnflow.celery import app
from learnflow.exceptions import ServiceUnavailableError
from learnflow.testing import PostgresServer, access_token_for, worker_process, wsgi_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def private_postgres():
    server = PostgresServer()
    yield server
    server.close()


def timed(server, *args, **kwargs):
    started = time.monotonic()
    answer = server.exchange(*args, **kwargs)
    return (*answer, time.monotonic() - started)


def test_gunicorn_answers_503_while_postgres_restarts_and_recovers_by_itself(tmp_path):
    # given: gunicorn on a private PostgreSQL holding a user, with warm persistent connections
    token = access_token_for(UserFactory())
    pg = PostgresServer()
    try:
        with wsgi_server(tmp_path / "gunicorn.log", DATABASE_URL=pg.url, DB_CONNECT_TIMEOUT="3") as server:
            assert server.request("GET", "/api/tasks/", token=token)[0] == 200
            # when: PostgreSQL goes down
            pg.stop()
            status, headers, body, seconds = timed(server, "GET", "/api/tasks/", token=token)
            # then: a JSON 503 the client may retry, answered quickly
            assert status == 503, body
            assert body == {
                "detail": ServiceUnavailableError.default_detail,
                "code": "service_unavailable",
            }
            assert headers["retry-after"] == "5"
            assert seconds < 5
            health, _, report, _ = timed(server, "GET", "/health/")
            assert health == 503 and report["checks"]["database"]["status"] == "down"
            # when: PostgreSQL is back
            pg.start()
            # then: the same gunicorn serves again (one request may still meet an old connection)
            statuses = [server.request("GET", "/api/tasks/", token=token)[0] for _ in range(3)]
            assert statuses[-1] == 200 and set(statuses) <= {200, 503}, statuses
            assert server.request("GET", "/health/")[0] == 200
    finally:
        pg.close()


def notifications(url: str, user_id) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT count(*) FROM accounts_notification WHERE user_id = %s", [user_id]
        ).fetchone()[0]


def test_a_worker_recovers_from_a_postgres_restart_by_itself(tmp_path, private_redis):
    # given: a worker on a private PostgreSQL and a private broker, that has run one job
    first, second = UserFactory(), UserFactory()
    pg = PostgresServer()
    try:
        with worker_process(tmp_path / "worker.log", DATABASE_URL=pg.url, CELERY_BROKER_URL=private_redis.url()):
            app.send_task("accounts.welcome_user", args=[str(first.pk)])
            assert wait_for_count(pg.url, first.pk)
            # when: PostgreSQL restarts, then a job arrives
            pg.stop()
            pg.start()
            app.send_task("accounts.welcome_user", args=[str(second.pk)])
            # then: the worker, not restarted, runs it
            assert wait_for_count(pg.url, second.pk)
    finally:
        pg.close()


def wait_for_count(url: str, user_id, timeout: float = 30) -> bool:
    from learnflow.testing import wait_for

    return wait_for(lambda: notifications(url, user_id) == 1, timeout)

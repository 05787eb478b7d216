"""Fixtures every app's tests share. Tests run against real PostgreSQL and Redis (see scripts/test.sh)."""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from learnflow.testing import client_for


def _redis_db_url(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def _xdist_worker_number() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker.startswith("gw") else 0


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Static files are not collected for tests: no manifest, and whitenoise looks them up lazily.
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.WHITENOISE_AUTOREFRESH = True
    # The API's user cache (accounts.authentication) is off, so every query-count test counts the
    # token's user lookup whether or not an earlier request of the test cached it;
    # accounts/tests/test_auth_user_cache.py turns it on and tests it.
    settings.LEARNFLOW_AUTH_USER_CACHE_SECONDS = 0
    if settings.REDIS_URL:
        # Each xdist worker gets its own Redis database (1-14), so cache.clear() never touches another's
        # keys; 15 is the smoke stage's (scripts/smoke.sh).
        redis_url = _redis_db_url(settings.REDIS_URL, 1 + _xdist_worker_number() % 14)
        for alias in settings.CACHES.values():
            alias["LOCATION"] = redis_url
        settings.CELERY_BROKER_URL = redis_url
    if "prefix" in settings.CHANNEL_LAYERS["default"].get("CONFIG", {}):
        # Redis pub/sub channels are not per database: each worker's live groups get their own prefix.
        settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"learnflow-test-{_xdist_worker_number()}"

    from learnflow.celery import app

    app.conf.update(task_always_eager=True, task_eager_propagates=True, broker_url=settings.CELERY_BROKER_URL)


@pytest.fixture(scope="session")
def schema_contract():
    from learnflow.testing import SchemaContract

    return SchemaContract()


@pytest.fixture(autouse=True)
def _responses_keep_the_schema(monkeypatch, schema_contract):
    """Every response an API test receives has a status its operation documents, and that status's
    documented body (a 500 is a failure of its own and never documented; 405 is about the path)."""
    request = APIClient.request

    def checked_request(self, **kwargs):
        response = request(self, **kwargs)
        path = kwargs.get("PATH_INFO", "")
        if path.startswith("/api/") and response.status_code not in (405, 500):
            schema_contract.check(kwargs["REQUEST_METHOD"], path, response)
        return response

    monkeypatch.setattr(APIClient, "request", checked_request)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _no_connection_left_in_the_async_thread():
    """Async tests (sockets) query through ``database_sync_to_async``, which runs in asgiref's one
    thread for thread-sensitive code: its connection is closed after each test, so none is left open
    when the test database is dropped."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def auth_client(user) -> APIClient:
    return client_for(user)


@pytest.fixture
def fake_openai(settings):
    """The AI service pointed at a local OpenAI-compatible server (see learnflow.testing.FakeOpenAI)."""
    from learnflow.testing import FakeOpenAI

    server = FakeOpenAI()
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = server.base_url
    settings.OPENAI_MODEL = "test-model"
    settings.LEARNFLOW_AI_TIMEOUT_SECONDS = 0.5
    settings.LEARNFLOW_AI_MAX_RETRIES = 2
    yield server
    server.close()


@pytest.fixture
def uvicorn_server(transactional_db, tmp_path):
    """uvicorn serving the real ASGI application in its own process (``learnflow.testing.asgi_server``):
    HTTP and WebSockets on a free loopback port, on the test's database and Redis. Yields an
    ``AsgiServer`` (``http_url``, ``ws_url``, ``log_path``, ``request()``)."""
    from django.db import connection

    from learnflow.testing import asgi_server

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("the real server shares the test's PostgreSQL database and Redis")
    with asgi_server(tmp_path / "uvicorn.log") as server:
        yield server


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server on loopback for the whole session (moto's server mode)."""
    from learnflow.testing import MotoS3

    server = MotoS3()
    yield server
    server.stop()


@pytest.fixture(params=["filesystem", "s3"])
def file_storage(request, settings, tmp_path):
    """Run the test once on each storage: the file system (under ``tmp_path``) and a fresh bucket of a
    real S3-compatible server on loopback. Yields a ``learnflow.testing.StoredFiles``."""
    from learnflow.testing import StoredFiles

    if request.param == "s3":
        server = request.getfixturevalue("s3_server")
        backend = server.storage_settings(server.new_bucket(), url_seconds=settings.LEARNFLOW_FILE_URL_SECONDS)
    else:
        backend = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        }
    # Assigning STORAGES sends setting_changed, on which Django drops its cached storages.
    settings.STORAGES = {**settings.STORAGES, "default": backend}
    return StoredFiles(kind=request.param)


@pytest.fixture
def celery_worker(transactional_db):
    """A worker thread consuming from the test's Redis broker, tasks no longer run eagerly."""
    from celery.contrib.testing.worker import start_worker

    from learnflow.celery import app

    app.conf.task_always_eager = False
    app.loader.import_default_modules()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def private_redis(settings, tmp_path):
    """A ``learnflow.testing.RedisServer`` of the test's own (it may stop it) serving the cache, the
    throttles and the Celery broker; Celery publishes for real (not eagerly) while it is in use."""
    from learnflow.celery import app
    from learnflow.testing import RedisServer

    server = RedisServer(tmp_path)
    settings.CACHES = {alias: {**config, "LOCATION": server.url()} for alias, config in settings.CACHES.items()}
    settings.CELERY_BROKER_URL = server.url()
    previous = app.conf.broker_url
    app.loader.import_default_modules()

    def use_broker(url: str, eager: bool) -> None:
        # The pools are kept by kombu per URL (closing one would close it for later tests too): the app
        # only forgets the ones it holds, and takes those of the new URL.
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.update(broker_url=url, task_always_eager=eager)

    use_broker(server.url(), eager=False)
    try:
        yield server
    finally:
        use_broker(previous, eager=True)
        server.stop()


@pytest.fixture
def celery_queue(transactional_db):
    """Celery not eager and no worker: ``.delay()`` only publishes to the test's Redis broker, so
    whatever a read shows right after a request, the request did by itself (with real commits).
    ``take()`` the published jobs to see what was left for a worker, and ``run()`` them to play it."""
    from learnflow.celery import app

    app.loader.import_default_modules()
    app.conf.task_always_eager = False
    from learnflow.testing import BrokerQueue

    queue = BrokerQueue(app)
    queue.take()
    try:
        yield queue
    finally:
        queue.take()
        app.conf.task_always_eager = True


@pytest.fixture
def redis_commands(monkeypatch):
    """The Redis commands sent while the test runs, each a round trip (no pipelines here)."""
    import redis

    sent = []
    execute = redis.Redis.execute_command

    def counted(self, *args, **options):
        sent.append(args[0])
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return sent

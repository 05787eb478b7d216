"""Helpers for tests of every app."""

import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

from asgiref.testing import ApplicationCommunicator
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken


def wait_for(predicate, timeout: float = 15.0) -> bool:
    """Poll ``predicate`` until it is true (for work done by a real worker thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def at_once(job, times: int = 2, timeout: float = 60) -> list:
    """Run ``job()`` in ``times`` threads released together, each with its own database connection
    (closed after), as overlapping runs of a periodic job would; returns their results. A run that
    raised fails the test, its exception in the assertion's message."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(job())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert errors == [], errors
    assert len(results) == times
    return results


def count_queries(client, path: str, data=None) -> int:
    """How many SQL queries a successful ``GET path`` costs (for constant-query-count tests)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(path, data)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


def access_token_for(user) -> str:
    return str(AccessToken.for_user(user))


def client_for(user) -> APIClient:
    """An API client that sends a real access token for ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
    return client


class LiveCommunicator(ApplicationCommunicator):
    """A WebSocket client for an ASGI application in the test's event loop (asgiref's communicator
    with the methods of Channels' ``WebsocketCommunicator``, whose module needs daphne to import).

    The server refuses a socket by accepting its handshake and closing it at once (so a browser can
    read the close code); ``connect()`` then answers ``(False, code)``, like a refused handshake, and
    has already let the application finish. Receiving waits 5 seconds by default (events cross Redis).
    """

    def __init__(self, application, path: str, headers=None, subprotocols=None):
        parsed = urlsplit(path)
        super().__init__(
            application,
            {
                "type": "websocket",
                "path": unquote(parsed.path),
                "raw_path": parsed.path.encode(),
                "query_string": parsed.query.encode(),
                "headers": headers or [],
                "subprotocols": subprotocols or [],
            },
        )
        self._held: list[dict] = []

    async def connect(self, timeout: float = 5) -> tuple[bool, str | int | None]:
        """``(True, selected subprotocol)`` when accepted, ``(False, close code)`` when refused."""
        await self.send_input({"type": "websocket.connect"})
        message = await self.receive_output(timeout)
        if message["type"] == "websocket.close":
            return False, message.get("code", 1000)
        assert message["type"] == "websocket.accept", message
        # A refusal's close is queued together with its accept (nothing is awaited between the two).
        if not self.output_queue.empty():
            following = self.output_queue.get_nowait()
            if following["type"] == "websocket.close":
                code = following.get("code", 1000)
                await self.disconnect(code, timeout)
                return False, code
            self._held.append(following)
        return True, message.get("subprotocol")

    async def receive_output(self, timeout: float = 5) -> dict:
        if self._held:
            return self._held.pop(0)
        return await super().receive_output(timeout)

    async def send_to(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Send one frame: text, or binary with ``bytes_data``."""
        if bytes_data is not None:
            await self.send_input({"type": "websocket.receive", "bytes": bytes_data})
        else:
            await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data) -> None:
        await self.send_to(text_data=json.dumps(data))

    async def receive_json_from(self, timeout: float = 5):
        """The next frame the server sends, decoded (fails if the server closes instead)."""
        message = await self.receive_output(timeout)
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def receive_nothing(self, timeout: float = 0.3, interval: float = 0.01) -> bool:
        return not self._held and await super().receive_nothing(timeout, interval)

    async def disconnect(self, code: int = 1000, timeout: float = 5) -> None:
        """The client closes: the application leaves its groups and finishes."""
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


async def ws_connect(
    path: str,
    *,
    user=None,
    token: str | None = None,
    subprotocol: bool = False,
    origin: str | None = None,
    timeout: float = 5,
) -> tuple[LiveCommunicator, bool, str | int | None]:
    """Open a WebSocket on the real ASGI application (``learnflow.asgi.application``), as a client would.

    The token is ``token`` if given, else a fresh access token for ``user``, else none. It is sent as
    the ``token`` query parameter, or with ``subprotocol=True`` as the subprotocols
    ``["learnflow.jwt", token]``. ``origin`` sets the ``Origin`` header (a browser's); none by default.

    Returns ``(communicator, connected, detail)``: ``detail`` is the close code when the socket was
    refused (4401, 4403, 4404), else the selected subprotocol (``"learnflow.jwt"`` or ``None``). End a
    connected socket with ``await communicator.disconnect()``. Tests that read the database from the
    application run with ``@pytest.mark.django_db(transaction=True)``: the consumer's queries run in
    another thread, on another connection, and see only committed rows. For example::

        ws, connected, _ = await ws_connect("/ws/notifications/", user=user)
        assert connected
        assert (await ws.receive_json_from())["type"] == "notifications.snapshot"
        await ws.send_json_to({"type": "ping"})
        assert (await ws.receive_json_from())["type"] == "pong"
        await ws.disconnect()
    """
    from learnflow.asgi import application
    from learnflow.live import SUBPROTOCOL

    if token is None and user is not None:
        token = access_token_for(user)
    subprotocols = None
    if token is not None and subprotocol:
        subprotocols = [SUBPROTOCOL, token]
    elif token is not None:
        path = f"{path}{'&' if '?' in path else '?'}{urlencode({'token': token})}"
    headers = [(b"origin", origin.encode())] if origin else []
    communicator = LiveCommunicator(application, path, headers=headers, subprotocols=subprotocols)
    connected, detail = await communicator.connect(timeout)
    return communicator, connected, detail


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class AsgiServer:
    """A running uvicorn (see ``asgi_server``): ``http_url`` and ``ws_url`` are its base URLs."""

    http_url: str
    ws_url: str
    log_path: Path

    def request(self, method: str, path: str, *, token: str | None = None, body=None) -> tuple[int, object]:
        """An HTTP request to the server, as a client sends it: ``(status, decoded JSON body or None)``."""
        status, _, content = self.exchange(method, path, token=token, body=body)
        return status, content

    def exchange(
        self, method: str, path: str, *, token: str | None = None, body=None, timeout: float = 10
    ) -> tuple[int, dict[str, str], object]:
        """``request``, answering ``(status, headers with lower-case names, decoded JSON body or None)``."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.http_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, answer_headers, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, content = error.code, error.headers, error.read()
        answer_headers = {name.lower(): value for name, value in answer_headers.items()}
        return status, answer_headers, json.loads(content) if content else None


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _server_env(**overrides: str) -> dict[str, str]:
    """The environment of a LearnFlow process started by a test: production settings on the test's
    database, Redis database (cache and broker) and channel-layer prefix, unless overridden."""
    from django.conf import settings

    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CHANNEL_LAYER_URL": settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"],
        "CHANNEL_LAYER_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "PYTHONUNBUFFERED": "1",
        **overrides,
    }


def _wait_for_port(process: subprocess.Popen, port: int, log_path: Path, startup_seconds: float) -> None:
    deadline = time.monotonic() + startup_seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, f"{process.args[:3]} did not start: " + log_path.read_text()
            time.sleep(0.1)


def _end(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def asgi_server(log_path: Path, startup_seconds: float = 30) -> Iterator[AsgiServer]:
    """uvicorn serving ``learnflow.asgi`` as production runs it (``DJANGO_DEBUG=0``, the Redis channel
    layer), in its own process on a free loopback port, on the test's PostgreSQL database, its Redis
    database (cache and broker) and its channel-layer prefix; its output goes to ``log_path``. The
    test's rows reach it only once committed (``django_db(transaction=True)``)."""
    from django.conf import settings

    port = free_port()
    env = _server_env()
    command = [
        sys.executable, "-m", "uvicorn", "learnflow.asgi:application", "--host", "127.0.0.1", "--port", str(port),
        "--lifespan", "off", "--ws-max-size", "1048576",
    ]  # fmt: skip
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(server, port, log_path, startup_seconds)
        yield AsgiServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", log_path)
    finally:
        _end(server)


@contextmanager
def wsgi_server(log_path: Path, startup_seconds: float = 30, **env: str) -> Iterator[AsgiServer]:
    """gunicorn serving ``learnflow.wsgi`` as production runs it (one gthread worker, two threads), in
    its own process on a free loopback port; like ``asgi_server`` on the test's database and Redis
    unless ``env`` overrides them (``DATABASE_URL=...``). Yields an ``AsgiServer`` (its HTTP side)."""
    from django.conf import settings

    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "learnflow.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--worker-class", "gthread", "--threads", "2", "--timeout", "30", "--no-control-socket",
    ]  # fmt: skip
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=_server_env(**env), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_for_port(server, port, log_path, startup_seconds)
        running = AsgiServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", log_path)
        # The worker loads Django on its first request: wait for it once, whatever it answers.
        running.exchange("GET", "/health/", timeout=startup_seconds)
        yield running
    finally:
        _end(server)


@dataclass
class WorkerProcess:
    """A running Celery worker (see ``worker_process``)."""

    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_for_log(self, text: str, timeout: float = 30) -> None:
        assert wait_for(lambda: text in self.log(), timeout), f"no {text!r} in the worker's log:\n{self.log()}"


@contextmanager
def worker_process(log_path: Path, **env: str) -> Iterator[WorkerProcess]:
    """A Celery worker as production runs it (``celery -A learnflow worker``, one process, the
    settings' acks-late options) in its own process group, on the test's database and broker unless
    ``env`` overrides them; its output goes to ``log_path``. Ready when the block starts."""
    from django.conf import settings

    command = [
        sys.executable, "-m", "celery", "-A", "learnflow", "worker", "--loglevel", "INFO", "--concurrency", "1",
        "--pool", "prefork", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", f"test-{os.getpid()}-{free_port()}@localhost",
    ]  # fmt: skip
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=_server_env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = WorkerProcess(process, log_path)
    try:
        deadline = time.monotonic() + 60
        while " ready." not in worker.log():
            assert process.poll() is None, worker.log()
            assert time.monotonic() < deadline, "the worker did not start:\n" + worker.log()
            time.sleep(0.1)
        yield worker
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class PostgresServer:
    """A private PostgreSQL cluster on a free loopback port holding a copy of the test database (its
    schema and committed rows, by ``pg_dump``), for tests that stop or restart PostgreSQL for real
    under running processes. ``url`` is its database URL; ``close()`` removes it."""

    def __init__(self):
        import glob
        import shutil
        import tempfile

        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
        pg_ctl = (bins and f"{bins[-1]}/pg_ctl") or shutil.which("pg_ctl")
        assert pg_ctl, "PostgreSQL's server programs (pg_ctl, initdb) are needed"
        self.bin = Path(pg_ctl).resolve().parent
        self.directory = Path(tempfile.mkdtemp(prefix="learnflow-pg-"))
        # PostgreSQL refuses to run as root: as root, run it as the postgres user.
        self.as_pg = []
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.url = f"postgres://learnflow@127.0.0.1:{self.port}/learnflow"
        try:
            self._run("initdb", "-D", self.data, "-U", "learnflow", "--auth=trust", "-E", "UTF8", "--no-locale", "-N")
            self.start()
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "learnflow", "learnflow")
            dump = subprocess.run(
                [self.bin / "pg_dump", "--no-owner", "--no-privileges", _database_url()],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(
                [self.bin / "psql", "-q", "-v", "ON_ERROR_STOP=1", self.url],
                input=dump,
                check=True,
                capture_output=True,
            )
        except BaseException:
            self.close()
            raise

    @property
    def data(self) -> str:
        return str(self.directory / "data")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_pg, self.bin / program, *args], check=True, capture_output=True)

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", self.data, "-l", str(self.directory / "server.log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        """A fast shutdown, as a restart does: every connection is ended."""
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def close(self) -> None:
        import shutil

        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


class FakeOpenAI:
    """A local OpenAI-compatible HTTP server for tests of the real ``openai`` client.

    ``reply`` is what chat completions answer: a dict (sent as the JSON content), a string (sent as
    raw content), an int status code (429, 500 ...) or ``("sleep", seconds)``. Replies put in
    ``queue`` are used first, one per request. Requests are kept in ``requests`` (parsed bodies).
    """

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        fake = self
        self.reply = {"summary": "ok"}
        self.queue: list = []
        self.requests: list[dict] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                fake.requests.append(json.loads(self.rfile.read(length) or b"{}"))
                reply = fake.queue.pop(0) if fake.queue else fake.reply
                if isinstance(reply, tuple) and reply[0] == "sleep":
                    time.sleep(reply[1])
                    reply = {"summary": "too late"}
                if isinstance(reply, int):
                    self._send(reply, {"error": {"message": f"status {reply}", "type": "test", "code": None}})
                    return
                content = reply if isinstance(reply, str) else json.dumps(reply)
                self._send(
                    200,
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "test-model",
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class BrokerQueue:
    """The jobs published to the test's Redis broker and not consumed by anybody."""

    def __init__(self, app):
        self.app = app

    def take(self) -> list[tuple[str, list]]:
        """Take every published job off the broker, oldest first, as ``(task name, args)``."""
        jobs = []
        with self.app.connection_for_write() as connection:
            queue = connection.SimpleQueue(self.app.conf.task_default_queue, no_ack=True)
            try:
                while True:
                    message = queue.get(block=False)
                    args, kwargs, _ = message.decode()
                    assert not kwargs, kwargs
                    jobs.append((message.headers["task"], args))
            except queue.Empty:
                pass
            finally:
                queue.close()
        return jobs

    def run(self, jobs: list[tuple[str, list]]) -> None:
        """Run taken jobs here, as a worker would (a failure raises)."""
        for name, args in jobs:
            self.app.tasks[name].apply(args=args, throw=True)


class SchemaContract:
    """The OpenAPI schema as a contract for every response the test suite receives: its status must
    be one the operation documents, and its body must match the documented shape for that status
    (the schema says what the code does, errors included)."""

    def __init__(self):
        import re

        import schemathesis
        from drf_spectacular.generators import SchemaGenerator

        document = SchemaGenerator().get_schema(request=None, public=True)
        self.schema = schemathesis.openapi.from_dict(document)
        self.operations = []
        for template, item in document["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", template.rstrip("/")) + "/?$")
            for method, operation in item.items():
                codes = {int(code) for code in operation["responses"] if code.isdigit()}
                self.operations.append((template.count("{"), pattern, method.upper(), template, codes))
        # A path matches the template with the fewest parameters first: /users/me before /users/{id}.
        self.operations.sort(key=lambda op: op[0])

    def check(self, method: str, path: str, response) -> None:
        """Raise when ``response`` to ``method path`` breaks the schema (a path it lacks is not checked)."""
        import requests
        from schemathesis.core.transport import Response

        if getattr(response, "streaming", False):
            # A streamed file is read here once and put back, so the test can still read it.
            content = b"".join(response.streaming_content)
            response.streaming_content = [content]
        else:
            content = response.content
        for _, pattern, op_method, template, codes in self.operations:
            if op_method == method and pattern.match(path):
                assert response.status_code in codes, (
                    f"{method} {path} answered {response.status_code}, but {method} {template} documents only "
                    f"{sorted(codes)}"
                )
                self.schema[template][method].validate_response(
                    Response(
                        status_code=response.status_code,
                        headers={name: [value] for name, value in response.items()},
                        content=content,
                        request=requests.Request(method, f"http://testserver{path}").prepare(),
                        elapsed=0.0,
                        verify=False,
                    )
                )
                return


class MotoS3:
    """A real S3-compatible server on a free loopback port: moto's server mode in a thread of the test
    process (one per xdist worker). ``new_bucket()`` gives each test a bucket of its own."""

    REGION = "us-east-1"
    KEYS = {"access_key": "testing", "secret_key": "testing"}

    def __init__(self):
        from moto.server import ThreadedMotoServer

        port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self._server.start()
        self._buckets = 0

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.REGION,
            aws_access_key_id=self.KEYS["access_key"],
            aws_secret_access_key=self.KEYS["secret_key"],
        )

    def new_bucket(self) -> str:
        self._buckets += 1
        bucket = f"learnflow-test-{os.getpid()}-{self._buckets}"
        self.client().create_bucket(Bucket=bucket)
        return bucket

    def storage_settings(self, bucket: str, *, url_seconds: int) -> dict:
        """``STORAGES["default"]`` as settings.py builds it for ``S3_BUCKET``, on this server."""
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": self.endpoint_url,
                "region_name": self.REGION,
                **self.KEYS,
                "querystring_auth": True,
                "querystring_expire": url_seconds,
                "file_overwrite": False,
                "default_acl": None,
                "transfer_config": TransferConfig(multipart_threshold=5 * 1024**3),
                "client_config": Config(
                    connect_timeout=2,
                    read_timeout=10,
                    retries={"max_attempts": 2, "mode": "standard"},
                    signature_version="s3v4",
                    s3={"addressing_style": "path"},
                ),
            },
        }

    def stop(self) -> None:
        self._server.stop()


@dataclass
class StoredFiles:
    """The storage a test's uploads go to (the ``file_storage`` fixture): ``kind`` is ``"filesystem"``
    or ``"s3"``; the methods look at what is stored and fetch URLs the API hands out, as a browser
    would, whichever the storage."""

    kind: str

    @property
    def storage(self):
        from django.core.files.storage import storages

        return storages["default"]

    def names(self, prefix: str = "") -> list[str]:
        """Every stored object's name under ``prefix``, sorted."""
        storage = self.storage
        if self.kind == "s3":
            return sorted(obj.key for obj in storage.bucket.objects.filter(Prefix=prefix))
        root = Path(storage.location)
        return sorted(
            str(path.relative_to(root))
            for path in root.rglob("*")
            if path.is_file() and str(path.relative_to(root)).startswith(prefix)
        )

    def read(self, name: str) -> bytes:
        with self.storage.open(name, "rb") as file:
            return file.read()

    @contextmanager
    def unavailable(self, settings) -> Iterator[None]:
        """Inside, the storage fails as it does in production: S3 at a loopback port where nothing
        listens (connection refused); the file system refuses to grow any file of this process past
        2 KB (``EFBIG`` mid-write, as a full disk does). ``settings`` is pytest-django's fixture."""
        if self.kind == "s3":
            working = settings.STORAGES
            dead = {**working["default"]["OPTIONS"], "endpoint_url": f"http://127.0.0.1:{free_port()}"}
            settings.STORAGES = {**working, "default": {**working["default"], "OPTIONS": dead}}
            try:
                yield
            finally:
                settings.STORAGES = working
            return
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, hard))
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            signal.signal(signal.SIGXFSZ, previous)

    def fetch(self, url: str) -> tuple[int, dict, bytes]:
        """GET ``url`` without a token, following redirects to the storage: ``(status, headers, body)``
        of the last answer (headers with lower-case names)."""
        from django.test import Client

        client = Client()
        for _ in range(5):
            if url.startswith("/"):
                response = client.get(url)
                status, headers = response.status_code, {k.lower(): v for k, v in response.items()}
                body = b"".join(response.streaming_content) if response.streaming else response.content
            else:
                try:
                    with urllib.request.urlopen(url, timeout=10) as answer:
                        status, headers, body = (
                            answer.status,
                            {k.lower(): v for k, v in answer.headers.items()},
                            answer.read(),
                        )
                except urllib.error.HTTPError as error:
                    status, headers, body = error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()
            if status in (301, 302, 303, 307) and "location" in headers:
                url = headers["location"]
                continue
            return status, headers, body
        raise AssertionError(f"too many redirects from {url}")


def image_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (800, 600), *, mode: str = "RGB", colour="red", **save
) -> bytes:
    """A real image file of ``fmt`` (``JPEG``, ``PNG``, ``WEBP``, ``GIF`` ...) for upload tests; extra
    keyword arguments go to Pillow's ``save`` (``exif=...``)."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new(mode, size, colour).save(out, format=fmt, **save)
    return out.getvalue()


def png_with_gps(size: tuple[int, int] = (900, 600)) -> bytes:
    """A PNG whose EXIF says which camera took it and where (what an upload must never serve)."""
    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    return image_bytes("PNG", size, colour="green", exif=exif)


def upload(content: bytes, name: str = "upload.jpg", content_type: str = "image/jpeg"):
    """A file for a multipart request body, with the name and Content-Type a client would claim."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


class RedisServer:
    """A private ``redis-server`` on a free loopback port, for tests that stop Redis for real:
    ``stop()`` kills it (connections are refused, as when Redis is down) and ``start()`` brings it back
    on the same port, empty; ``stop(save=True)`` shuts it down saving its data, which ``start()`` loads
    again (a restart of a persistent Redis). ``url(db)`` is its URL."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 10) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            assert self.process.poll() is None, (self.directory / "redis.log").read_text()
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self, *, save: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            if save:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as connection:
                    connection.sendall(b"SHUTDOWN SAVE\r\n")
                    connection.recv(64)
            else:
                (self.directory / "dump.rdb").unlink(missing_ok=True)
                self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    @contextmanager
    def down(self, *, save: bool = False) -> Iterator[None]:
        """Redis is down inside the block and back after it (with its data if ``save``)."""
        self.stop(save=save)
        try:
            yield
        finally:
            self.start()


def without_parameter(response, parameter: str) -> dict:
    """The answer's JSON with ``parameter`` taken out of its page links (``next``, ``previous``): to
    compare a list read with a parameter that changes nothing against the list read without it."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    body = response.json()
    for link in ("next", "previous"):
        if body.get(link):
            url = urlsplit(body[link])
            kept = [(key, value) for key, value in parse_qsl(url.query, keep_blank_values=True) if key != parameter]
            body[link] = urlunsplit(url._replace(query=urlencode(kept)))
    return body

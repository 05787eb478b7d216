"""The real ASGI server: uvicorn serving ``learnflow.asgi`` in its own process, on the test's database
and Redis, reached over a real WebSocket on loopback with the ``websockets`` client."""

import json
import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from accounts.services import notification_create
from learnflow.testing import access_token_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def uvicorn_server(tmp_path):
    """uvicorn as production runs it, on a free loopback port; yields ``(base ws url, log path)``."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("the real server shares the test's PostgreSQL database and Redis")
    port = free_port()
    log_path = tmp_path / "uvicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "CHANNEL_LAYER_URL": settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"],
        "CHANNEL_LAYER_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "uvicorn", "learnflow.asgi:application", "--host", "127.0.0.1", "--port", str(port),
        "--lifespan", "off", "--ws-max-size", "1048576",
    ]  # fmt: skip
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "uvicorn did not start: " + log_path.read_text()
                time.sleep(0.1)
        yield f"ws://127.0.0.1:{port}", log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def receive(ws) -> dict:
    return json.loads(ws.recv(timeout=10))


def test_real_server_pushes_a_new_notification_and_never_logs_the_token(uvicorn_server, user):
    base, log_path = uvicorn_server
    token = access_token_for(user)

    # a token in the query string: snapshot, ping, then a notification created here, pushed through Redis
    with connect(f"{base}/ws/notifications/?token={token}", open_timeout=10) as ws:
        assert receive(ws)["type"] == "notifications.snapshot"
        ws.send(json.dumps({"type": "ping"}))
        assert receive(ws)["type"] == "pong"
        ws.send("not json")
        assert receive(ws)["code"] == "invalid_json"
        notification_create(user=user, title="Pushed over a real socket")
        event = receive(ws)
        assert event["type"] == "notification.created"
        assert event["notification"]["title"] == "Pushed over a real socket"
        assert event["unread_count"] == 1

    # the token as a subprotocol
    with connect(f"{base}/ws/notifications/", subprotocols=["learnflow.jwt", token], open_timeout=10) as ws:
        assert ws.subprotocol == "learnflow.jwt"
        snapshot = receive(ws)
        assert (snapshot["type"], snapshot["unread_count"]) == ("notifications.snapshot", 1)

    # refusals carry their close code to the client
    for path, code in (("/ws/notifications/?token=garbage", 4401), (f"/ws/nowhere/?token={token}", 4404)):
        with connect(base + path, open_timeout=10) as ws, pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd.code == code

    time.sleep(0.3)
    log = log_path.read_text()
    assert "/ws/notifications/?token=[redacted]" in log
    assert token not in log
    assert token.split(".")[2] not in log
    assert "Traceback" not in log and "ERROR" not in log, log

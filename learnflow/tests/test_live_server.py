"""The real ASGI server: uvicorn serving ``learnflow.asgi`` in its own process, on the test's database
and Redis, reached over a real WebSocket on loopback with the ``websockets`` client."""

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from accounts.services import notification_create
from learnflow.testing import access_token_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def receive(ws) -> dict:
    return json.loads(ws.recv(timeout=10))


def test_real_server_pushes_a_new_notification_and_never_logs_the_token(uvicorn_server, user):
    base, log_path = uvicorn_server.ws_url, uvicorn_server.log_path
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

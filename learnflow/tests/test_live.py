"""The live transport (learnflow.live) through the real ASGI application: authentication, refusals,
origins, client frames and sending after commit. ``/ws/notifications/`` is the socket under test."""

import asyncio
import datetime as dt
import json
import logging
import socket
import time

import jwt
import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import NotificationFactory, UserFactory
from learnflow import live
from learnflow.asgi import application
from learnflow.logging import RedactTokens
from learnflow.testing import LiveCommunicator, access_token_for, ws_connect

PATH = "/ws/notifications/"
#: The consumer reads the database from another thread: it sees committed rows only. Refusals that
#: never reach the database (no token, a bad one, a foreign origin) run without it, which also proves
#: that they cost no query.
live_db = pytest.mark.django_db(transaction=True)


async def open_socket(user, **kwargs):
    """A connected socket, its snapshot already read."""
    ws, connected, detail = await ws_connect(PATH, user=user, **kwargs)
    assert connected, detail
    assert (await ws.receive_json_from())["type"] == "notifications.snapshot"
    return ws


def parse_time(value: str) -> dt.datetime:
    assert value.endswith("Z"), value
    return dt.datetime.fromisoformat(value)


# --- authentication -------------------------------------------------------------------------------


@live_db
async def test_access_token_as_query_parameter_opens_the_socket(user):
    # when
    ws, connected, subprotocol = await ws_connect(PATH, user=user)
    # then
    assert connected
    assert subprotocol is None
    snapshot = await ws.receive_json_from()
    assert snapshot["type"] == "notifications.snapshot"
    assert abs(parse_time(snapshot["server_time"]) - timezone.now()) < dt.timedelta(seconds=30)
    await ws.disconnect()


@live_db
async def test_access_token_as_subprotocol_opens_the_socket_and_selects_learnflow_jwt(user):
    # when
    ws, connected, subprotocol = await ws_connect(PATH, user=user, subprotocol=True)
    # then
    assert connected
    assert subprotocol == "learnflow.jwt"
    assert (await ws.receive_json_from())["type"] == "notifications.snapshot"
    await ws.disconnect()


@live_db
async def test_subprotocol_token_counts_over_the_query_parameter(user):
    # given: a browser that offers the token as subprotocol and some stale token in the URL
    token = access_token_for(user)
    ws = LiveCommunicator(application, f"{PATH}?token=stale", subprotocols=["learnflow.jwt", token])
    # when
    connected, subprotocol = await ws.connect()
    # then
    assert (connected, subprotocol) == (True, "learnflow.jwt")
    await ws.disconnect()


@live_db
async def test_trailing_slash_is_optional(user):
    ws, connected, _ = await ws_connect("/ws/notifications", user=user)
    assert connected
    await ws.disconnect()


@pytest.mark.parametrize("subprotocol", [False, True])
async def test_socket_without_token_is_refused_with_4401(subprotocol):
    # given: no query parameter, or a browser offering the subprotocol with nothing after it
    subprotocols = ["learnflow.jwt"] if subprotocol else None
    ws = LiveCommunicator(application, PATH, subprotocols=subprotocols)
    # when
    connected, code = await ws.connect()
    # then
    assert (connected, code) == (False, 4401)


async def test_refusal_selects_the_offered_subprotocol_so_a_browser_can_read_the_code():
    ws = LiveCommunicator(application, PATH, subprotocols=["learnflow.jwt", "not-a-token"])
    # when
    await ws.send_input({"type": "websocket.connect"})
    accept = await ws.receive_output()
    close = await ws.receive_output()
    # then
    assert accept == {"type": "websocket.accept", "subprotocol": "learnflow.jwt"}
    assert close == {"type": "websocket.close", "code": 4401}
    await ws.disconnect()


@pytest.mark.parametrize("subprotocol", [False, True])
async def test_garbage_token_is_refused_with_4401(subprotocol):
    _, connected, code = await ws_connect(PATH, token="not.a.jwt", subprotocol=subprotocol)
    assert (connected, code) == (False, 4401)


async def test_token_signed_with_another_key_is_refused_with_4401():
    # given
    user = UserFactory.build()
    payload = {"token_type": "access", "exp": int(time.time()) + 600, "jti": "x", "user_id": str(user.pk)}
    forged = jwt.encode(payload, "not-the-secret-key-not-the-secret-key", algorithm="HS256")
    # when
    _, connected, code = await ws_connect(PATH, token=forged)
    # then
    assert (connected, code) == (False, 4401)


async def test_expired_token_is_refused_with_4401():
    # given
    user = UserFactory.build()
    token = access_token_for(user)
    # when
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        _, connected, code = await ws_connect(PATH, token=token)
    # then
    assert (connected, code) == (False, 4401)


@live_db
async def test_refresh_token_is_not_an_access_token(user):
    refresh = await database_sync_to_async(RefreshToken.for_user)(user)
    _, connected, code = await ws_connect(PATH, token=str(refresh))
    assert (connected, code) == (False, 4401)


@live_db
async def test_inactive_user_is_refused_with_4401(user):
    # given
    token = access_token_for(user)
    user.is_active = False
    await database_sync_to_async(user.save)(update_fields=["is_active"])
    # when
    _, connected, code = await ws_connect(PATH, token=token)
    # then
    assert (connected, code) == (False, 4401)


@live_db
async def test_deleted_user_is_refused_with_4401(user):
    # given
    token = access_token_for(user)
    await database_sync_to_async(user.delete)()
    # when
    _, connected, code = await ws_connect(PATH, token=token)
    # then
    assert (connected, code) == (False, 4401)


@live_db
@pytest.mark.parametrize("path", ["/ws/nothing-here/", "/ws/", "/", "/api/tasks/", "/ws/notifications/extra/"])
async def test_unknown_path_is_refused_with_4404(user, path):
    _, connected, code = await ws_connect(path, user=user)
    assert (connected, code) == (False, 4404)


# --- origin ---------------------------------------------------------------------------------------


@live_db
@pytest.mark.parametrize("origin", ["https://app.example.com", "http://localhost:5173", "http://127.0.0.1:8000"])
async def test_browser_socket_from_the_spa_or_this_site_opens(settings, user, origin):
    # given: the SPA's origin, and hosts this site answers for
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    # when
    ws, connected, detail = await ws_connect(PATH, user=user, origin=origin)
    # then
    assert connected, detail
    await ws.disconnect()


@pytest.mark.parametrize("origin", ["https://evil.example.net", "null", "https://app.example.com.evil.net"])
async def test_browser_socket_from_a_foreign_origin_is_refused_with_4403(settings, origin):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    settings.ALLOWED_HOSTS = ["localhost"]
    _, connected, code = await ws_connect(PATH, user=UserFactory.build(), origin=origin)
    assert (connected, code) == (False, 4403)


# --- client frames --------------------------------------------------------------------------------


@live_db
async def test_ping_is_answered_with_pong_and_server_time(user):
    # given
    ws = await open_socket(user)
    # when
    await ws.send_json_to({"type": "ping"})
    # then
    pong = await ws.receive_json_from()
    assert set(pong) == {"type", "server_time"}
    assert pong["type"] == "pong"
    assert abs(parse_time(pong["server_time"]) - timezone.now()) < dt.timedelta(seconds=30)
    await ws.disconnect()


MALFORMED = [
    pytest.param({"text_data": "not json"}, "invalid_json", id="not-json"),
    pytest.param({"text_data": " "}, "invalid_json", id="blank"),
    pytest.param({"text_data": '{"type": "ping", "n": NaN}'}, "invalid_json", id="nan"),
    pytest.param({"text_data": "[1, 2]"}, "invalid_message", id="array"),
    pytest.param({"text_data": '"ping"'}, "invalid_message", id="string"),
    pytest.param({"text_data": "{}"}, "invalid_message", id="no-type"),
    pytest.param({"text_data": '{"type": 7}'}, "invalid_message", id="type-not-a-string"),
    pytest.param({"text_data": '{"type": ""}'}, "invalid_message", id="empty-type"),
    pytest.param({"text_data": '{"type": "launch.rocket"}'}, "unknown_type", id="unknown-type"),
    pytest.param({"bytes_data": b'{"type": "ping"}'}, "binary_frame", id="binary"),
    pytest.param(
        {"text_data": json.dumps({"type": "ping", "pad": "x" * live.MAX_MESSAGE_BYTES})}, "too_large", id="too-large"
    ),
    pytest.param({"text_data": '{"type": "ping", "a": ' + "[" * 5000 + "]" * 5000 + "}"}, "too_deep", id="too-deep"),
]


@live_db
@pytest.mark.parametrize(("frame", "code"), MALFORMED)
async def test_a_frame_the_server_cannot_take_gets_an_error_frame_and_the_socket_stays_usable(user, frame, code):
    # given
    ws = await open_socket(user)
    # when
    await ws.send_to(**frame)
    # then
    error = await ws.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] == code
    assert error["detail"]
    assert "server_time" in error
    await ws.send_json_to({"type": "ping"})
    assert (await ws.receive_json_from())["type"] == "pong"
    await ws.disconnect()


@live_db
async def test_malformed_frames_on_one_socket_do_not_disturb_another(user, other_user):
    # given
    noisy = await open_socket(user)
    quiet = await open_socket(other_user)
    # when
    for frame in ("{", "[]", "null", '{"type": "nope"}'):
        await noisy.send_to(text_data=frame)
        assert (await noisy.receive_json_from())["type"] == "error"
    await database_sync_to_async(NotificationFactory)(user=other_user, title="Still here")
    # then
    assert await quiet.receive_nothing() is True
    await quiet.send_json_to({"type": "ping"})
    assert (await quiet.receive_json_from())["type"] == "pong"
    await noisy.disconnect()
    await quiet.disconnect()


# --- sending after commit -------------------------------------------------------------------------


def test_group_names_are_valid_channel_layer_groups():
    assert (
        live.group_name("room", "6f1c1b1e-3b7a-4c1e-9a57-0a8b8f9c2d11") == "room.6f1c1b1e-3b7a-4c1e-9a57-0a8b8f9c2d11"
    )
    assert live.group_name("user", 5) == "user.5"
    for kind, key in (("room", "a b"), ("ro.om", 1), ("room", "x.y"), ("room", ""), ("", 1), ("room", "x" * 100)):
        with pytest.raises(ValueError):
            live.group_name(kind, key)


async def next_event(ws) -> dict:
    return await ws.receive_json_from()


@live_db
async def test_send_after_commit_reaches_the_group_with_server_time_and_the_callers_seq(user):
    # given
    ws = await open_socket(user)
    group = live.group_name("notifications", user.pk)
    # when
    await database_sync_to_async(live.send_after_commit)(group, {"type": "timer.changed", "seq": 7, "left": 60})
    # then
    event = await next_event(ws)
    assert event["type"] == "timer.changed"
    assert event["seq"] == 7
    assert event["left"] == 60
    parse_time(event["server_time"])
    await ws.disconnect()


@live_db
async def test_a_group_event_reaches_the_socket_while_the_sync_thread_is_busy(user):
    """Delivering an event touches no database, so it never waits behind the database work of other
    sockets (connects, presence) in the one thread that a process's sync code shares."""
    # given: a socket, and the shared sync thread busy for 2 seconds
    ws = await open_socket(user)
    busy = asyncio.ensure_future(sync_to_async(time.sleep)(2))
    await asyncio.sleep(0.05)
    # when
    event = {"type": "timer.changed", "seq": 1, "server_time": "2030-01-01T00:00:00Z"}
    await get_channel_layer().group_send(
        live.group_name("notifications", user.pk), {"type": "live.event", "event": event}
    )
    # then
    assert await ws.receive_json_from(timeout=1) == event
    assert not busy.done()
    await busy
    await ws.disconnect()


@live_db
async def test_send_after_commit_waits_for_the_commit_and_drops_a_rollback(user):
    # given
    ws = await open_socket(user)
    group = live.group_name("notifications", user.pk)

    def rolled_back_then_committed():
        with transaction.atomic():
            live.send_after_commit(group, {"type": "first"})
            transaction.set_rollback(True)
        with transaction.atomic():
            live.send_after_commit(group, {"type": "second"})
            assert not sent, "sent before the commit"

    sent = []
    # when
    await database_sync_to_async(rolled_back_then_committed)()
    # then
    assert (await next_event(ws))["type"] == "second"
    assert await ws.receive_nothing() is True
    await ws.disconnect()


@live_db
async def test_send_after_commit_builds_a_callable_message_after_the_commit(user):
    # given
    ws = await open_socket(user)
    group = live.group_name("notifications", user.pk)
    stamp = "2030-01-01T00:00:00Z"

    def send():
        live.send_after_commit(group, lambda: None)
        live.send_after_commit(group, lambda: {"type": "built", "id": user.pk, "server_time": stamp})

    # when
    await database_sync_to_async(send)()
    # then: nothing for None; UUIDs made JSON-safe; a server_time given is kept
    assert await next_event(ws) == {"type": "built", "id": str(user.pk), "server_time": stamp}
    await ws.disconnect()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_layer(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": url, "socket_connect_timeout": 1}]},
        }
    }


@pytest.mark.django_db
def test_rest_request_succeeds_when_redis_for_live_events_is_down(
    settings, auth_client, user, caplog, django_capture_on_commit_callbacks
):
    # given: nothing listens where the channel layer points
    settings.CHANNEL_LAYERS = redis_layer(f"redis://127.0.0.1:{closed_port()}/0")
    NotificationFactory(user=user)
    # when
    with caplog.at_level(logging.ERROR, logger="learnflow.live"), django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post("/api/notifications/read-all")
    # then
    assert response.status_code == 200
    assert response.json() == {"marked_read": 1}
    assert "live event notifications.unread for group notifications." in caplog.text


@pytest.mark.django_db
def test_rest_request_is_not_held_up_by_a_redis_that_never_answers(
    settings, auth_client, user, caplog, django_capture_on_commit_callbacks
):
    # given: a server that accepts connections and never answers
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        settings.CHANNEL_LAYERS = redis_layer(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        settings.LEARNFLOW_LIVE_SEND_TIMEOUT_SECONDS = 0.5
        NotificationFactory(user=user)
        started = time.monotonic()
        # when
        with caplog.at_level(logging.ERROR, logger="learnflow.live"), django_capture_on_commit_callbacks(execute=True):
            response = auth_client.post("/api/notifications/read-all")
        # then
        assert response.status_code == 200
        assert time.monotonic() - started < 5
        assert "was not sent" in caplog.text


# --- logs -----------------------------------------------------------------------------------------


def test_tokens_are_redacted_from_log_records():
    # given
    token = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiMSJ9.c2lnbmF0dXJl"
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]', ("127.0.0.1:5", None), None
    )
    record.args = ("127.0.0.1:5", f"/ws/notifications/?token={token}&x=1")
    other = logging.LogRecord("x", logging.INFO, __file__, 1, "bearer %s", (token,), None)
    # when
    RedactTokens().filter(record)
    RedactTokens().filter(other)
    # then
    assert record.getMessage() == '127.0.0.1:5 - "WebSocket /ws/notifications/?token=[redacted]&x=1" [accepted]'
    assert other.getMessage() == "bearer [redacted]"

"""A focus room through the real ASGI server: uvicorn in its own process serves the REST calls and the
room's WebSockets on loopback, reached with the ``websockets`` client, events crossing Redis."""

import json
from datetime import datetime, timedelta

import pytest
from websockets.sync.client import connect

from accounts.tests.factories import UserFactory
from learnflow.testing import access_token_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def receive(ws) -> dict:
    return json.loads(ws.recv(timeout=10))


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_two_users_join_over_rest_and_both_sockets_get_the_hosts_timer_start(uvicorn_server):
    # given: a host who opened a room and a guest who joined it, both over HTTP
    host, guest = UserFactory(), UserFactory()
    host_token, guest_token = access_token_for(host), access_token_for(guest)
    status, room = uvicorn_server.request("POST", "/api/rooms/", token=host_token, body={"name": "Together"})
    assert status == 201, room
    status, seat = uvicorn_server.request("POST", f"/api/rooms/{room['id']}/join", token=guest_token)
    assert status == 200, seat
    path = f"{uvicorn_server.ws_url}/ws/rooms/{room['id']}/"

    # when: both connect, one with the token in the query, one with the subprotocol
    with (
        connect(f"{path}?token={host_token}", open_timeout=10) as host_ws,
        connect(path, subprotocols=["learnflow.jwt", guest_token], open_timeout=10) as guest_ws,
    ):
        assert guest_ws.subprotocol == "learnflow.jwt"
        snapshots = [receive(host_ws), receive(guest_ws)]
        for snapshot in snapshots:
            assert snapshot["type"] == "room.snapshot"
            assert snapshot["timer"]["status"] == "idle"
            assert {p["user"]["username"] for p in snapshot["participants"]} == {host.username, guest.username}
        status, timer = uvicorn_server.request("POST", f"/api/rooms/{room['id']}/timer/start", token=host_token)
        assert status == 200, timer

        # then: the start reaches both sockets, numbered as the REST answer and the timer inside it are
        events = [receive(host_ws), receive(guest_ws)]
    for event in events:
        assert event["type"] == "timer.changed"
        assert (event["action"], event["by"]) == ("start", str(host.pk))
        assert event["timer"]["status"] == "running"
        assert event["seq"] == event["timer"]["seq"] == timer["seq"]
        # the socket's times are in milliseconds, REST's in microseconds
        drift = instant(event["timer"]["phase_ends_at"]) - instant(timer["phase_ends_at"])
        assert abs(drift) < timedelta(milliseconds=1)
        assert event["seq"] == snapshots[0]["seq"] + 1 == snapshots[1]["seq"] + 1
    log = uvicorn_server.log_path.read_text()
    assert host_token not in log
    assert "Traceback" not in log and "ERROR" not in log, log

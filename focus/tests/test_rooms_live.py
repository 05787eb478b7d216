"""``/ws/rooms/{id}/`` through the real ASGI application: who may connect, the snapshot, and the
room's events in order, as two users see them."""

import pytest
from channels.db import database_sync_to_async

from accounts.tests.factories import UserFactory
from community.tests.factories import GroupFactory, MembershipFactory
from focus.models import RoomParticipant
from focus.rooms import services
from learnflow.testing import ws_connect

pytestmark = pytest.mark.django_db(transaction=True)


def path(room) -> str:
    return f"/ws/rooms/{room.pk}/"


@database_sync_to_async
def room_with(*guests, **fields):
    host = UserFactory()
    room = services.room_create(user=host, name="Live", **fields)
    for guest in guests:
        services.room_join(user=guest, room=room)
    return host, room


async def connect(user, room):
    ws, connected, detail = await ws_connect(path(room), user=user)
    assert connected, detail
    snapshot = await ws.receive_json_from()
    assert snapshot["type"] == "room.snapshot"
    return ws, snapshot


async def test_snapshot_then_both_users_receive_the_timer_start_in_order():
    guest = await database_sync_to_async(UserFactory)()
    host, room = await room_with(guest)
    host_ws, snapshot = await connect(host, room)
    guest_ws, _ = await connect(guest, room)
    assert set(snapshot) == {"type", "room", "timer", "participants", "seq", "server_time"}
    assert snapshot["timer"]["status"] == "idle"
    assert {p["user"]["username"] for p in snapshot["participants"]} == {host.username, guest.username}
    assert all(p["connected"] for p in snapshot["participants"] if p["user"]["username"] == host.username)

    await database_sync_to_async(services.timer_act)(user=host, room=room, action="start")
    for ws in (host_ws, guest_ws):
        event = await ws.receive_json_from()
        assert event["type"] == "timer.changed"
        assert event["timer"]["status"] == "running"
        assert event["seq"] == snapshot["seq"] + 1
        assert event["server_time"]
    await host_ws.disconnect()
    await guest_ws.disconnect()


async def test_close_codes():
    outsider = await database_sync_to_async(UserFactory)()
    host, room = await room_with()
    _, connected, code = await ws_connect(path(room), token="garbage")
    assert (connected, code) == (False, 4401)
    _, connected, code = await ws_connect(path(room), user=outsider)
    assert (connected, code) == (False, 4403)
    _, connected, code = await ws_connect("/ws/rooms/00000000-0000-0000-0000-000000000000/", user=outsider)
    assert (connected, code) == (False, 4404)
    group_room = await database_sync_to_async(group_room_of)(host)
    _, connected, code = await ws_connect(path(group_room), user=outsider)
    assert (connected, code) == (False, 4404)


def group_room_of(host):
    group = GroupFactory(creator=host)
    MembershipFactory(group=group, user=host, role="leader")
    return services.room_create(user=host, name="G", group=group)


async def test_connection_counts_as_presence_and_ping_answers_pong():
    host, room = await room_with()
    ws, _ = await connect(host, room)
    seat = await database_sync_to_async(RoomParticipant.objects.get)(user=host)
    assert seat.connections == 1
    await ws.send_json_to({"type": "ping"})
    assert (await ws.receive_json_from())["type"] == "pong"
    await ws.send_to(text_data="not json")
    assert (await ws.receive_json_from())["type"] == "error"
    await ws.send_json_to({"type": "status", "status": "idle"})
    event = await ws.receive_json_from()
    assert event["type"] == "participant.status" and event["participant"]["status"] == "idle"
    await ws.disconnect()
    seat = await database_sync_to_async(RoomParticipant.objects.get)(user=host)
    assert seat.connections == 0

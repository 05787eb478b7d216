"""``/ws/rooms/{id}/`` through the real ASGI application: who may connect, the snapshot, and the
room's events in order, as two users see them."""

import pytest
import time_machine
from channels.db import database_sync_to_async

from accounts.tests.factories import UserFactory
from community.tests.factories import GroupFactory, MembershipFactory
from focus.models import RoomParticipant
from focus.rooms import services
from learnflow.testing import client_for, ws_connect

from .room_helpers import T0, minutes, signals

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


# --- the room's events, as each receiver sees them ----------------------------------------------------


def sync(fn):
    return database_sync_to_async(fn)


async def users(n: int):
    return [await sync(UserFactory)() for _ in range(n)]


async def next_event(ws, *types):
    """The next frame, which must be of one of ``types``."""
    event = await ws.receive_json_from()
    assert event["type"] in types, event
    return event


async def test_a_completed_phase_tells_each_receiver_only_their_own_credit():
    # given: the host from 09:00, the guest from 09:05, a latecomer from 09:10; the host skips at 09:10
    guest, late = await users(2)
    with time_machine.travel(T0, tick=False) as clock:
        host, room = await room_with()
        host_ws, _ = await connect(host, room)
        await sync(services.timer_act)(user=host, room=room, action="start")
        await next_event(host_ws, "timer.changed")
        await sync(signals)([host], room.pk, T0, T0 + minutes(5))
        clock.move_to(T0 + minutes(5))
        await sync(services.room_join)(user=guest, room=room)
        guest_ws, _ = await connect(guest, room)
        await sync(signals)([host, guest], room.pk, T0 + minutes(5), T0 + minutes(10))
        clock.move_to(T0 + minutes(10))
        await sync(services.room_join)(user=late, room=room)
        late_ws, _ = await connect(late, room)
        for ws in (host_ws, guest_ws):
            await next_event(ws, "participant.joined")
        # when
        await sync(services.timer_act)(user=host, room=room, action="skip")
        # then
        credited = {}
        for name, ws in (("host", host_ws), ("guest", guest_ws), ("late", late_ws)):
            if name == "host":
                await next_event(ws, "participant.joined")
            event = await next_event(ws, "phase.completed")
            assert "credits" not in event
            assert event["phase"]["phase"] == "work" and event["phase"]["outcome"] == "skipped"
            credited[name] = event["credited_minutes"]
            assert (await next_event(ws, "timer.changed"))["timer"]["phase"] == "break"
    assert credited == {"host": 10, "guest": 5, "late": None}
    for ws in (host_ws, guest_ws, late_ws):
        await ws.disconnect()


async def test_closing_the_room_sends_room_closed_then_closes_every_socket_with_4404():
    guest = await sync(UserFactory)()
    host, room = await room_with(guest)
    host_ws, _ = await connect(host, room)
    guest_ws, _ = await connect(guest, room)
    await sync(services.room_close)(user=host, room=room)
    for ws in (host_ws, guest_ws):
        event = await next_event(ws, "room.closed")
        assert event["seq"] > 0
        closing = await ws.receive_output()
        assert closing == {"type": "websocket.close", "code": 4404}
    _, connected, code = await ws_connect(path(room), user=host)
    assert (connected, code) == (False, 4404)


async def test_a_user_moved_to_another_room_is_told_and_their_old_socket_closes_with_4403():
    # given
    mover = await sync(UserFactory)()
    host, room = await room_with(mover)
    _, elsewhere = await room_with()
    host_ws, _ = await connect(host, room)
    mover_ws, _ = await connect(mover, room)
    # when
    await sync(services.room_join)(user=mover, room=elsewhere)
    # then: the mover hears of their own departure, then the socket closes
    left = await next_event(mover_ws, "participant.left")
    assert left["user_id"] == str(mover.pk)
    assert await mover_ws.receive_output() == {"type": "websocket.close", "code": 4403}
    # and the others are told and stay connected
    assert (await next_event(host_ws, "participant.left"))["user_id"] == str(mover.pk)
    await host_ws.send_json_to({"type": "ping"})
    assert (await next_event(host_ws, "pong"))["type"] == "pong"
    await host_ws.disconnect()


async def test_events_carry_strictly_increasing_seq():
    guest = await sync(UserFactory)()
    host, room = await room_with(guest)
    host_ws, snapshot = await connect(host, room)
    for action in ("start", "pause", "resume", "skip", "reset"):
        await sync(services.timer_act)(user=host, room=room, action=action)
    await sync(services.participant_set_status)(user=guest, room=room, status="idle")
    await sync(services.room_update)(user=host, room=room, data={"name": "Renamed"})
    await sync(services.room_leave)(user=guest, room=room)
    seqs, types = [], []
    while len(types) < 10:
        event = await host_ws.receive_json_from()
        seqs.append(event["seq"])
        types.append(event["type"])
        if "timer" in event:
            assert event["timer"]["seq"] == event["seq"]
        if event["type"] == "room.updated":
            assert event["room"]["name"] == "Renamed"
    assert types == [
        "timer.changed", "timer.changed", "timer.changed", "phase.completed", "timer.changed", "phase.completed",
        "timer.changed", "participant.status", "room.updated", "participant.left",
    ]  # fmt: skip
    assert seqs == list(range(snapshot["seq"] + 1, snapshot["seq"] + 1 + len(seqs)))
    await host_ws.disconnect()


async def test_an_unknown_message_gets_an_error_frame_and_the_socket_stays_usable():
    host, room = await room_with()
    ws, _ = await connect(host, room)
    await ws.send_json_to({"type": "timer.start"})
    error = await next_event(ws, "error")
    assert error["code"] == "unknown_type"
    await ws.send_json_to({"type": "ping"})
    await next_event(ws, "pong")
    await ws.send_json_to({"type": "status", "status": "active"})
    assert await ws.receive_nothing()
    await ws.disconnect()


@pytest.mark.parametrize("status", ["away", None, 1, ["idle"]])
async def test_a_bad_status_message_gets_an_error_frame(status):
    host, room = await room_with()
    ws, _ = await connect(host, room)
    await ws.send_json_to({"type": "status", "status": status})
    error = await next_event(ws, "error")
    assert error["code"] == "invalid_status"
    await ws.send_json_to({"type": "status", "status": "idle"})
    assert (await next_event(ws, "participant.status"))["participant"]["status"] == "idle"
    await ws.disconnect()


async def test_the_rest_answer_to_a_timer_action_has_the_seq_of_its_event():
    host, room = await room_with()
    ws, _ = await connect(host, room)
    response = await sync(lambda: client_for(host).post(f"/api/rooms/{room.pk}/timer/start"))()
    event = await next_event(ws, "timer.changed")
    assert response.status_code == 200
    assert response.json()["seq"] == event["seq"] == event["timer"]["seq"]
    await ws.disconnect()

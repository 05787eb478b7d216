"""Seats and presence in focus rooms: one room per user, full rooms, hand-overs, presence measured by
the server (sockets, heartbeats) and the sweeper that empties rooms of closed tabs."""

import pytest

from accounts.tests.factories import UserFactory
from community.models import Membership
from focus.models import Room, RoomParticipant, RoomPresence, StudySession
from focus.rooms import services
from learnflow import live

from .room_helpers import T0, at, call, group_room, make_room, minutes, open_room, signals

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The live events the services send, as ``(room id, event)`` as clients receive them, in order
    (sent at once here)."""
    events: list[tuple[str, dict]] = []

    def record(group, message):
        events.append((group.split(".", 1)[1], live.as_sent(message)))

    monkeypatch.setattr(live, "send_after_commit", record)
    return events


def seats(rid) -> list[str]:
    return list(
        RoomParticipant.objects.filter(room_id=rid).order_by("joined_at", "pk").values_list("user__username", flat=True)
    )


def participants(user, rid, when) -> dict:
    response = call(user, "get", f"/api/rooms/{rid}/participants", when)
    assert response.status_code == 200
    return {row["user"]["username"]: row for row in response.json()["results"]}


def host_of(rid) -> str | None:
    room = Room.objects.select_related("host").get(pk=rid)
    return room.host.username if room.host else None


# --- seats ----------------------------------------------------------------------------------------------


def test_a_full_room_is_409():
    host, guest, third = UserFactory(), UserFactory(), UserFactory()
    rid = make_room(host, T0, max_participants=2)["id"]
    assert call(guest, "post", f"/api/rooms/{rid}/join", T0).status_code == 200
    response = call(third, "post", f"/api/rooms/{rid}/join", T0)
    assert response.status_code == 409 and "full" in response.json()["detail"]
    assert seats(rid) == [host.username, guest.username]


def test_a_seat_freed_by_a_leaver_can_be_taken():
    host, guest, third = UserFactory(), UserFactory(), UserFactory()
    rid = make_room(host, T0, max_participants=2)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    call(guest, "post", f"/api/rooms/{rid}/leave", T0 + minutes(1))
    assert call(third, "post", f"/api/rooms/{rid}/join", T0 + minutes(2)).status_code == 200


def test_fewer_seats_than_people_only_stops_new_joins():
    host, guest, third = UserFactory(), UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    assert call(host, "patch", f"/api/rooms/{rid}", T0, {"max_participants": 1}).status_code == 200
    assert seats(rid) == [host.username, guest.username]
    assert call(third, "post", f"/api/rooms/{rid}/join", T0).status_code == 409


def test_joining_the_room_one_is_in_keeps_the_same_seat(sent):
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    first = call(guest, "post", f"/api/rooms/{rid}/join", T0)
    before = len(sent)
    again = call(guest, "post", f"/api/rooms/{rid}/join", T0 + minutes(3))
    assert again.status_code == 200 and again.json()["joined_at"] == first.json()["joined_at"]
    assert RoomParticipant.objects.filter(user=guest).count() == 1
    assert len(sent) == before


def test_joining_another_room_moves_you(sent):
    # given
    alice, bob, mover = UserFactory(), UserFactory(), UserFactory()
    old = make_room(alice, T0, name="Old")["id"]
    new = make_room(bob, T0, name="New")["id"]
    call(mover, "post", f"/api/rooms/{old}/join", T0)
    sent.clear()
    # when
    response = call(mover, "post", f"/api/rooms/{new}/join", T0 + minutes(1))
    # then
    assert response.status_code == 200
    assert seats(old) == [alice.username] and seats(new) == [bob.username, mover.username]
    assert RoomParticipant.objects.filter(user=mover).count() == 1
    assert [(room, event["type"]) for room, event in sent] == [(old, "participant.left"), (new, "participant.joined")]
    assert sent[0][1]["user_id"] == str(mover.pk)
    assert RoomPresence.objects.get(room_id=old, user=mover).ended_at == T0 + minutes(1)


def test_a_refused_join_leaves_you_where_you_were():
    alice, bob, mover, filler = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    old = make_room(alice, T0)["id"]
    full = make_room(bob, T0, max_participants=2)["id"]
    call(filler, "post", f"/api/rooms/{full}/join", T0)
    call(mover, "post", f"/api/rooms/{old}/join", T0)
    assert call(mover, "post", f"/api/rooms/{full}/join", T0 + minutes(1)).status_code == 409
    assert seats(old) == [alice.username, mover.username]


def test_moving_out_of_a_running_room_credits_the_time_spent_there():
    alice, bob, mover = UserFactory(), UserFactory(), UserFactory()
    old = make_room(alice, T0, work_minutes=25)["id"]
    new = make_room(bob, T0)["id"]
    call(mover, "post", f"/api/rooms/{old}/join", T0)
    call(alice, "post", f"/api/rooms/{old}/timer/start", T0)
    signals([alice, mover], old, T0, T0 + minutes(10))
    call(mover, "post", f"/api/rooms/{new}/join", T0 + minutes(10))
    signals([alice], old, T0 + minutes(10), T0 + minutes(25))
    call(alice, "get", f"/api/rooms/{old}/timer", T0 + minutes(26))
    assert StudySession.objects.get(user=mover).duration_seconds == 10 * 60


def test_opening_a_room_moves_its_host_out_of_their_room():
    alice, mover = UserFactory(), UserFactory()
    old = make_room(alice, T0)["id"]
    call(mover, "post", f"/api/rooms/{old}/join", T0)
    new = make_room(mover, T0 + minutes(1))["id"]
    assert seats(old) == [alice.username] and seats(new) == [mover.username]


def test_leaving_a_room_one_is_not_in_is_204(user):
    rid = make_room(UserFactory(), T0)["id"]
    assert call(user, "post", f"/api/rooms/{rid}/leave", T0).status_code == 204


# --- the host -------------------------------------------------------------------------------------------


def test_a_leaving_host_hands_the_room_to_the_longest_present_participant(sent):
    # given: "first" sat down first but was away and came back at 09:10; "steady" is there since 09:05
    host, first, steady = UserFactory(), UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    call(first, "post", f"/api/rooms/{rid}/join", T0)
    call(steady, "post", f"/api/rooms/{rid}/join", T0 + minutes(5))
    signals([host, steady], rid, T0 + minutes(5), T0 + minutes(12))
    signals([first], rid, T0 + minutes(10), T0 + minutes(12))
    sent.clear()
    # when
    assert call(host, "post", f"/api/rooms/{rid}/leave", T0 + minutes(12)).status_code == 204
    # then
    assert host_of(rid) == steady.username
    assert [event["type"] for _, event in sent] == ["participant.left", "room.updated"]
    assert participants(steady, rid, T0 + minutes(12))[steady.username]["is_host"]
    assert call(steady, "post", f"/api/rooms/{rid}/timer/start", T0 + minutes(12)).status_code == 200
    assert call(host, "patch", f"/api/rooms/{rid}", T0 + minutes(12), {"name": "Mine"}).status_code == 403


def test_with_nobody_present_a_leaving_host_hands_the_room_to_the_longest_seated():
    host, first, second = UserFactory(), UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    call(first, "post", f"/api/rooms/{rid}/join", T0 + minutes(1))
    call(second, "post", f"/api/rooms/{rid}/join", T0 + minutes(2))
    call(host, "post", f"/api/rooms/{rid}/leave", T0 + minutes(10))
    assert host_of(rid) == first.username


def test_the_last_one_out_stops_the_timer_and_is_credited_so_far():
    # given
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    call(host, "post", f"/api/rooms/{rid}/timer/start", T0)
    signals([host], rid, T0, T0 + minutes(10))
    # when
    call(host, "post", f"/api/rooms/{rid}/leave", T0 + minutes(10))
    # then
    room = Room.objects.get(pk=rid)
    assert (room.timer_status, room.host_id, room.phase_ends_at) == ("idle", None, None)
    session = StudySession.objects.get(room_id=rid)
    assert (session.user_id, session.duration_seconds, session.status) == (host.pk, 600, "stopped")


def test_the_first_to_join_a_room_without_a_host_hosts_it():
    host, newcomer = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    call(host, "post", f"/api/rooms/{rid}/leave", T0)
    assert host_of(rid) is None
    joined = call(newcomer, "post", f"/api/rooms/{rid}/join", T0 + minutes(1))
    assert joined.status_code == 200 and joined.json()["is_host"]
    assert host_of(rid) == newcomer.username


def test_a_room_whose_host_deleted_their_account_gets_the_next_joiner_as_host():
    host, guest, newcomer = UserFactory(), UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    host.delete()
    assert host_of(rid) is None and seats(rid) == [guest.username]
    call(newcomer, "post", f"/api/rooms/{rid}/join", T0 + minutes(1))
    assert host_of(rid) == newcomer.username


# --- presence -------------------------------------------------------------------------------------------


def test_a_heartbeat_from_outside_the_room_is_409(user):
    rid = make_room(UserFactory(), T0)["id"]
    response = call(user, "post", f"/api/rooms/{rid}/heartbeat", T0)
    assert response.status_code == 409 and "join" in response.json()["detail"]


def test_presence_lasts_the_presence_window_after_the_last_sign(settings):
    # given
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    window = settings.LEARNFLOW_ROOM_PRESENCE_SECONDS
    # then
    assert participants(host, rid, T0 + minutes(0, window))[guest.username]["present"]
    late = participants(host, rid, T0 + minutes(0, window + 1))[guest.username]
    assert (late["present"], late["connected"]) == (False, False)
    beat = call(guest, "post", f"/api/rooms/{rid}/heartbeat", T0 + minutes(5))
    assert beat.status_code == 200 and beat.json()["present"]
    assert participants(host, rid, T0 + minutes(5))[guest.username]["present"]


def test_a_heartbeat_after_a_long_silence_starts_a_new_stretch():
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    call(guest, "post", f"/api/rooms/{rid}/heartbeat", T0 + minutes(0.5))
    call(guest, "post", f"/api/rooms/{rid}/heartbeat", T0 + minutes(5))
    stretches = RoomPresence.objects.filter(room_id=rid, user=guest).order_by("started_at")
    assert [(s.started_at, s.last_seen_at, s.ended_at) for s in stretches] == [
        (T0, T0 + minutes(0.5), T0 + minutes(0.5)),
        (T0 + minutes(5), T0 + minutes(5), None),
    ]
    assert RoomParticipant.objects.get(user=guest).present_since == T0 + minutes(5)


def test_an_open_socket_shows_as_connected():
    host = UserFactory()
    room = open_room(host, when=T0)
    with at(T0 + minutes(1)):
        services.presence_signal(user=host, room_id=room.pk, connections=1)
    assert participants(host, room.pk, T0 + minutes(1))[host.username]["connected"]
    with at(T0 + minutes(1)):
        services.presence_signal(user=host, room_id=room.pk, connections=-1)
        services.presence_signal(user=host, room_id=room.pk, connections=-1)
    row = participants(host, room.pk, T0 + minutes(1))[host.username]
    assert (row["present"], row["connected"]) == (True, False)
    assert RoomParticipant.objects.get(user=host).connections == 0


def test_the_sweeper_takes_out_participants_absent_too_long(settings):
    # given: the host's tab went quiet at 09:00; the guest stays
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    absent = settings.LEARNFLOW_ROOM_ABSENT_REMOVE_MINUTES
    signals([guest], rid, T0, T0 + minutes(absent + 1))
    # when: not yet, then after the limit
    with at(T0 + minutes(absent)):
        assert services.rooms_sweep()["removed"] == 0
    with at(T0 + minutes(absent, 1)):
        assert services.rooms_sweep()["removed"] == 1
    # then: the host is out and has handed over
    assert seats(rid) == [guest.username] and host_of(rid) == guest.username
    assert RoomPresence.objects.get(room_id=rid, user=host).ended_at == T0


def test_the_sweeper_empties_a_room_of_closed_tabs_and_stops_its_timer():
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    call(host, "post", f"/api/rooms/{rid}/timer/start", T0)
    signals([host, guest], rid, T0, T0 + minutes(5))
    with at(T0 + minutes(60)):
        result = services.rooms_sweep()
    assert result["removed"] == 2
    room = Room.objects.get(pk=rid)
    assert (room.timer_status, room.host_id) == ("idle", None)
    assert not RoomParticipant.objects.filter(room_id=rid).exists()
    # the work phase ended at its own time (09:25, nobody there) and credited the first five minutes
    assert {s.duration_seconds for s in StudySession.objects.filter(room_id=rid)} == {300}


# --- group rooms and their group ------------------------------------------------------------------------


def test_the_sweeper_unseats_a_participant_who_left_the_group():
    # given: a member sits in the group's room, then is removed from the group
    leader, host, member = UserFactory(), UserFactory(), UserFactory()
    group, room = group_room(host, leader=leader, members=[member], when=T0)
    call(member, "post", f"/api/rooms/{room.pk}/join", T0)
    Membership.objects.filter(group=group, user=member).delete()
    assert call(member, "get", f"/api/rooms/{room.pk}", T0).status_code == 404
    # when
    with at(T0 + minutes(0.5)):
        assert services.rooms_sweep()["removed"] == 1
    # then
    assert seats(room.pk) == [host.username]


def test_the_sweeper_closes_the_rooms_of_a_deleted_group():
    # given: a running group room whose group its leader deletes
    leader, host = UserFactory(), UserFactory()
    group, room = group_room(host, leader=leader, when=T0, work_minutes=25)
    call(host, "post", f"/api/rooms/{room.pk}/timer/start", T0)
    signals([host], room.pk, T0, T0 + minutes(10))
    assert call(leader, "delete", f"/api/groups/{group.pk}", T0 + minutes(10)).status_code == 204
    # when
    with at(T0 + minutes(10)):
        assert services.rooms_sweep()["closed"] == 1
        assert services.rooms_sweep()["closed"] == 0
    # then: closed as its host would close it, the work phase credited so far
    room.refresh_from_db()
    assert (room.is_active, room.timer_status) == (False, "idle")
    assert not RoomParticipant.objects.filter(room=room).exists()
    assert StudySession.objects.get(room=room).duration_seconds == 10 * 60

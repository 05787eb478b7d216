"""A focus room's shared timer through the API, with time travel: the server's clock decides, a phase
ends when its time is up (whoever asks, or nobody), and a work phase credits who was present once."""

from datetime import timedelta

import pytest

from accounts.tests.factories import UserFactory
from focus.models import Room, RoomPhase, StudySession
from focus.rooms import services

from .room_helpers import T0, at, call, heartbeats, make_room

pytestmark = pytest.mark.django_db


def test_a_work_phase_credits_everyone_present_once():
    host, guest = UserFactory(), UserFactory()
    room = make_room(host, T0, work_minutes=25, break_minutes=5)
    rid = room["id"]
    assert room["timer"]["status"] == "idle" and room["timer"]["remaining_seconds"] == 25 * 60
    assert call(guest, "post", f"/api/rooms/{rid}/join", T0).status_code == 200

    started = call(host, "post", f"/api/rooms/{rid}/timer/start", T0)
    assert started.status_code == 200
    assert started.json()["status"] == "running" and started.json()["phase"] == "work"
    heartbeats([host, guest], rid, T0, T0 + timedelta(minutes=10))
    mid = call(guest, "get", f"/api/rooms/{rid}/timer", T0 + timedelta(minutes=10)).json()
    assert mid["remaining_seconds"] == 15 * 60
    heartbeats([host, guest], rid, T0 + timedelta(minutes=10, seconds=30), T0 + timedelta(minutes=25))

    after = call(guest, "get", f"/api/rooms/{rid}/timer", T0 + timedelta(minutes=26)).json()
    assert after["phase"] == "break" and after["status"] == "running" and after["cycle"] == 1
    assert after["phase_started_at"] == "2026-05-04T09:25:00Z"

    sessions = StudySession.objects.filter(room_id=rid).order_by("user__username")
    assert sessions.count() == 2
    assert {s.status for s in sessions} == {"completed"}
    assert {s.duration_seconds for s in sessions} == {25 * 60}
    assert all(s.verified and s.source == "room" for s in sessions)

    # A second reader, the job and the sweeper find nothing more to do.
    call(host, "get", f"/api/rooms/{rid}/timer", T0 + timedelta(minutes=27))
    with at(T0 + timedelta(minutes=27)):
        assert services.room_advance(room_id=rid) is False
        services.rooms_sweep()
    assert StudySession.objects.filter(room_id=rid).count() == 2
    assert RoomPhase.objects.filter(room_id=rid).count() == 1

    history = call(host, "get", f"/api/rooms/{rid}/history", T0 + timedelta(minutes=27)).json()
    assert history["results"][0]["phase"] == "work"
    assert len(history["results"][0]["credited"]) == 2


def test_pause_moves_the_end_and_is_not_credited():
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    call(host, "post", f"/api/rooms/{rid}/timer/start", T0)
    heartbeats([host], rid, T0, T0 + timedelta(minutes=10))
    paused = call(host, "post", f"/api/rooms/{rid}/timer/pause", T0 + timedelta(minutes=10)).json()
    assert paused["status"] == "paused" and paused["remaining_seconds"] == 15 * 60 and paused["phase_ends_at"] is None
    again = call(host, "post", f"/api/rooms/{rid}/timer/pause", T0 + timedelta(minutes=11))
    assert again.status_code == 200 and again.json()["remaining_seconds"] == 15 * 60
    heartbeats([host], rid, T0 + timedelta(minutes=10, seconds=30), T0 + timedelta(minutes=15))
    resumed = call(host, "post", f"/api/rooms/{rid}/timer/resume", T0 + timedelta(minutes=15)).json()
    assert resumed["phase_ends_at"] == "2026-05-04T09:30:00Z"
    heartbeats([host], rid, T0 + timedelta(minutes=15, seconds=30), T0 + timedelta(minutes=30))
    call(host, "get", f"/api/rooms/{rid}/timer", T0 + timedelta(minutes=31))
    session = StudySession.objects.get(room_id=rid)
    assert session.duration_seconds == 25 * 60 and session.status == "completed"


def test_illegal_transition_is_409_naming_the_status():
    host = UserFactory()
    rid = make_room(host, T0)["id"]
    response = call(host, "post", f"/api/rooms/{rid}/timer/pause", T0)
    assert response.status_code == 409
    assert "idle" in response.json()["detail"]


def test_a_phase_ends_without_any_reader():
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25, auto_start_break=False)["id"]
    call(host, "post", f"/api/rooms/{rid}/timer/start", T0)
    heartbeats([host], rid, T0, T0 + timedelta(minutes=24, seconds=30))
    with at(T0 + timedelta(minutes=25, seconds=1)):
        services.rooms_sweep()
    room = Room.objects.get(pk=rid)
    assert room.timer_status == "completed" and room.cycle == 1
    assert StudySession.objects.get(room_id=rid).status == "completed"

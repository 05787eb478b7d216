"""A focus room's shared timer through the API, with time travel: the server's clock decides, a phase
ends when its time is up (whoever asks, or nobody), and a work phase credits who was present once."""

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.tests.factories import UserFactory
from focus.models import Room, RoomPhase, StudySession
from focus.rooms import services

from .room_helpers import T0, at, call, heartbeats, make_room, minutes, signals

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


# --- helpers -----------------------------------------------------------------------------------------


def act(user, rid, action: str, when):
    response = call(user, "post", f"/api/rooms/{rid}/timer/{action}", when)
    assert response.status_code == 200, response.json()
    return response.json()


def read_timer(user, rid, when):
    response = call(user, "get", f"/api/rooms/{rid}/timer", when)
    assert response.status_code == 200, response.json()
    return response.json()


def credits(rid) -> dict:
    """``{username: (seconds, status)}`` of the sessions the room credited."""
    rows = StudySession.objects.filter(room_id=rid).values_list("user__username", "duration_seconds", "status")
    return {name: (seconds, status) for name, seconds, status in rows}


def phases(rid) -> list[tuple]:
    return list(RoomPhase.objects.filter(room_id=rid).order_by("number").values_list("phase", "outcome"))


def iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- transitions ---------------------------------------------------------------------------------------


def test_a_second_start_changes_nothing_and_sends_no_event():
    host = UserFactory()
    rid = make_room(host, T0)["id"]
    first = act(host, rid, "start", T0)
    again = act(host, rid, "start", T0 + minutes(3))
    assert again["status"] == "running" and again["phase_started_at"] == first["phase_started_at"]
    assert again["phase_ends_at"] == first["phase_ends_at"] == iso(T0 + minutes(25))
    assert again["seq"] == first["seq"]
    assert again["remaining_seconds"] == 22 * 60


def test_a_second_pause_changes_nothing_and_sends_no_event():
    host = UserFactory()
    rid = make_room(host, T0)["id"]
    act(host, rid, "start", T0)
    first = act(host, rid, "pause", T0 + minutes(5))
    again = act(host, rid, "pause", T0 + minutes(7))
    assert (again["status"], again["remaining_seconds"], again["seq"]) == ("paused", 20 * 60, first["seq"])


def test_resume_on_a_running_timer_changes_nothing():
    host = UserFactory()
    rid = make_room(host, T0)["id"]
    first = act(host, rid, "start", T0)
    again = act(host, rid, "resume", T0 + minutes(1))
    assert (again["status"], again["phase_ends_at"], again["seq"]) == ("running", first["phase_ends_at"], first["seq"])


@pytest.mark.parametrize(
    ("setup", "action", "status"),
    [
        ([], "pause", "idle"),
        ([], "resume", "idle"),
        ([], "skip", "idle"),
        (["start", "pause"], "start", "paused"),
        (["complete"], "pause", "completed"),
        (["complete"], "resume", "completed"),
        (["complete"], "skip", "completed"),
    ],
)
def test_an_illegal_transition_is_409_naming_the_current_status(setup, action, status):
    # given
    host = UserFactory()
    rid = make_room(host, T0, auto_start_break=False)["id"]
    for step in setup:
        if step == "complete":
            act(host, rid, "start", T0)
            heartbeats([host], rid, T0, T0 + minutes(25), step=timedelta(seconds=55))
        else:
            act(host, rid, step, T0)
    # when
    response = call(host, "post", f"/api/rooms/{rid}/timer/{action}", T0 + minutes(26))
    # then
    assert response.status_code == 409
    assert status in response.json()["detail"]
    assert read_timer(host, rid, T0 + minutes(26))["status"] == status


def test_two_pauses_move_the_end_by_both_and_the_credit_leaves_them_out():
    # given
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    act(host, rid, "start", T0)
    heartbeats([host], rid, T0, T0 + minutes(5))
    act(host, rid, "pause", T0 + minutes(5))
    heartbeats([host], rid, T0 + minutes(5.5), T0 + minutes(8))
    resumed = act(host, rid, "resume", T0 + minutes(8))
    assert resumed["phase_ends_at"] == iso(T0 + minutes(28)) and resumed["remaining_seconds"] == 20 * 60
    heartbeats([host], rid, T0 + minutes(8.5), T0 + minutes(10))
    act(host, rid, "pause", T0 + minutes(10))
    heartbeats([host], rid, T0 + minutes(10.5), T0 + minutes(20))
    # when
    resumed = act(host, rid, "resume", T0 + minutes(20))
    # then
    assert resumed["phase_ends_at"] == iso(T0 + minutes(38))
    assert read_timer(host, rid, T0 + minutes(30))["remaining_seconds"] == 8 * 60
    heartbeats([host], rid, T0 + minutes(20.5), T0 + minutes(38))
    after = read_timer(host, rid, T0 + minutes(38, seconds=1))
    assert (after["phase"], after["status"], after["phase_started_at"]) == ("break", "running", iso(T0 + minutes(38)))
    assert credits(rid) == {host.username: (25 * 60, "completed")}
    (phase,) = RoomPhase.objects.filter(room_id=rid)
    assert (phase.running_seconds, phase.started_at, phase.ended_at) == (25 * 60, T0, T0 + minutes(38))


def test_skipping_a_work_phase_credits_it_so_far_and_starts_the_break_at_once():
    # given
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=25, break_minutes=5)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    act(host, rid, "start", T0)
    heartbeats([host, guest], rid, T0, T0 + minutes(10))
    # when
    skipped = act(host, rid, "skip", T0 + minutes(10))
    # then
    assert (skipped["status"], skipped["phase"], skipped["cycle"], skipped["phase_index"]) == ("running", "break", 1, 1)
    assert skipped["phase_started_at"] == iso(T0 + minutes(10))
    assert skipped["phase_ends_at"] == iso(T0 + minutes(15))
    assert credits(rid) == {host.username: (600, "stopped"), guest.username: (600, "stopped")}
    assert phases(rid) == [("work", "skipped")]


def test_skipping_within_the_grace_of_the_planned_end_credits_a_completed_session():
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    act(host, rid, "start", T0)
    heartbeats([host], rid, T0, T0 + minutes(24, seconds=30))
    act(host, rid, "skip", T0 + minutes(24, seconds=30))
    assert credits(rid) == {host.username: (24 * 60 + 30, "completed")}


def test_skipping_a_break_starts_the_next_work_phase_and_credits_nothing():
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25, break_minutes=5)["id"]
    act(host, rid, "start", T0)
    heartbeats([host], rid, T0, T0 + minutes(25))
    skipped = act(host, rid, "skip", T0 + minutes(26))
    assert (skipped["phase"], skipped["status"], skipped["cycle"], skipped["phase_index"]) == ("work", "running", 1, 2)
    assert phases(rid) == [("work", "completed"), ("break", "skipped")]
    assert StudySession.objects.filter(room_id=rid).count() == 1


def test_skipping_a_paused_work_phase_credits_it_up_to_the_pause():
    host = UserFactory()
    rid = make_room(host, T0)["id"]
    act(host, rid, "start", T0)
    heartbeats([host], rid, T0, T0 + minutes(12))
    act(host, rid, "pause", T0 + minutes(6))
    skipped = act(host, rid, "skip", T0 + minutes(12))
    assert (skipped["phase"], skipped["status"]) == ("break", "running")
    assert credits(rid) == {host.username: (6 * 60, "stopped")}


def test_reset_credits_the_running_work_phase_so_far_and_returns_to_idle():
    # given
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    act(host, rid, "start", T0)
    heartbeats([host], rid, T0, T0 + minutes(10))
    # when
    reset = act(host, rid, "reset", T0 + minutes(10))
    # then
    assert (reset["status"], reset["phase"], reset["cycle"], reset["phase_index"]) == ("idle", "work", 0, 0)
    assert (reset["phase_ends_at"], reset["remaining_seconds"]) == (None, 25 * 60)
    assert credits(rid) == {host.username: (600, "stopped")}
    assert phases(rid) == [("work", "stopped")]
    assert act(host, rid, "reset", T0 + minutes(11))["seq"] == reset["seq"]


def test_reset_during_a_break_returns_to_the_first_work_phase():
    host = UserFactory()
    rid = make_room(host, T0)["id"]
    act(host, rid, "start", T0)
    heartbeats([host], rid, T0, T0 + minutes(25))
    reset = act(host, rid, "reset", T0 + minutes(27))
    assert (reset["status"], reset["phase"], reset["cycle"], reset["next_phase"]) == ("idle", "work", 0, "work")
    assert phases(rid) == [("work", "completed"), ("break", "stopped")]
    assert StudySession.objects.filter(room_id=rid).count() == 1


def test_without_auto_start_break_the_timer_completes_and_a_start_begins_the_break():
    # given
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25, break_minutes=5, auto_start_break=False)["id"]
    act(host, rid, "start", T0)
    heartbeats([host], rid, T0, T0 + minutes(25))
    # when
    done = read_timer(host, rid, T0 + minutes(30))
    # then
    assert (done["status"], done["phase"], done["next_phase"], done["cycle"]) == ("completed", "work", "break", 1)
    assert (done["phase_ends_at"], done["remaining_seconds"], done["phase_seconds"]) == (None, 5 * 60, 5 * 60)
    started = act(host, rid, "start", T0 + minutes(31))
    assert (started["status"], started["phase"], started["phase_index"]) == ("running", "break", 1)
    assert started["phase_ends_at"] == iso(T0 + minutes(36))


def test_a_break_does_not_start_work_unless_the_room_says_so():
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25, break_minutes=5)["id"]
    act(host, rid, "start", T0)
    heartbeats([host], rid, T0, T0 + minutes(30))
    done = read_timer(host, rid, T0 + minutes(31))
    assert (done["status"], done["phase"], done["next_phase"], done["cycle"]) == ("completed", "break", "work", 1)
    assert act(host, rid, "start", T0 + minutes(32))["phase"] == "work"


def test_with_auto_start_work_the_room_runs_on():
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25, break_minutes=5, auto_start_work=True)["id"]
    act(host, rid, "start", T0)
    heartbeats([host], rid, T0, T0 + minutes(40), step=timedelta(seconds=50))
    now = read_timer(host, rid, T0 + minutes(40))
    assert (now["status"], now["phase"], now["phase_index"], now["cycle"]) == ("running", "work", 2, 1)
    assert now["phase_started_at"] == iso(T0 + minutes(30)) and now["remaining_seconds"] == 15 * 60


def test_every_nth_break_is_long():
    # given: a long break after every 2nd work phase; everything auto-starts
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=10, break_minutes=2, long_break_minutes=15, long_break_every=2,
                    auto_start_work=True)["id"]  # fmt: skip
    act(host, rid, "start", T0)
    # when: 10 + 2 + 10 + 15 + 10 + 2 + 10 + 15 = 74 minutes
    heartbeats([host], rid, T0, T0 + minutes(75), step=timedelta(seconds=55))
    # then
    assert [phase for phase, _ in phases(rid)] == [
        "work", "break", "work", "long_break", "work", "break", "work", "long_break",
    ]  # fmt: skip
    now = read_timer(host, rid, T0 + minutes(75))
    assert (now["phase"], now["cycle"], now["phase_index"]) == ("work", 4, 8)
    long_break = RoomPhase.objects.get(room_id=rid, number=4)
    assert (long_break.started_at, long_break.planned_seconds) == (T0 + minutes(22), 15 * 60)
    assert StudySession.objects.filter(room_id=rid).count() == 4


def test_a_reset_counts_the_cycle_from_zero_again():
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=10, break_minutes=2, long_break_minutes=15, long_break_every=2)["id"]
    act(host, rid, "start", T0)
    heartbeats([host], rid, T0, T0 + minutes(10), step=timedelta(seconds=55))
    act(host, rid, "reset", T0 + minutes(11))
    act(host, rid, "start", T0 + minutes(12))
    heartbeats([host], rid, T0 + minutes(12), T0 + minutes(22), step=timedelta(seconds=55))
    now = read_timer(host, rid, T0 + minutes(22, seconds=5))
    assert (now["phase"], now["cycle"]) == ("break", 1)


def test_new_lengths_apply_from_the_next_phase():
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25, break_minutes=5)["id"]
    act(host, rid, "start", T0)
    changed = call(host, "patch", f"/api/rooms/{rid}", T0 + minutes(5), {"work_minutes": 50, "break_minutes": 10})
    assert changed.status_code == 200
    assert changed.json()["timer"]["phase_ends_at"] == iso(T0 + minutes(25))
    heartbeats([host], rid, T0, T0 + minutes(25), step=timedelta(seconds=55))
    now = read_timer(host, rid, T0 + minutes(26))
    assert (now["phase"], now["phase_ends_at"]) == ("break", iso(T0 + minutes(35)))
    assert credits(rid) == {host.username: (25 * 60, "completed")}


# --- a phase's end, whoever notices it -------------------------------------------------------------


def test_downtime_catches_up_phase_by_phase_and_credits_each_work_phase_once():
    # given: everything auto-starts; the participants' sockets keep them present, nobody reads
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=25, break_minutes=5, auto_start_work=True)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    act(host, rid, "start", T0)
    signals([host, guest], rid, T0, T0 + minutes(120), step=timedelta(seconds=55))
    assert Room.objects.get(pk=rid).phase_index == 0
    # when: two hours later, one read
    now = read_timer(guest, rid, T0 + minutes(121))
    # then: four work phases and four breaks, each at its own time, each work phase credited once
    assert (now["phase"], now["status"], now["phase_index"], now["cycle"]) == ("work", "running", 8, 4)
    assert now["phase_started_at"] == iso(T0 + minutes(120))
    recorded = RoomPhase.objects.filter(room_id=rid).order_by("number")
    starts = [("work", 0), ("break", 25), ("work", 30), ("break", 55), ("work", 60), ("break", 85), ("work", 90),
              ("break", 115)]  # fmt: skip
    assert [(p.phase, p.started_at, p.outcome) for p in recorded] == [
        (phase, T0 + minutes(offset), "completed") for phase, offset in starts
    ]
    sessions = StudySession.objects.filter(room_id=rid)
    assert sessions.count() == 8
    assert {(s.user_id, s.started_at) for s in sessions} == {
        (user.pk, T0 + minutes(offset)) for user in (host, guest) for offset in (0, 30, 60, 90)
    }
    assert {(s.duration_seconds, s.status) for s in sessions} == {(25 * 60, "completed")}
    # and nothing more when the job and the sweeper come late
    with at(T0 + minutes(122)):
        assert services.room_advance(room_id=rid) is False
        assert services.rooms_sweep()["advanced"] == 0
    assert (RoomPhase.objects.filter(room_id=rid).count(), sessions.count()) == (8, 8)


def test_a_phase_ending_with_nobody_present_stops_the_timer():
    # given: auto-start on, but the only participant's tab went quiet after five minutes
    host = UserFactory()
    rid = make_room(host, T0, work_minutes=25, break_minutes=5, auto_start_work=True)["id"]
    act(host, rid, "start", T0)
    signals([host], rid, T0, T0 + minutes(5))
    # when
    now = read_timer(host, rid, T0 + minutes(90))
    # then: the work phase ended and was credited for the five minutes; no break began
    assert (now["status"], now["phase"], now["next_phase"], now["cycle"]) == ("completed", "work", "break", 1)
    assert phases(rid) == [("work", "completed")]
    assert credits(rid) == {host.username: (5 * 60, "stopped")}


def test_the_job_the_sweeper_and_readers_credit_a_phase_once():
    # given
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    act(host, rid, "start", T0)
    signals([host, guest], rid, T0, T0 + minutes(25))
    end = T0 + minutes(25, seconds=2)
    # when
    with at(end):
        from focus.rooms.jobs import end_room_phase, sweep_rooms

        assert end_room_phase(rid) is True
        assert end_room_phase(rid) is False
        assert sweep_rooms()["advanced"] == 0
        assert services.room_advance(room_id=rid) is False
        assert services.room_advance(room_id=rid, now=end) is False
    read_timer(host, rid, end)
    read_timer(guest, rid, end)
    # then
    assert StudySession.objects.filter(room_id=rid).count() == 2
    assert phases(rid) == [("work", "completed")]


def test_an_early_job_ends_nothing():
    host = UserFactory()
    rid = make_room(host, T0)["id"]
    act(host, rid, "start", T0)
    with at(T0 + minutes(24)):
        assert services.room_advance(room_id=rid) is False
    assert Room.objects.get(pk=rid).timer_status == "running"
    assert not RoomPhase.objects.exists()


# --- who is credited, and for how long ----------------------------------------------------------------


def test_a_participant_present_for_half_the_phase_gets_a_stopped_session_of_that_length():
    # given
    host, late = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=20)["id"]
    act(host, rid, "start", T0)
    signals([host], rid, T0, T0 + minutes(10))
    # when: the late one arrives halfway
    call(late, "post", f"/api/rooms/{rid}/join", T0 + minutes(10))
    signals([host, late], rid, T0 + minutes(10), T0 + minutes(20))
    read_timer(host, rid, T0 + minutes(21))
    # then
    assert credits(rid) == {host.username: (20 * 60, "completed"), late.username: (10 * 60, "stopped")}
    session = StudySession.objects.get(user=late)
    assert (session.started_at, session.ended_at) == (T0 + minutes(10), T0 + minutes(20))
    assert (session.source, session.verified, session.topic) == ("room", True, "Deep work")
    assert session.planned_duration == 20


def test_a_participant_who_left_midway_is_credited_for_the_time_they_were_there():
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=20)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    act(host, rid, "start", T0)
    signals([host, guest], rid, T0, T0 + minutes(7))
    assert call(guest, "post", f"/api/rooms/{rid}/leave", T0 + minutes(7)).status_code == 204
    signals([host], rid, T0 + minutes(7), T0 + minutes(20))
    read_timer(host, rid, T0 + minutes(21))
    assert credits(rid)[guest.username] == (7 * 60, "stopped")


def test_a_gap_in_presence_is_not_credited():
    # given: the guest's signs stop for five minutes in the middle
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=20)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    act(host, rid, "start", T0)
    signals([host, guest], rid, T0, T0 + minutes(5))
    signals([host], rid, T0 + minutes(5.5), T0 + minutes(10))
    signals([host, guest], rid, T0 + minutes(10), T0 + minutes(20))
    # when
    read_timer(host, rid, T0 + minutes(21))
    # then: 0-5 and 10-20
    assert credits(rid)[guest.username] == (15 * 60, "stopped")


def test_less_than_the_minimum_present_earns_no_session(settings):
    host, brief = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=20)["id"]
    act(host, rid, "start", T0)
    signals([host], rid, T0, T0 + minutes(20))
    call(brief, "post", f"/api/rooms/{rid}/join", T0 + minutes(19, seconds=1))
    read_timer(host, rid, T0 + minutes(21))
    assert settings.LEARNFLOW_ROOM_MIN_CREDIT_SECONDS == 60
    assert set(credits(rid)) == {host.username}
    (row,) = call(host, "get", f"/api/rooms/{rid}/history", T0 + minutes(21)).json()["results"]
    assert [c["user"]["username"] for c in row["credited"]] == [host.username]


def test_exactly_the_minimum_present_earns_a_session():
    host, brief = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=20)["id"]
    act(host, rid, "start", T0)
    signals([host], rid, T0, T0 + minutes(20))
    call(brief, "post", f"/api/rooms/{rid}/join", T0 + minutes(19))
    read_timer(host, rid, T0 + minutes(21))
    assert credits(rid)[brief.username] == (60, "stopped")


def test_time_a_personal_timer_already_counted_is_not_credited_again():
    # given: a user with their own focus timer running joins the idle room, then the room starts
    host, solo = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    own = call(solo, "post", "/api/focus-sessions/start", T0 - minutes(5), {"duration_minutes": 15})
    assert own.status_code == 201
    assert call(solo, "post", f"/api/rooms/{rid}/join", T0).status_code == 200
    act(host, rid, "start", T0)
    signals([host, solo], rid, T0, T0 + minutes(25))
    completed = call(solo, "post", f"/api/focus-sessions/{own.json()['session_id']}/complete", T0 + minutes(10))
    assert completed.status_code == 200 and completed.json()["status"] == "completed"
    # when
    read_timer(host, rid, T0 + minutes(26))
    # then: 09:00-09:10 was their own timer's; the room credits 09:10-09:25
    assert credits(rid)[solo.username] == (15 * 60, "stopped")
    assert StudySession.objects.get(user=solo, source="room").started_at == T0 + minutes(10)


def test_a_personal_timer_still_running_at_the_phase_end_leaves_nothing_to_credit():
    host, solo = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    assert call(solo, "post", "/api/focus-sessions/start", T0, {"duration_minutes": 60}).status_code == 201
    call(solo, "post", f"/api/rooms/{rid}/join", T0)
    act(host, rid, "start", T0)
    signals([host, solo], rid, T0, T0 + minutes(25))
    read_timer(host, rid, T0 + minutes(26))
    assert set(credits(rid)) == {host.username}


# --- never counted twice: a room and a personal timer ---------------------------------------------------


def test_a_running_personal_timer_cannot_join_a_running_room():
    host, solo = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    act(host, rid, "start", T0)
    assert call(solo, "post", "/api/focus-sessions/start", T0, {"duration_minutes": 30}).status_code == 201
    response = call(solo, "post", f"/api/rooms/{rid}/join", T0 + minutes(1))
    assert response.status_code == 409
    assert "timer" in response.json()["detail"]
    act(host, rid, "pause", T0 + minutes(2))
    assert call(solo, "post", f"/api/rooms/{rid}/join", T0 + minutes(3)).status_code == 409


def test_a_running_personal_break_may_join_a_running_room():
    host, solo = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    act(host, rid, "start", T0)
    body = {"duration_minutes": 5, "session_type": "break"}
    assert call(solo, "post", "/api/focus-sessions/start", T0, body).status_code == 201
    assert call(solo, "post", f"/api/rooms/{rid}/join", T0 + minutes(1)).status_code == 200


def test_a_running_personal_timer_may_join_an_idle_room():
    host, solo = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    assert call(solo, "post", "/api/focus-sessions/start", T0, {"duration_minutes": 30}).status_code == 201
    assert call(solo, "post", f"/api/rooms/{rid}/join", T0 + minutes(1)).status_code == 200


@pytest.mark.parametrize(("session_type", "status"), [("focus", 409), ("break", 201)])
def test_someone_present_in_a_running_room_cannot_start_a_personal_focus_timer(session_type, status):
    # given
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    act(host, rid, "start", T0)
    # when
    body = {"duration_minutes": 25, "session_type": session_type}
    response = call(guest, "post", "/api/focus-sessions/start", T0 + minutes(0.5), body)
    # then
    assert response.status_code == status, response.json()


def test_a_personal_timer_may_start_in_an_idle_room_or_once_absent():
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    body = {"duration_minutes": 25}
    assert call(guest, "post", "/api/focus-sessions/start", T0 + minutes(0.5), body).status_code == 201
    act(host, rid, "start", T0 + minutes(1))
    other = UserFactory()
    call(other, "post", f"/api/rooms/{rid}/join", T0 + minutes(1))
    assert call(other, "post", "/api/focus-sessions/start", T0 + minutes(3), body).status_code == 201


# --- the credited session's local date ------------------------------------------------------------------


def test_the_credited_local_date_is_the_users_date_when_their_credited_time_began():
    # given: the night Berlin moves its clocks forward (2026-03-29, 02:00 CET -> 03:00 CEST); a work
    # phase from 23:50 to 00:15 Berlin time, one user there from the start, one from 00:05
    night = datetime(2026, 3, 28, 22, 50, tzinfo=UTC)
    host = UserFactory(timezone="Europe/Berlin")
    late = UserFactory(timezone="Europe/Berlin")
    west = UserFactory(timezone="America/New_York")
    rid = make_room(host, night, work_minutes=25)["id"]
    call(west, "post", f"/api/rooms/{rid}/join", night)
    act(host, rid, "start", night)
    signals([host, west], rid, night, night + minutes(15))
    call(late, "post", f"/api/rooms/{rid}/join", night + minutes(15))
    signals([host, west, late], rid, night + minutes(15), night + minutes(25))
    # when
    read_timer(host, rid, night + minutes(26))
    # then
    dates = dict(StudySession.objects.filter(room_id=rid).values_list("user__username", "local_date"))
    assert dates == {host.username: date(2026, 3, 28), late.username: date(2026, 3, 29),
                     west.username: date(2026, 3, 28)}  # fmt: skip


def test_a_phase_across_the_dst_change_is_credited_its_real_length():
    # given: 01:50 CET to 03:15 CEST is 25 minutes
    start = datetime(2026, 3, 29, 0, 50, tzinfo=UTC)
    host = UserFactory(timezone="Europe/Berlin")
    rid = make_room(host, start, work_minutes=25)["id"]
    act(host, rid, "start", start)
    signals([host], rid, start, start + minutes(25))
    # when
    read_timer(host, rid, start + minutes(26))
    # then
    session = StudySession.objects.get(room_id=rid)
    assert (session.local_date, session.duration_seconds, session.status) == (date(2026, 3, 29), 25 * 60, "completed")
    listed = call(host, "get", "/api/study-sessions/", start + minutes(30)).json()["results"]
    assert [row["id"] for row in listed] == [str(session.pk)]


def test_a_forgotten_personal_timer_does_not_swallow_the_room_credit_after_its_planned_end():
    # given: a 25-minute personal timer started at 08:30 and never ended; it counts until 08:55 at most
    host, solo = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    started = call(solo, "post", "/api/focus-sessions/start", T0 - minutes(30), {"duration_minutes": 25})
    assert started.status_code == 201
    assert call(solo, "post", f"/api/rooms/{rid}/join", T0).status_code == 200
    act(host, rid, "start", T0)
    signals([host, solo], rid, T0, T0 + minutes(25))
    # when
    read_timer(host, rid, T0 + minutes(26))
    # then
    assert credits(rid)[solo.username] == (25 * 60, "completed")


def test_a_personal_timer_past_its_planned_end_does_not_keep_one_out_of_a_running_room():
    host, solo = UserFactory(), UserFactory()
    rid = make_room(host, T0)["id"]
    act(host, rid, "start", T0)
    started = call(solo, "post", "/api/focus-sessions/start", T0 - minutes(30), {"duration_minutes": 25})
    assert started.status_code == 201
    assert call(solo, "post", f"/api/rooms/{rid}/join", T0 + minutes(1)).status_code == 200


def test_closing_a_running_room_credits_the_phase_so_far_and_keeps_its_history():
    # given
    host, guest = UserFactory(), UserFactory()
    rid = make_room(host, T0, work_minutes=25)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", T0)
    act(host, rid, "start", T0)
    signals([host, guest], rid, T0, T0 + minutes(10))
    # when
    assert call(host, "delete", f"/api/rooms/{rid}", T0 + minutes(10)).status_code == 204
    # then
    assert credits(rid) == {host.username: (600, "stopped"), guest.username: (600, "stopped")}
    assert phases(rid) == [("work", "stopped")]
    assert call(guest, "get", f"/api/rooms/{rid}/history", T0 + minutes(11)).status_code == 404
    assert len(call(guest, "get", "/api/study-sessions/", T0 + minutes(11)).json()["results"]) == 1
    room = Room.objects.get(pk=rid)
    assert (room.is_active, room.timer_status, room.host_id) == (False, "idle", None)

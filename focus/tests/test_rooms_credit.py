"""A room's credit is a verified focus session like the personal timer's: the credited user's next
reads show it in their sessions, challenge progress, streak, achievements, points and leaderboard
totals, whoever's request (or which job) ended the phase.

Celery is not eager here and no worker runs (``celery_queue``), and commits are real, as in
``analytics/tests/test_read_your_writes.py``."""

from datetime import UTC, datetime

import pytest

from accounts.tests.factories import UserFactory
from challenges.achievements import achievements_install_defaults
from challenges.tests.factories import default_instance
from focus.models import StudySession
from focus.rooms import services

from .room_helpers import at, call, make_room, minutes, signals

THURSDAY = datetime(2026, 5, 7, 12, 0, tzinfo=UTC)
BOARD = "/api/study-sessions/leaderboards/global?period=weekly"


def read(user, path: str, when: datetime):
    response = call(user, "get", path, when)
    assert response.status_code == 200, response.content
    return response.json()


def focus_challenge_joined(user):
    with at(THURSDAY):
        instance = default_instance("focus")
    assert call(user, "post", f"/api/challenges/{instance.pk}/join", THURSDAY).status_code == 200
    return instance


def progress_of(user, instance, when) -> dict:
    (item,) = [entry for entry in read(user, "/api/challenges/week", when) if entry["id"] == str(instance.pk)]
    return {key: item[key] for key in ("progress", "total", "status")}


def my_row(rows: list[dict]) -> dict:
    (mine,) = [row for row in rows if row["is_current_user"]]
    return mine


@pytest.mark.parametrize("ended_by", ["a read", "the sweeper"])
def test_a_room_credit_counts_like_a_completed_personal_timer(celery_queue, ended_by):
    # given: the guest focuses through a 25-minute work phase hosted by someone else
    achievements_install_defaults()
    host, guest = UserFactory(), UserFactory()
    focus = focus_challenge_joined(guest)
    rid = make_room(host, THURSDAY, work_minutes=25)["id"]
    assert call(guest, "post", f"/api/rooms/{rid}/join", THURSDAY).status_code == 200
    assert call(host, "post", f"/api/rooms/{rid}/timer/start", THURSDAY).status_code == 200
    signals([host, guest], rid, THURSDAY, THURSDAY + minutes(25))
    later = THURSDAY + minutes(26)
    # when: the phase is ended by the host's read, or by the sweeper: never by the guest
    if ended_by == "a read":
        read(host, f"/api/rooms/{rid}/timer", later)
    else:
        with at(later):
            assert services.rooms_sweep()["advanced"] == 1
    # then: the guest's next reads show it
    (session,) = read(guest, "/api/study-sessions/", later)["results"]
    assert (session["source"], session["status"], session["verified"], session["duration_minutes"]) == (
        "room", "completed", True, 25,
    )  # fmt: skip
    assert progress_of(guest, focus, later) == {"progress": 1, "total": 10, "status": "in_progress"}
    assert read(guest, "/api/streaks/me", later)["current_streak"] == 1
    assert [a["id"] for a in read(guest, "/api/achievements/me", later)] == ["first-focus"]
    assert read(guest, "/api/challenges/stats", later)["total_points"] == 10
    board = my_row(read(guest, BOARD, later))
    assert (board["total_minutes"], board["session_count"]) == (25, 1)


def test_a_stopped_room_credit_counts_time_but_not_a_session(celery_queue):
    # given: the guest leaves after 15 of 25 minutes
    achievements_install_defaults()
    host, guest = UserFactory(), UserFactory()
    focus = focus_challenge_joined(guest)
    rid = make_room(host, THURSDAY, work_minutes=25)["id"]
    call(guest, "post", f"/api/rooms/{rid}/join", THURSDAY)
    call(host, "post", f"/api/rooms/{rid}/timer/start", THURSDAY)
    signals([host, guest], rid, THURSDAY, THURSDAY + minutes(15))
    call(guest, "post", f"/api/rooms/{rid}/leave", THURSDAY + minutes(15))
    signals([host], rid, THURSDAY + minutes(15), THURSDAY + minutes(25))
    later = THURSDAY + minutes(26)
    # when
    read(host, f"/api/rooms/{rid}/timer", later)
    # then
    session = StudySession.objects.get(user=guest)
    assert (session.status, session.duration_seconds) == ("stopped", 15 * 60)
    assert progress_of(guest, focus, later)["progress"] == 0
    assert read(guest, "/api/achievements/me", later) == []

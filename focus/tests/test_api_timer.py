"""The SPA's focus timer through the API: start, the current session, complete and stop, and the
verified-time rule (the server measures; an early completion is recorded as stopped)."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from focus.models import StudySession
from focus.tests.factories import StudySessionFactory
from learnflow import events
from learnflow.testing import client_for
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

START = "/api/focus-sessions/start"
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
CONTRACT_KEYS = {
    "session_id", "user_id", "start_time", "end_time", "planned_duration", "actual_duration", "session_type",
    "status",
}  # fmt: skip
SESSION_KEYS = CONTRACT_KEYS | {"topic", "task", "group", "verified", "ai_summary_status"}


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def start(user, when: datetime = T0, **body):
    """Start a timer as ``user`` at ``when`` (a token issued then, so it is valid then)."""
    with at(when):
        return client_for(user).post(START, {"duration_minutes": 30, "session_type": "focus", **body}, format="json")


def end(user, session_id, action: str, when: datetime, **body):
    with at(when):
        return client_for(user).post(f"/api/focus-sessions/{session_id}/{action}", body, format="json")


def started(user, when: datetime = T0, **body) -> str:
    response = start(user, when, **body)
    assert response.status_code == 201, response.content
    return response.json()["session_id"]


@pytest.fixture
def activities():
    """The activity events delivered while the test runs."""
    calls = []

    def handler(**payload):
        calls.append(payload)

    events.subscribe(events.ACTIVITY, handler)
    yield calls
    events._handlers[events.ACTIVITY].remove(handler)


# --- start ---------------------------------------------------------------------------------------


def test_start_answers_the_contract_session(user):
    # when
    response = start(user, T0, duration_minutes=30, session_type="focus")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == SESSION_KEYS
    assert uuid.UUID(body["session_id"])
    assert {key: body[key] for key in CONTRACT_KEYS - {"session_id"}} == {
        "user_id": str(user.pk),
        "start_time": "2026-05-04T09:00:00Z",
        "end_time": None,
        "planned_duration": 30,
        "actual_duration": None,
        "session_type": "focus",
        "status": "active",
    }
    assert body["start_time"].endswith("Z")
    assert body["verified"] is True
    session = StudySession.objects.get(pk=body["session_id"])
    assert (session.user_id, session.status, session.source) == (user.pk, "active", "timer")


def test_start_a_break(user):
    response = start(user, duration_minutes=5, session_type="break")
    assert response.status_code == 201, response.content
    assert (response.json()["session_type"], response.json()["planned_duration"]) == ("break", 5)


def test_session_type_defaults_to_focus(user):
    with at(T0):
        response = client_for(user).post(START, {"duration_minutes": 25}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["session_type"] == "focus"


@pytest.mark.parametrize("minutes", [1, 240])
def test_planned_duration_bounds_are_accepted(user, minutes):
    response = start(user, duration_minutes=minutes)
    assert response.status_code == 201, response.content
    assert response.json()["planned_duration"] == minutes


@pytest.mark.parametrize("minutes", [0, 241, -5, "abc", None], ids=["zero", "too-long", "negative", "text", "null"])
def test_start_with_a_bad_duration_names_duration_minutes(user, minutes):
    # when
    response = start(user, duration_minutes=minutes)
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["duration_minutes"]
    assert not StudySession.objects.exists()


def test_start_without_duration_names_duration_minutes(user):
    with at(T0):
        response = client_for(user).post(START, {"session_type": "focus"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["duration_minutes"]
    assert not StudySession.objects.exists()


def test_start_with_an_unknown_session_type_names_session_type(user):
    response = start(user, session_type="nap")
    assert response.status_code == 400
    assert list(response.json()) == ["session_type"]
    assert not StudySession.objects.exists()


def test_start_for_another_users_task_names_task(user, other_user):
    # given
    foreign = TaskFactory(user=other_user)
    # when
    response = start(user, task=str(foreign.pk))
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["task"]
    assert not StudySession.objects.exists()


def test_start_for_own_task_links_it(user):
    # given
    task = TaskFactory(user=user)
    # when
    response = start(user, task=str(task.pk), topic="Chapter 3")
    # then
    assert response.status_code == 201, response.content
    assert (response.json()["task"], response.json()["topic"]) == (str(task.pk), "Chapter 3")
    assert StudySession.objects.get(pk=response.json()["session_id"]).task_id == task.pk


def test_client_sent_user_id_and_start_time_are_ignored(user, other_user):
    # when: the contract's request model carries user_id and start_time
    response = start(user, T0, user_id=str(other_user.pk), start_time="2020-01-01T00:00:00Z")
    # then: the token's user and the server's clock win
    assert response.status_code == 201, response.content
    assert (response.json()["user_id"], response.json()["start_time"]) == (str(user.pk), "2026-05-04T09:00:00Z")
    session = StudySession.objects.get()
    assert (session.user_id, session.started_at) == (user.pk, T0)


def test_start_works_without_trailing_slash_and_with_it(user, other_user):
    with at(T0):
        assert client_for(user).post(START, {"duration_minutes": 30}, format="json").status_code == 201
        assert client_for(other_user).post(START + "/", {"duration_minutes": 30}, format="json").status_code == 201


# --- one active session per user -----------------------------------------------------------------


def test_second_start_is_a_conflict(user):
    # given
    first = started(user)
    # when
    response = start(user, T0 + timedelta(minutes=1), session_type="break", duration_minutes=5)
    # then
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert "active session" in response.json()["detail"]
    assert list(StudySession.objects.values_list("pk", flat=True)) == [uuid.UUID(first)]


def test_another_user_can_start_while_one_is_running(user, other_user):
    # given
    started(user)
    # when
    response = start(other_user, T0 + timedelta(minutes=1))
    # then
    assert response.status_code == 201, response.content
    assert StudySession.objects.filter(status="active").count() == 2


def test_start_after_ending_the_previous_session(user):
    # given
    first = started(user)
    assert end(user, first, "stop", T0 + timedelta(minutes=3)).status_code == 200
    # when
    response = start(user, T0 + timedelta(minutes=4))
    # then
    assert response.status_code == 201, response.content
    assert response.json()["session_id"] != first


@pytest.mark.django_db(transaction=True)
def test_parallel_starts_create_exactly_one_active_session(user):
    # given: five requests released at the same moment
    threads_count = 5
    barrier = threading.Barrier(threads_count)
    clients = [client_for(user) for _ in range(threads_count)]
    statuses: list[int] = []
    lock = threading.Lock()

    def post(client):
        try:
            barrier.wait(timeout=10)
            response = client.post(START, {"duration_minutes": 30}, format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert sorted(statuses) == [201] + [409] * (threads_count - 1)
    assert StudySession.objects.filter(user=user, status="active").count() == 1
    assert StudySession.objects.filter(user=user).count() == 1


# --- the current session -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/current-session", "/api/current-session/"])
def test_current_session_is_json_null_without_an_active_session(user, path):
    # given: an ended session does not count
    StudySessionFactory(user=user)
    # when
    response = client_for(user).get(path)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b"null"


@pytest.mark.parametrize("path", ["/api/current-session", "/api/current-session/"])
def test_current_session_is_the_active_session(user, path):
    # given
    session_id = started(user)
    # when
    with at(T0 + timedelta(minutes=10)):
        response = client_for(user).get(path)
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == SESSION_KEYS
    assert (body["session_id"], body["status"], body["start_time"]) == (session_id, "active", "2026-05-04T09:00:00Z")


def test_current_session_never_shows_another_users_session(user, other_user):
    # given
    started(other_user)
    # when
    with at(T0 + timedelta(minutes=1)):
        response = client_for(user).get("/api/current-session")
    # then
    assert response.status_code == 200
    assert response.content == b"null"


def test_current_session_is_null_after_completing(user):
    # given
    session_id = started(user)
    assert end(user, session_id, "complete", T0 + timedelta(minutes=30)).status_code == 200
    # when
    with at(T0 + timedelta(minutes=31)):
        response = client_for(user).get("/api/current-session")
    # then
    assert response.content == b"null"


# --- complete and stop: the verified-time rule ---------------------------------------------------


def test_completing_at_the_planned_end_is_completed_with_the_planned_duration(user):
    # given
    session_id = started(user)
    # when
    response = end(user, session_id, "complete", T0 + timedelta(minutes=30))
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == SESSION_KEYS
    assert (body["status"], body["actual_duration"], body["planned_duration"]) == ("completed", 30, 30)
    assert (body["start_time"], body["end_time"]) == ("2026-05-04T09:00:00Z", "2026-05-04T09:30:00Z")
    session = StudySession.objects.get(pk=session_id)
    assert (session.status, session.duration_seconds, session.verified) == ("completed", 1800, True)


def test_completing_three_hours_late_counts_only_the_planned_time(user):
    # given
    session_id = started(user)
    # when
    response = end(user, session_id, "complete", T0 + timedelta(hours=3))
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["actual_duration"]) == ("completed", 30)
    assert body["end_time"] == iso(T0 + timedelta(minutes=30))
    assert StudySession.objects.get(pk=session_id).duration_seconds == 30 * 60


def test_completing_within_the_grace_before_the_planned_end_is_completed(user, settings):
    # given: the grace is 60 seconds; the user completes exactly 60 seconds before the timer rings
    settings.LEARNFLOW_FOCUS_GRACE_SECONDS = 60
    session_id = started(user)
    finished = T0 + timedelta(minutes=29)
    # when
    response = end(user, session_id, "complete", finished)
    # then: completed, and still the time the server measured
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "completed"
    assert body["end_time"] == iso(finished)
    assert body["actual_duration"] == 29
    assert StudySession.objects.get(pk=session_id).duration_seconds == 29 * 60


def test_completing_before_the_grace_is_recorded_as_stopped_with_the_elapsed_time(user, settings, activities):
    # given
    settings.LEARNFLOW_FOCUS_GRACE_SECONDS = 60
    session_id = started(user)
    finished = T0 + timedelta(minutes=28, seconds=59)
    # when
    response = end(user, session_id, "complete", finished)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["actual_duration"], body["end_time"]) == ("stopped", 28, iso(finished))
    session = StudySession.objects.get(pk=session_id)
    assert (session.status, session.duration_seconds) == ("stopped", 28 * 60 + 59)


def test_a_larger_grace_setting_accepts_an_earlier_completion_up_to_a_tenth_of_the_plan(user, settings):
    settings.LEARNFLOW_FOCUS_GRACE_SECONDS = 300
    session_id = started(user)
    response = end(user, session_id, "complete", T0 + timedelta(minutes=27))
    assert (response.json()["status"], response.json()["actual_duration"]) == ("completed", 27)
    too_early = started(user, T0 + timedelta(hours=1))
    response = end(user, too_early, "complete", T0 + timedelta(hours=1, minutes=26, seconds=59))
    assert response.json()["status"] == "stopped"


def test_the_grace_is_never_more_than_a_tenth_of_the_plan(user):
    # given: the reproduction, a one-minute timer (the default grace is a whole minute)
    instant = started(user, duration_minutes=1)
    # when: completed at once
    response = end(user, instant, "complete", T0)
    # then: not completed, and nothing counts
    assert (response.json()["status"], response.json()["actual_duration"]) == ("stopped", 0)
    # and a one-minute timer completed after 54 seconds (a tenth early) is completed
    later = started(user, T0 + timedelta(minutes=5), duration_minutes=1)
    assert end(user, later, "complete", T0 + timedelta(minutes=5, seconds=54)).json()["status"] == "completed"


def test_stop_records_the_elapsed_minutes_and_notes(user):
    # given
    session_id = started(user)
    stopped_at = T0 + timedelta(minutes=12, seconds=40)
    # when
    response = end(user, session_id, "stop", stopped_at, notes="Got interrupted.")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["actual_duration"], body["end_time"]) == ("stopped", 12, iso(stopped_at))
    session = StudySession.objects.get(pk=session_id)
    assert (session.status, session.duration_seconds, session.notes) == ("stopped", 12 * 60 + 40, "Got interrupted.")


def test_stopping_after_the_planned_end_counts_only_the_planned_time(user):
    # given: a 30-minute timer stopped three hours later (the tab was left open)
    session_id = started(user)
    # when
    response = end(user, session_id, "stop", T0 + timedelta(hours=3))
    # then
    body = response.json()
    assert (body["status"], body["actual_duration"], body["end_time"]) == (
        "stopped",
        30,
        iso(T0 + timedelta(minutes=30)),
    )
    assert StudySession.objects.get(pk=session_id).duration_seconds == 30 * 60


def test_stop_without_a_body(user):
    session_id = started(user)
    with at(T0 + timedelta(minutes=5)):
        response = client_for(user).post(f"/api/focus-sessions/{session_id}/stop")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["actual_duration"]) == ("stopped", 5)


def test_complete_and_stop_work_without_trailing_slash_and_with_it(user, other_user):
    first, second = started(user), started(other_user)
    with at(T0 + timedelta(minutes=30)):
        assert client_for(user).post(f"/api/focus-sessions/{first}/complete/").json()["status"] == "completed"
        assert client_for(other_user).post(f"/api/focus-sessions/{second}/stop/").json()["status"] == "stopped"


def test_completing_with_notes_stores_them_and_writes_a_summary_after_commit(
    user, settings, django_capture_on_commit_callbacks
):
    # given: no AI key, so the offline writer summarizes
    settings.OPENAI_API_KEY = ""
    session_id = started(user, topic="Linear algebra")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = end(user, session_id, "complete", T0 + timedelta(minutes=30), notes="Eigenvalues and eigenvectors.")
    # then: the request answered with a pending summary; the job wrote it after commit
    assert response.status_code == 200, response.content
    assert response.json()["ai_summary_status"] == "pending"
    session = StudySession.objects.get(pk=session_id)
    assert session.notes == "Eigenvalues and eigenvectors."
    assert session.ai_summary_status == "ready"
    assert "Eigenvalues" in session.ai_summary


@pytest.mark.parametrize(
    ("first", "second"),
    [("complete", "complete"), ("complete", "stop"), ("stop", "complete"), ("stop", "stop")],
)
def test_ending_an_ended_session_is_a_conflict(user, first, second):
    # given
    session_id = started(user)
    assert end(user, session_id, first, T0 + timedelta(minutes=30)).status_code == 200
    ended = StudySession.objects.get(pk=session_id)
    # when
    response = end(user, session_id, second, T0 + timedelta(minutes=45), notes="late")
    # then
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    again = StudySession.objects.get(pk=session_id)
    assert (again.status, again.ended_at, again.duration_seconds, again.notes) == (
        ended.status,
        ended.ended_at,
        ended.duration_seconds,
        "",
    )


@pytest.mark.parametrize("action", ["complete", "stop"])
def test_another_users_session_is_not_found(user, other_user, action):
    # given
    session_id = started(other_user)
    # when
    response = end(user, session_id, action, T0 + timedelta(minutes=30))
    # then
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert StudySession.objects.get(pk=session_id).status == "active"


@pytest.mark.parametrize("action", ["complete", "stop"])
def test_unknown_session_is_not_found(user, action):
    response = end(user, uuid.uuid4(), action, T0)
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", START),
        ("post", "/api/focus-sessions/{id}/complete"),
        ("post", "/api/focus-sessions/{id}/stop"),
        ("get", "/api/current-session"),
    ],
)
def test_timer_endpoints_need_a_token(api_client, user, method, path):
    # given
    session_id = started(user)
    # when
    with at(T0 + timedelta(minutes=30)):
        response = getattr(api_client, method)(path.format(id=session_id), {"duration_minutes": 30}, format="json")
    # then
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert StudySession.objects.get().status == "active"


# --- activity for challenges, achievements and streaks -------------------------------------------


def test_completing_a_focus_session_records_one_activity(user, activities, django_capture_on_commit_callbacks):
    # given
    session_id = started(user)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = end(user, session_id, "complete", T0 + timedelta(minutes=30))
    # then
    assert response.status_code == 200
    assert len(activities) == 1
    activity = activities[0]
    assert (activity["kind"], activity["user"], activity["obj"].pk) == ("focus_completed", user, uuid.UUID(session_id))
    assert activity["occurred_at"] == T0 + timedelta(minutes=30)


def test_a_conflicting_second_completion_records_no_second_activity(
    user, activities, django_capture_on_commit_callbacks
):
    session_id = started(user)
    with django_capture_on_commit_callbacks(execute=True):
        end(user, session_id, "complete", T0 + timedelta(minutes=30))
        response = end(user, session_id, "complete", T0 + timedelta(minutes=31))
    assert response.status_code == 409
    assert [a["kind"] for a in activities] == ["focus_completed"]


def test_a_completed_break_records_a_break_activity(user, activities, django_capture_on_commit_callbacks):
    session_id = started(user, session_type="break", duration_minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        end(user, session_id, "complete", T0 + timedelta(minutes=5))
    assert [a["kind"] for a in activities] == ["break_completed"]


@pytest.mark.parametrize(
    ("session_type", "action", "minutes"),
    [("focus", "stop", 30), ("focus", "complete", 10), ("break", "stop", 2)],
    ids=["stopped-focus", "early-completion", "stopped-break"],
)
def test_no_activity_for_stopped_sessions(
    user, activities, django_capture_on_commit_callbacks, session_type, action, minutes
):
    # given
    session_id = started(user, session_type=session_type)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = end(user, session_id, action, T0 + timedelta(minutes=minutes))
    # then
    assert response.status_code == 200
    assert activities == []

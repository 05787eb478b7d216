"""``/api/study-sessions/``: manual logs (unverified), the user's own list with filters, ordering and
pagination, notes and topic edits, deletes, and another user's sessions as not found."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from community.tests.factories import group_with
from focus.models import StudySession
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

LIST = "/api/study-sessions/"
NOW = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")
SESSION_KEYS = {
    "id", "topic", "duration_minutes", "notes", "ai_summary", "ai_summary_status", "verified", "started_at",
    "ended_at", "created_at", "session_type", "status", "source", "planned_duration", "task", "group",
}  # fmt: skip


def at(moment: datetime = NOW):
    return time_machine.travel(moment, tick=False)


def detail(session, slash: bool = True) -> str:
    return f"{LIST}{session.pk}{'/' if slash else ''}"


def log(user, body: dict, when: datetime = NOW):
    with at(when):
        return client_for(user).post(LIST, body, format="json")


def listed(client, params: dict | None = None) -> list[str]:
    response = client.get(LIST, params or {})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def ids(sessions) -> list[str]:
    return [str(session.pk) for session in sessions]


# --- manual logs ---------------------------------------------------------------------------------


def test_log_a_session_by_hand(user):
    # given
    body = {
        "topic": "Organic chemistry",
        "duration_minutes": 90,
        "notes": "Reaction mechanisms.",
        "started_at": "2026-06-10T09:00:00Z",
    }
    # when
    response = log(user, body)
    # then
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == SESSION_KEYS
    assert uuid.UUID(created["id"])
    assert {key: created[key] for key in body} == body
    assert created["ended_at"] == "2026-06-10T10:30:00Z"
    assert created["created_at"] == "2026-06-10T18:00:00Z"
    assert (created["verified"], created["source"], created["status"]) == (False, "manual", "completed")
    assert (created["session_type"], created["planned_duration"], created["task"]) == ("focus", None, None)
    assert (created["ai_summary"], created["ai_summary_status"]) == ("", "pending")
    session = StudySession.objects.get(pk=created["id"])
    assert (session.user_id, session.duration_seconds, session.verified) == (user.pk, 90 * 60, False)


def test_a_log_without_started_at_ends_now(user):
    # when
    response = log(user, {"topic": "Spanish", "duration_minutes": 45})
    # then
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["started_at"], created["ended_at"]) == ("2026-06-10T17:15:00Z", "2026-06-10T18:00:00Z")
    assert (created["notes"], created["ai_summary_status"]) == ("", "none")


def test_a_log_with_an_offset_is_stored_as_the_same_instant(user):
    response = log(user, {"topic": "Piano", "duration_minutes": 30, "started_at": "2026-06-10T08:00:00-04:00"})
    assert response.status_code == 201, response.content
    assert (response.json()["started_at"], response.json()["ended_at"]) == (
        "2026-06-10T12:00:00Z",
        "2026-06-10T12:30:00Z",
    )


def test_a_logged_session_with_notes_gets_an_offline_summary_after_commit(
    user, settings, django_capture_on_commit_callbacks
):
    # given
    settings.OPENAI_API_KEY = ""
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = log(user, {"topic": "Statistics", "duration_minutes": 50, "notes": "Bayes theorem practice."})
    # then
    assert response.status_code == 201, response.content
    session = StudySession.objects.get(pk=response.json()["id"])
    assert session.ai_summary_status == "ready"
    assert "Statistics" in session.ai_summary


def test_a_log_for_own_task_links_it(user):
    task = TaskFactory(user=user)
    response = log(user, {"topic": "Essay", "duration_minutes": 20, "task": str(task.pk)})
    assert response.status_code == 201, response.content
    assert response.json()["task"] == str(task.pk)


def test_a_log_for_another_users_task_names_task(user, other_user):
    task = TaskFactory(user=other_user)
    response = log(user, {"topic": "Essay", "duration_minutes": 20, "task": str(task.pk)})
    assert response.status_code == 400
    assert list(response.json()) == ["task"]
    assert not StudySession.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"duration_minutes": 30}, "topic"),
        ({"topic": "", "duration_minutes": 30}, "topic"),
        ({"topic": "   ", "duration_minutes": 30}, "topic"),
        ({"topic": "x" * 201, "duration_minutes": 30}, "topic"),
        ({"topic": "Math"}, "duration_minutes"),
        ({"topic": "Math", "duration_minutes": 0}, "duration_minutes"),
        ({"topic": "Math", "duration_minutes": 1441}, "duration_minutes"),
        ({"topic": "Math", "duration_minutes": "long"}, "duration_minutes"),
        ({"topic": "Math", "duration_minutes": 30, "started_at": "last tuesday"}, "started_at"),
    ],
    ids=[
        "topic-missing",
        "topic-blank",
        "topic-spaces",
        "topic-too-long",
        "duration-missing",
        "duration-zero",
        "duration-over-a-day",
        "duration-text",
        "started-at-garbage",
    ],
)
def test_bad_log_names_the_field(user, body, field):
    # when
    response = log(user, body)
    # then
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not StudySession.objects.exists()


def test_a_whole_day_is_the_longest_log(user):
    response = log(user, {"topic": "Marathon", "duration_minutes": 1440})
    assert response.status_code == 201, response.content
    assert response.json()["duration_minutes"] == 1440


def test_a_log_that_would_end_in_the_future_names_started_at(user):
    # given: 30 minutes starting 10 minutes ago would end 20 minutes from now
    body = {"topic": "Math", "duration_minutes": 30, "started_at": "2026-06-10T17:50:00Z"}
    # when
    response = log(user, body)
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["started_at"]
    assert not StudySession.objects.exists()


def test_client_sent_verified_and_source_are_ignored_on_log(user):
    response = log(user, {"topic": "Math", "duration_minutes": 30, "verified": True, "source": "timer"})
    assert response.status_code == 201, response.content
    assert (response.json()["verified"], response.json()["source"]) == (False, "manual")
    assert StudySession.objects.get().verified is False


# --- list ----------------------------------------------------------------------------------------


def test_list_shows_only_own_sessions_newest_first_and_paginated(user, other_user):
    # given
    older = StudySessionFactory(user=user, started_at=NOW - timedelta(days=2))
    newer = StudySessionFactory(user=user, manual=True, started_at=NOW - timedelta(days=1))
    StudySessionFactory(user=other_user)
    # when
    response = client_for(user).get(LIST)
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == ids([newer, older])
    assert all(set(row) == SESSION_KEYS for row in body["results"])


def test_list_pages_by_page_size(user):
    # given
    StudySessionFactory.create_batch(5, user=user)
    client = client_for(user)
    # when
    first = client.get(LIST, {"page_size": 2}).json()
    last = client.get(LIST, {"page_size": 2, "page": 3}).json()
    # then
    assert (first["count"], len(first["results"]), first["previous"]) == (5, 2, None)
    assert "page=2" in first["next"]
    assert (len(last["results"]), last["next"]) == (1, None)


def test_list_without_trailing_slash(user):
    session = StudySessionFactory(user=user)
    response = client_for(user).get("/api/study-sessions")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == ids([session])


def test_list_filters_by_local_date_range(user):
    # given: a New Yorker's sessions at 23:30 local, which is the next day in UTC
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])

    def late_on(day: int) -> datetime:
        return datetime(2026, 3, day, 23, 30, tzinfo=NEW_YORK).astimezone(UTC)

    ninth, tenth, eleventh = (StudySessionFactory(user=user, started_at=late_on(day)) for day in (9, 10, 11))
    client = client_for(user)
    # when / then
    assert listed(client, {"date_from": "2026-03-10", "date_to": "2026-03-10"}) == ids([tenth])
    assert listed(client, {"date_from": "2026-03-10"}) == ids([eleventh, tenth])
    assert listed(client, {"date_to": "2026-03-10"}) == ids([tenth, ninth])


@pytest.mark.parametrize(("param", "raw"), [("date_from", "2026-13-01"), ("date_to", "tomorrow")])
def test_list_with_a_bad_date_names_it(user, param, raw):
    response = client_for(user).get(LIST, {param: raw})
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_list_filters_by_topic_type_status_verified_and_source(user):
    # given
    algebra = StudySessionFactory(user=user, topic="Linear Algebra", started_at=NOW - timedelta(hours=5))
    rest = StudySessionFactory(user=user, topic="", session_type="break", started_at=NOW - timedelta(hours=4))
    stopped = StudySessionFactory(user=user, topic="Physics", status="stopped", started_at=NOW - timedelta(hours=3))
    manual = StudySessionFactory(user=user, topic="algebra drills", manual=True, started_at=NOW - timedelta(hours=2))
    running = StudySessionFactory(user=user, topic="Chemistry", active=True, started_at=NOW - timedelta(hours=1))
    client = client_for(user)
    # when / then
    assert listed(client, {"topic": "ALGEBRA"}) == ids([manual, algebra])
    assert listed(client, {"session_type": "break"}) == ids([rest])
    assert listed(client, {"status": "stopped"}) == ids([stopped])
    assert listed(client, {"status": "active"}) == ids([running])
    assert listed(client, {"verified": "false"}) == ids([manual])
    assert listed(client, {"verified": "true"}) == ids([running, stopped, rest, algebra])
    assert listed(client, {"source": "manual"}) == ids([manual])
    assert listed(client, {"source": "timer", "status": "completed"}) == ids([rest, algebra])


@pytest.mark.parametrize(("param", "raw"), [("status", "paused"), ("session_type", "nap"), ("source", "guess")])
def test_list_with_an_unknown_choice_names_it(user, param, raw):
    response = client_for(user).get(LIST, {param: raw})
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_list_orders_by_started_at_and_duration(user):
    # given
    short_late = StudySessionFactory(user=user, started_at=NOW - timedelta(hours=1), duration_seconds=600)
    long_early = StudySessionFactory(user=user, started_at=NOW - timedelta(hours=9), duration_seconds=5400)
    middle = StudySessionFactory(user=user, started_at=NOW - timedelta(hours=5), duration_seconds=1800)
    client = client_for(user)
    # when / then
    assert listed(client, {"ordering": "started_at"}) == ids([long_early, middle, short_late])
    assert listed(client, {"ordering": "-started_at"}) == ids([short_late, middle, long_early])
    assert listed(client, {"ordering": "duration_seconds"}) == ids([short_late, middle, long_early])
    assert listed(client, {"ordering": "-duration_seconds"}) == ids([long_early, middle, short_late])


def test_list_searches_topic_and_notes(user):
    topic_hit = StudySessionFactory(user=user, topic="Graph theory", started_at=NOW - timedelta(hours=2))
    notes_hit = StudySessionFactory(
        user=user, topic="Review", notes="graph coloring", started_at=NOW - timedelta(hours=1)
    )
    StudySessionFactory(user=user, topic="History")
    assert listed(client_for(user), {"search": "graph"}) == ids([notes_hit, topic_hit])


def test_list_query_count_does_not_grow_with_its_length():
    # given: sessions with a task and a group each
    one, many = UserFactory(), UserFactory()
    StudySessionFactory(user=one, task=TaskFactory(user=one), group=group_with(leader=one))
    for _ in range(30):
        StudySessionFactory(user=many, task=TaskFactory(user=many), group=group_with(leader=many))

    def queries_for(user) -> tuple[int, int]:
        client = client_for(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, {"page_size": 100})
        assert response.status_code == 200
        assert all(row["task"] and row["group"] for row in response.json()["results"])
        return len(captured), response.json()["count"]

    # when
    few_queries, few_count = queries_for(one)
    many_queries, many_count = queries_for(many)
    # then
    assert (few_count, many_count) == (1, 30)
    assert few_queries == many_queries


# --- show, edit, delete --------------------------------------------------------------------------


@pytest.mark.parametrize("slash", [True, False])
def test_show_one_session(user, slash):
    session = StudySessionFactory(user=user, topic="Rust", notes="Lifetimes.")
    response = client_for(user).get(detail(session, slash))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == SESSION_KEYS
    assert (body["id"], body["topic"], body["notes"], body["duration_minutes"], body["verified"]) == (
        str(session.pk),
        "Rust",
        "Lifetimes.",
        30,
        True,
    )


def test_patch_changes_topic_and_notes(user):
    # given
    session = StudySessionFactory(user=user, topic="Rust", notes="")
    # when
    response = client_for(user).patch(detail(session, slash=False), {"topic": "Go", "notes": "Channels."})
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["topic"], response.json()["notes"]) == ("Go", "Channels.")
    session.refresh_from_db()
    assert (session.topic, session.notes, session.ai_summary_status) == ("Go", "Channels.", "pending")


def test_put_is_a_partial_update(user):
    session = StudySessionFactory(user=user, topic="Rust", notes="Old.")
    response = client_for(user).put(detail(session, slash=False), {"notes": "New."})
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert (session.topic, session.notes) == ("Rust", "New.")


def test_patch_never_changes_verified_time_or_status(user):
    # given: a manual log of 30 minutes
    session = StudySessionFactory(user=user, manual=True, topic="Rust")
    before = StudySession.objects.get(pk=session.pk)
    forged = {
        "verified": True,
        "duration_minutes": 600,
        "status": "active",
        "source": "timer",
        "started_at": "2020-01-01T00:00:00Z",
        "ended_at": "2020-01-02T00:00:00Z",
        "ai_summary": "forged",
    }
    # when
    response = client_for(user).patch(detail(session), {**forged, "topic": "Go"})
    # then: read-only fields are ignored, the topic is applied
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert session.topic == "Go"
    assert (session.verified, session.duration_seconds, session.status, session.source) == (
        False,
        1800,
        "completed",
        "manual",
    )
    assert (session.started_at, session.ended_at, session.ai_summary) == (before.started_at, before.ended_at, "")


def test_patch_with_a_too_long_topic_names_topic(user):
    session = StudySessionFactory(user=user, topic="Rust")
    response = client_for(user).patch(detail(session), {"topic": "x" * 201})
    assert response.status_code == 400
    assert list(response.json()) == ["topic"]
    session.refresh_from_db()
    assert session.topic == "Rust"


def test_delete_removes_the_session(user):
    session = StudySessionFactory(user=user)
    response = client_for(user).delete(detail(session, slash=False))
    assert response.status_code == 204
    assert response.content == b""
    assert not StudySession.objects.filter(pk=session.pk).exists()


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_another_users_session_is_not_found(user, other_user, method):
    # given
    session = StudySessionFactory(user=other_user, topic="Secret", notes="Private notes.")
    # when
    response = getattr(client_for(user), method)(detail(session), {"topic": "Mine now"}, format="json")
    # then
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert "Secret" not in response.content.decode()
    session.refresh_from_db()
    assert session.topic == "Secret"


def test_unknown_session_is_not_found(user):
    response = client_for(user).get(f"{LIST}{uuid.uuid4()}")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    ("method", "target"),
    [("get", "list"), ("post", "list"), ("get", "detail"), ("patch", "detail"), ("delete", "detail")],
)
def test_study_sessions_need_a_token(api_client, user, method, target):
    # given
    session = StudySessionFactory(user=user, topic="Rust")
    path = LIST if target == "list" else detail(session)
    # when
    response = getattr(api_client, method)(path, {"topic": "Go", "duration_minutes": 30}, format="json")
    # then
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert list(StudySession.objects.values_list("topic", flat=True)) == ["Rust"]

"""The end-of-day shutdown ritual, with the SPA's contract keys, on the user's local day."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.tests.factories import UserFactory
from focus.models import ShutdownReflection, StudySession
from learnflow import events
from learnflow.testing import client_for
from tasks.models import Task

pytestmark = pytest.mark.django_db

# 2026-11-20 20:00 UTC is 21:00 in Berlin, a Friday evening.
EVENING = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
SUMMARY_KEYS = {
    "tasksCompleted", "tasksTotal", "pendingTasks", "todayTasks", "focusTime", "focusGoal", "shutdownStreak",
    "pointsEarned", "clockedOutTime",
}  # fmt: skip


@pytest.fixture
def berliner(db):
    return UserFactory(timezone="Europe/Berlin", daily_focus_goal_minutes=60)


def timed(user, *, started, minutes, status="completed", session_type="focus"):
    return StudySession.objects.create(
        user=user, started_at=started, ended_at=started + timedelta(minutes=minutes), duration_seconds=minutes * 60,
        status=status, session_type=session_type, source="timer", verified=True,
    )  # fmt: skip


def reflect(user, rating="good", **extra):
    """Reflect now (a fresh token: tests travel in time, and tokens carry their issue time)."""
    return client_for(user).post(
        "/api/dashboard/shutdown-reflection", {"productivity_rating": rating, **extra}, format="json"
    )


def test_summary_of_a_local_day(berliner, other_user):
    # given: tasks due today (local), one completed today but due yesterday, one due tomorrow (local)
    # (planned early that morning, so completing them is work that earns the day's points)
    with time_machine.travel(datetime(2026, 11, 20, 6, 0, tzinfo=UTC), tick=False):
        Task.objects.create(user=berliner, title="Write tests", due_date=datetime(2026, 11, 20, 16, 0, tzinfo=UTC))
        Task.objects.create(
            user=berliner, title="Review PR", due_date=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), completed=True,
            completed_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        )  # fmt: skip
        Task.objects.create(
            user=berliner, title="Fix bugs", due_date=datetime(2026, 11, 19, 9, 0, tzinfo=UTC), completed=True,
            completed_at=datetime(2026, 11, 20, 11, 0, tzinfo=UTC),
        )  # fmt: skip
        Task.objects.create(user=berliner, title="Tomorrow", due_date=datetime(2026, 11, 20, 23, 30, tzinfo=UTC))
        Task.objects.create(user=other_user, title="Not mine", due_date=datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    # verified focus today: 50 completed + 15 stopped; a break, a manual log and yesterday's session do not count
    timed(berliner, started=datetime(2026, 11, 20, 8, 0, tzinfo=UTC), minutes=50)
    timed(berliner, started=datetime(2026, 11, 20, 13, 0, tzinfo=UTC), minutes=15, status="stopped")
    timed(berliner, started=datetime(2026, 11, 20, 14, 0, tzinfo=UTC), minutes=10, session_type="break")
    timed(berliner, started=datetime(2026, 11, 19, 22, 30, tzinfo=UTC), minutes=20)  # 23:30 Thursday in Berlin
    StudySession.objects.create(
        user=berliner, started_at=datetime(2026, 11, 20, 15, 0, tzinfo=UTC), duration_seconds=3600,
        status="completed", source="manual", verified=False,
    )  # fmt: skip
    # when
    with time_machine.travel(EVENING, tick=False):
        response = client_for(berliner).get("/api/dashboard/shutdown-summary")
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == SUMMARY_KEYS
    assert (body["tasksCompleted"], body["tasksTotal"], body["pendingTasks"]) == (2, 3, 1)
    assert body["todayTasks"] == [
        {"name": "Write tests", "completed": False},
        {"name": "Fix bugs", "completed": True},
        {"name": "Review PR", "completed": True},
    ]
    assert (body["focusTime"], body["focusGoal"]) == (65, 60)
    assert body["shutdownStreak"] == 0
    assert body["pointsEarned"] == 10 + 2 * 5 + 15
    assert body["clockedOutTime"] == "21:00"


def test_reflection_contract_and_history_newest_first(berliner):
    # given
    with time_machine.travel(EVENING, tick=False):
        first = reflect(
            berliner,
            "good",
            reflection_note="Good progress today",
            mindful_disconnect_completed=[True, True, False, True],
            session_id="optional-session-id",
        )
    with time_machine.travel(EVENING + timedelta(days=1), tick=False):
        second = reflect(berliner, "tough")
        history = client_for(berliner).get("/api/dashboard/shutdown-history?limit=30")
    # then
    assert first.status_code == 201
    assert first.json() == {
        "id": first.json()["id"],
        "productivity_rating": "good",
        "reflection_note": "Good progress today",
        "mindful_disconnect_completed": [True, True, False, True],
        "session_id": "optional-session-id",
        "created_at": "2026-11-20T20:00:00Z",
        "shutdown_date": "2026-11-20T20:00:00Z",
        "local_date": "2026-11-20",
    }
    assert second.json()["reflection_note"] is None
    assert [r["id"] for r in history.json()] == [second.json()["id"], first.json()["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"productivity_rating": "meh"}, "productivity_rating"),
        ({}, "productivity_rating"),
        ({"productivity_rating": "good", "mindful_disconnect_completed": "yes"}, "mindful_disconnect_completed"),
        ({"productivity_rating": "good", "mindful_disconnect_completed": [True] * 21}, "mindful_disconnect_completed"),
        ({"productivity_rating": "good", "reflection_note": "x" * 5001}, "reflection_note"),
    ],
)
def test_bad_reflection_is_400_naming_the_field(auth_client, body, field):
    response = auth_client.post("/api/dashboard/shutdown-reflection", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ShutdownReflection.objects.exists()


def test_streak_counts_consecutive_local_days_once_each(berliner):
    # given: Mon, Tue (twice), Wed in Berlin — Wednesday's written at 00:30 local, Tuesday 23:30 UTC
    for instant in (
        datetime(2026, 11, 16, 19, 0, tzinfo=UTC),
        datetime(2026, 11, 17, 18, 0, tzinfo=UTC),
        datetime(2026, 11, 17, 19, 0, tzinfo=UTC),
        datetime(2026, 11, 17, 23, 30, tzinfo=UTC),
    ):
        with time_machine.travel(instant, tick=False):
            assert reflect(berliner).status_code == 201
    # when / then: on Wednesday evening the streak is 3; on Thursday before reflecting it is still 3
    with time_machine.travel(datetime(2026, 11, 18, 20, 0, tzinfo=UTC), tick=False):
        assert client_for(berliner).get("/api/dashboard/shutdown-summary").json()["shutdownStreak"] == 3
    with time_machine.travel(datetime(2026, 11, 19, 12, 0, tzinfo=UTC), tick=False):
        assert client_for(berliner).get("/api/dashboard/shutdown-summary").json()["shutdownStreak"] == 3
    # a missed day breaks it
    with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False):
        summary = client_for(berliner).get("/api/dashboard/shutdown-summary").json()
    assert summary["shutdownStreak"] == 0
    assert summary["pointsEarned"] == 10


def test_streak_across_the_dst_change(db):
    # given: a reflection each evening around the end of summer time in Berlin (2026-10-25)
    user = UserFactory(timezone="Europe/Berlin")
    for day in (24, 25, 26):
        with time_machine.travel(datetime(2026, 10, day, 20, 30, tzinfo=UTC), tick=False):
            reflect(user)
    # when
    with time_machine.travel(datetime(2026, 10, 26, 21, 0, tzinfo=UTC), tick=False):
        body = client_for(user).get("/api/dashboard/shutdown-summary").json()
    # then
    assert body["shutdownStreak"] == 3
    assert body["clockedOutTime"] == "21:30"


def test_streak_bonus_is_capped_at_20(berliner):
    for n in range(12):
        with time_machine.travel(EVENING - timedelta(days=n), tick=False):
            reflect(berliner)
    with time_machine.travel(EVENING + timedelta(minutes=5), tick=False):
        body = client_for(berliner).get("/api/dashboard/shutdown-summary").json()
    assert body["shutdownStreak"] == 12
    assert body["pointsEarned"] == 10 + 20
    assert body["clockedOutTime"] == "21:00"


def test_history_limit_is_capped_and_validated(auth_client, user, other_user):
    # given
    for _ in range(3):
        ShutdownReflection.objects.create(user=user, productivity_rating="okay", local_date="2026-11-20")
    ShutdownReflection.objects.create(user=other_user, productivity_rating="great", local_date="2026-11-20")
    # then
    assert len(auth_client.get("/api/dashboard/shutdown-history").json()) == 3
    assert len(auth_client.get("/api/dashboard/shutdown-history?limit=2").json()) == 2
    assert len(auth_client.get("/api/dashboard/shutdown-history?limit=1000").json()) == 3
    for bad in ("0", "-1", "x"):
        response = auth_client.get(f"/api/dashboard/shutdown-history?limit={bad}")
        assert response.status_code == 400
        assert "limit" in response.json()


def test_a_reflection_is_announced_after_commit(user, django_capture_on_commit_callbacks):
    calls = []

    def handler(**payload):
        calls.append(payload)

    events.subscribe(events.ACTIVITY, handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reflect(user, "great")
    finally:
        events._handlers[events.ACTIVITY].remove(handler)
    assert [call["kind"] for call in calls] == ["shutdown_reflected"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/dashboard/shutdown-summary"),
        ("post", "/api/dashboard/shutdown-reflection"),
        ("get", "/api/dashboard/shutdown-history"),
    ],
)
def test_shutdown_needs_a_token(api_client, method, path):
    assert getattr(api_client, method)(path).status_code == 401

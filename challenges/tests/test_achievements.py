"""Achievements unlock by themselves, once, from verified activity, with ledger points."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import Notification
from challenges.models import PointsEntry, UserAchievement
from focus.services import study_session_log
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def focus(django_capture_on_commit_callbacks):
    """The real timer: start, and complete at the planned end; jobs run after commit."""

    def run(user, at: datetime, minutes: int = 25):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            response = client_for(user).post("/api/focus-sessions/start", {"duration_minutes": minutes}, format="json")
        with (
            time_machine.travel(at + timedelta(minutes=minutes), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            client_for(user).post(f"/api/focus-sessions/{response.json()['session_id']}/complete")

    return run


def unlocked(user) -> set[str]:
    return set(UserAchievement.objects.filter(user=user).values_list("achievement__code", flat=True))


def test_the_default_achievements_are_listed(auth_client):
    body = auth_client.get("/api/achievements/").json()
    assert len(body) == 12
    first = next(a for a in body if a["id"] == "first-focus")
    assert first == {
        "id": "first-focus",
        "name": "First Focus",
        "description": "Complete your first timed focus session.",
        "category": "sessions",
        "requirement_type": "total_sessions",
        "requirement_value": 1,
        "points": 10,
        "icon": "sparkles",
    }


def test_the_first_timed_session_unlocks_first_focus_once_with_points_and_a_notification(user, focus):
    # when
    focus(user, MONDAY)
    focus(user, MONDAY + timedelta(hours=1))
    # then
    assert unlocked(user) == {"first-focus"}
    assert list(PointsEntry.objects.filter(user=user).values_list("reason", "source_id", "points")) == [
        ("achievement", "first-focus", 10)
    ]
    assert Notification.objects.filter(user=user, kind="achievement").count() == 1
    with time_machine.travel(MONDAY + timedelta(hours=2), tick=False):
        mine = client_for(user).get("/api/achievements/me").json()
    assert [(a["id"], a["unlocked_at"]) for a in mine] == [("first-focus", "2026-11-16T09:25:00Z")]


def test_manual_logs_unlock_nothing(user, django_capture_on_commit_callbacks):
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        study_session_log(user=user, topic="x", duration_minutes=600)
    assert unlocked(user) == set()
    assert not PointsEntry.objects.filter(user=user).exists()


def test_progress_shows_each_requirement(user, focus):
    focus(user, MONDAY, 50)
    focus(user, MONDAY + timedelta(days=1), 20)
    with time_machine.travel(MONDAY + timedelta(days=1, hours=2), tick=False):
        rows = {row["achievement"]["id"]: row for row in client_for(user).get("/api/achievements/me/progress").json()}
    assert (rows["first-hour"]["current_value"], rows["first-hour"]["unlocked"]) == (70, True)
    assert (rows["deep-worker"]["current_value"], rows["deep-worker"]["percentage"]) == (70, 11.7)
    assert (rows["ten-sessions"]["current_value"], rows["ten-sessions"]["unlocked_at"]) == (2, None)
    assert rows["streak-3"]["current_value"] == 2
    assert rows["first-post"]["current_value"] == 0


def test_three_local_days_in_a_row_unlock_the_streak_achievement(focus, db):
    from accounts.tests.factories import UserFactory

    berliner = UserFactory(timezone="Europe/Berlin")
    for day in range(3):  # 23:10 local each evening
        focus(berliner, datetime(2026, 11, 16 + day, 22, 10, tzinfo=UTC), 25)
    assert "streak-3" in unlocked(berliner)


def test_completing_a_challenge_unlocks_challenger(user, focus):
    # given: joined the focus challenge (10 sessions) this week
    with time_machine.travel(MONDAY, tick=False):
        client = client_for(user)
        week = client.get("/api/challenges/week").json()
        focus_challenge = next(c for c in week if c["challenge_type"] == "focus")
        client.post(f"/api/challenges/{focus_challenge['id']}/join")
    # when
    for n in range(10):
        focus(user, MONDAY + timedelta(hours=n + 1))
    # then
    assert {"first-focus", "ten-sessions", "first-hour", "challenger"} <= unlocked(user)
    assert PointsEntry.objects.filter(user=user, reason="challenge_completed").count() == 1


@pytest.mark.parametrize("path", ["/api/achievements/", "/api/achievements/me", "/api/achievements/me/progress"])
def test_achievements_need_a_token(api_client, path):
    assert api_client.get(path).status_code == 401


def test_achievements_filter_by_category(auth_client):
    body = auth_client.get("/api/achievements/?category=streak").json()
    assert body and {a["category"] for a in body} == {"streak"}
    everything = auth_client.get("/api/achievements/").json()
    assert len(body) == sum(a["category"] == "streak" for a in everything)


def test_an_unknown_achievement_category_is_400_naming_it(auth_client):
    response = auth_client.get("/api/achievements/?category=bogus")
    assert response.status_code == 400
    assert "category" in response.json()

"""Points and progress that cannot be farmed: tasks ticked off at once, more tasks than a day holds,
and timezone hops that make a second local day in the same real hour (issue #11, items 2 and 3)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.tests.factories import UserFactory
from challenges.achievements import achievements_install_defaults
from learnflow.testing import client_for

from .factories import WeeklyChallengeFactory

pytestmark = pytest.mark.django_db(transaction=True)  # awards run after a real commit

MORNING = datetime(2026, 5, 6, 8, 0, tzinfo=UTC)  # a Wednesday
NOON = MORNING + timedelta(hours=4)
EVENING = MORNING + timedelta(hours=8)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def call(user, method: str, path: str, body=None, *, when: datetime):
    with at(when):
        response = getattr(client_for(user), method)(path, body, format="json")
    assert response.status_code < 300, response.content
    return response.json() if response.content else None


def tasks_created(user, count: int, *, when: datetime, **fields) -> list[str]:
    return [call(user, "post", "/api/tasks/", {"title": f"t{n}", **fields}, when=when)["id"] for n in range(count)]


def reflect(user, *, when: datetime) -> None:
    call(user, "post", "/api/dashboard/shutdown-reflection", {"productivity_rating": "good"}, when=when)


def total_points(user, *, when: datetime) -> int:
    return call(user, "get", "/api/challenges/stats", when=when)["total_points"]


def test_tasks_created_already_completed_earn_no_points(user):
    # given: the reproduction, 40 tasks created completed
    tasks_created(user, 40, when=NOON, completed=True)
    # when
    reflect(user, when=EVENING)
    # then: the day's shutdown (10) and the first streak day (2), nothing for the tasks
    assert total_points(user, when=EVENING) == 12
    summary = call(user, "get", "/api/dashboard/shutdown-summary", when=EVENING)
    assert (summary["tasksCompleted"], summary["pointsEarned"]) == (40, 12)


def test_a_task_completed_within_a_minute_of_its_creation_earns_nothing(user):
    # given
    (task,) = tasks_created(user, 1, when=NOON)
    call(user, "put", f"/api/tasks/{task}", {"completed": True}, when=NOON + timedelta(seconds=59))
    # when
    reflect(user, when=EVENING)
    # then
    assert total_points(user, when=EVENING) == 12


def test_at_most_ten_tasks_a_day_earn_points(user):
    # given: 15 tasks planned in the morning and done at noon
    for task in tasks_created(user, 15, when=MORNING):
        call(user, "put", f"/api/tasks/{task}", {"completed": True}, when=NOON)
    # when
    reflect(user, when=EVENING)
    # then: 10 + 10 tasks x 5 + 2
    assert total_points(user, when=EVENING) == 62


def test_the_task_challenge_counts_only_tasks_that_earn_rewards(user):
    # given
    with at(MORNING):
        challenge = WeeklyChallengeFactory(challenge__challenge_type="task", challenge__target_value=50)
    call(user, "post", f"/api/challenges/{challenge.pk}/join", when=MORNING)
    tasks_created(user, 5, when=MORNING, completed=True)
    for task in tasks_created(user, 12, when=MORNING):
        call(user, "put", f"/api/tasks/{task}", {"completed": True}, when=NOON)
    # when
    week = call(user, "get", "/api/challenges/week", when=EVENING)
    # then
    (item,) = [entry for entry in week if entry["id"] == str(challenge.pk)]
    assert (item["progress"], item["status"]) == (10, "in_progress")


def test_a_timezone_hop_does_not_pay_the_day_again():
    # given: the day paid in UTC
    user = UserFactory(timezone="UTC")
    reflect(user, when=EVENING)
    assert total_points(user, when=EVENING) == 12
    # when: hop to where it is already tomorrow and reflect again in the same real hour
    call(user, "patch", "/api/users/me/", {"timezone": "Etc/GMT-12"}, when=EVENING)
    reflect(user, when=EVENING + timedelta(minutes=5))
    # then
    assert total_points(user, when=EVENING + timedelta(minutes=5)) == 12


def test_the_next_day_pays_once_a_real_day_has_passed():
    # given
    user = UserFactory(timezone="UTC")
    reflect(user, when=EVENING)
    # when: 19 hours later nothing; 20 hours later the next day's shutdown pays (streak 2: +4)
    reflect(user, when=EVENING + timedelta(hours=19))
    before = total_points(user, when=EVENING + timedelta(hours=19))
    reflect(user, when=EVENING + timedelta(hours=20))
    # then
    assert before == 12
    assert total_points(user, when=EVENING + timedelta(hours=20)) == 12 + 14


def test_a_timezone_hop_does_not_count_a_second_shutdown_day_for_the_challenge():
    # given: a shutdown at 10:00 UTC, then a hop to where it is already tomorrow morning
    user = UserFactory(timezone="UTC")
    with at(MORNING):
        challenge = WeeklyChallengeFactory(challenge__challenge_type="shutdown", challenge__target_value=5)
    call(user, "post", f"/api/challenges/{challenge.pk}/join", when=MORNING)
    reflect(user, when=MORNING + timedelta(hours=2))
    call(user, "patch", "/api/users/me/", {"timezone": "Etc/GMT-14"}, when=MORNING + timedelta(hours=2))
    # when: 00:10 tomorrow there, before 17:00 local
    reflect(user, when=MORNING + timedelta(hours=2, minutes=10))
    # then
    week = call(user, "get", "/api/challenges/week", when=NOON)
    (item,) = [entry for entry in week if entry["id"] == str(challenge.pk)]
    assert item["progress"] == 1


def timer(user, *, start: datetime, minutes: int, wait: timedelta) -> dict:
    body = {"duration_minutes": minutes, "session_type": "focus"}
    session = call(user, "post", "/api/focus-sessions/start", body, when=start)
    return call(user, "post", f"/api/focus-sessions/{session['session_id']}/complete", {}, when=start + wait)


def test_one_minute_timers_are_time_but_not_sessions_that_earn(user):
    # given: the focus challenge joined, then twenty one-minute timers, each run to its end
    achievements_install_defaults()
    with at(MORNING):
        challenge = WeeklyChallengeFactory(challenge__challenge_type="focus", challenge__target_value=10)
    call(user, "post", f"/api/challenges/{challenge.pk}/join", when=MORNING)
    for n in range(20):
        start = MORNING + timedelta(minutes=2 * n)
        assert timer(user, start=start, minutes=1, wait=timedelta(minutes=1))["status"] == "completed"
    # when
    week = call(user, "get", "/api/challenges/week", when=NOON)
    # then: no progress, no achievement, no points; the twenty minutes are on the leaderboard
    (item,) = [entry for entry in week if entry["id"] == str(challenge.pk)]
    assert item["progress"] == 0
    assert call(user, "get", "/api/achievements/me", when=NOON) == []
    assert total_points(user, when=NOON) == 0
    board = call(user, "get", "/api/study-sessions/leaderboards/global", when=NOON)
    assert [row["total_minutes"] for row in board if row["is_current_user"]] == [20]


def test_a_ten_minute_session_counts(user):
    # given
    achievements_install_defaults()
    with at(MORNING):
        challenge = WeeklyChallengeFactory(challenge__challenge_type="focus", challenge__target_value=10)
    call(user, "post", f"/api/challenges/{challenge.pk}/join", when=MORNING)
    # when
    timer(user, start=MORNING, minutes=10, wait=timedelta(minutes=10))
    # then
    week = call(user, "get", "/api/challenges/week", when=NOON)
    (item,) = [entry for entry in week if entry["id"] == str(challenge.pk)]
    assert item["progress"] == 1
    assert [a["id"] for a in call(user, "get", "/api/achievements/me", when=NOON)] == ["first-focus"]

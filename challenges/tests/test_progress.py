"""Challenge progress is derived by the server from the user's verified activity in the challenge
week: completed timer focus sessions, breaks taken right after one, completed tasks, and local days
shut down before 17:00. Cheating earns nothing; reaching the target completes the challenge and
awards its points once."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from challenges.models import Participation, PointsEntry, UserPoints, WeeklyChallenge
from challenges.tests.factories import WeeklyChallengeFactory, default_instance
from focus.models import ShutdownReflection
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for
from learnflow.timeutils import user_zone
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

WEEK = date(2026, 5, 4)  # a Monday
MONDAY = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
THURSDAY = datetime(2026, 5, 7, 12, 0, tzinfo=UTC)
LAST_SUNDAY = datetime(2026, 5, 3, 20, 0, tzinfo=UTC)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def in_week(challenge_type: str) -> WeeklyChallenge:
    """This week's instance of a default challenge."""
    with at(THURSDAY):
        return default_instance(challenge_type)


def join(user, instance: WeeklyChallenge, when: datetime = THURSDAY) -> dict:
    with at(when):
        response = client_for(user).post(f"/api/challenges/{instance.pk}/join")
    assert response.status_code == 200, response.content
    return response.json()


def mine(user, instance: WeeklyChallenge, when: datetime = THURSDAY) -> dict:
    with at(when):
        items = client_for(user).get("/api/challenges/week").json()
    return next(entry for entry in items if entry["id"] == str(instance.pk))


def timed(user, started: datetime, minutes: int = 25, session_type: str = "focus", **fields):
    """A server-timed session (completed and verified unless ``fields`` say otherwise)."""
    return StudySessionFactory(
        user=user, session_type=session_type, started_at=started, planned_duration=minutes, **fields
    )


def stopped(user, started: datetime, minutes: int = 10, session_type: str = "focus"):
    return timed(user, started, 25, session_type, status="stopped", duration_seconds=minutes * 60)


def reflection(user, when: datetime) -> ShutdownReflection:
    with at(when):
        return ShutdownReflection.objects.create(
            user=user, productivity_rating="good", local_date=when.astimezone(user_zone(user)).date()
        )


def challenge_points(user) -> list[tuple]:
    """The user's ledger rows for completed challenges (achievements add rows of their own)."""
    return list(
        PointsEntry.objects.filter(user=user, reason="challenge_completed").values_list(
            "reason", "source_type", "source_id", "points"
        )
    )


def ledger_total(user) -> int:
    return sum(PointsEntry.objects.filter(user=user).values_list("points", flat=True))


# --- focus ---------------------------------------------------------------------------------------


def test_focus_progress_counts_completed_timer_sessions_of_the_week(user):
    # given
    focus = in_week("focus")
    for day in range(3):
        timed(user, datetime(2026, 5, 4 + day, 9, 0, tzinfo=UTC))
    # when
    body = join(user, focus)
    # then
    assert (body["progress"], body["total"], body["status"]) == (3, 10, "in_progress")


def test_a_focus_session_that_ends_in_the_week_counts(user):
    # given: started on Sunday night, ended on Monday
    focus = in_week("focus")
    timed(user, datetime(2026, 5, 3, 23, 50, tzinfo=UTC), minutes=25)
    # when
    body = join(user, focus)
    # then
    assert body["progress"] == 1


def test_unverified_stopped_or_other_weeks_focus_sessions_earn_nothing(user, other_user):
    # given
    focus = in_week("focus")
    timed(user, datetime(2026, 5, 4, 9, 0, tzinfo=UTC), minutes=90, manual=True)
    timed(user, datetime(2026, 5, 4, 11, 0, tzinfo=UTC), minutes=90, manual=True)
    stopped(user, datetime(2026, 5, 5, 9, 0, tzinfo=UTC))
    timed(user, datetime(2026, 5, 5, 10, 0, tzinfo=UTC), active=True)
    timed(user, datetime(2026, 5, 5, 11, 0, tzinfo=UTC), session_type="break", minutes=5)
    timed(user, LAST_SUNDAY)
    timed(other_user, datetime(2026, 5, 5, 12, 0, tzinfo=UTC))
    # when
    body = join(user, focus)
    # then
    assert (body["progress"], body["status"]) == (0, "in_progress")


def test_a_manual_log_through_the_api_earns_no_progress(user, django_capture_on_commit_callbacks):
    # given
    focus = in_week("focus")
    join(user, focus, MONDAY)
    # when: "I studied 90 minutes", ten times
    with at(THURSDAY), django_capture_on_commit_callbacks(execute=True):
        client = client_for(user)
        for _ in range(10):
            response = client.post("/api/study-sessions/", {"topic": "Algebra", "duration_minutes": 90}, format="json")
            assert response.status_code == 201, response.content
    # then
    assert mine(user, focus)["progress"] == 0
    assert not PointsEntry.objects.filter(user=user).exists()


def test_a_session_completed_early_through_the_api_earns_no_progress(user, django_capture_on_commit_callbacks):
    # given
    focus = in_week("focus")
    join(user, focus, MONDAY)
    with at(MONDAY + timedelta(hours=1)):
        session_id = (
            client_for(user)
            .post("/api/focus-sessions/start", {"duration_minutes": 25, "session_type": "focus"}, format="json")
            .json()["session_id"]
        )
    # when: completed after 10 of 25 minutes
    with at(MONDAY + timedelta(hours=1, minutes=10)), django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(f"/api/focus-sessions/{session_id}/complete")
    # then
    assert response.json()["status"] == "stopped"
    assert mine(user, focus)["progress"] == 0


def focus_session_through_the_api(user, started: datetime, captured, minutes: int = 25, session_type="focus"):
    """Start a timer and complete it at its planned end, running the after-commit work."""
    with at(started):
        response = client_for(user).post(
            "/api/focus-sessions/start", {"duration_minutes": minutes, "session_type": session_type}, format="json"
        )
    assert response.status_code == 201, response.content
    with at(started + timedelta(minutes=minutes)), captured(execute=True):
        response = client_for(user).post(f"/api/focus-sessions/{response.json()['session_id']}/complete")
    assert response.json()["status"] == "completed", response.content


def test_ten_timed_focus_sessions_complete_the_challenge_and_award_its_points_once(
    user, django_capture_on_commit_callbacks
):
    # given: joined on Monday, nine sessions done
    focus = in_week("focus")
    join(user, focus, MONDAY)
    starts = [datetime(2026, 5, 4, 9, 0, tzinfo=UTC) + timedelta(hours=hour) for hour in range(11)]
    for started in starts[:9]:
        focus_session_through_the_api(user, started, django_capture_on_commit_callbacks)
    participation = Participation.objects.get(user=user, weekly_challenge=focus)
    assert (participation.progress, participation.status) == (9, "in_progress")
    assert challenge_points(user) == []
    # when: the tenth
    focus_session_through_the_api(user, starts[9], django_capture_on_commit_callbacks)
    # then
    participation.refresh_from_db()
    assert (participation.progress, participation.status, participation.points_earned) == (10, "completed", 75)
    assert challenge_points(user) == [("challenge_completed", "participation", str(participation.pk), 75)]
    points = UserPoints.objects.get(user=user)
    assert points.total_points == points.weekly_points == ledger_total(user) >= 75
    with at(starts[9] + timedelta(hours=1)):
        inbox = client_for(user).get("/api/notifications/", {"kind": "challenge"}).json()["results"]
    assert [(n["kind"], n["title"]) for n in inbox] == [("challenge", "Challenge completed: Focus Sprint Master")]
    # and when: an eleventh session
    focus_session_through_the_api(user, starts[10], django_capture_on_commit_callbacks)
    # then: nothing more
    participation.refresh_from_db()
    assert (participation.progress, participation.status) == (10, "completed")
    assert len(challenge_points(user)) == 1
    assert Notification.objects.filter(user=user, kind="challenge").count() == 1
    assert mine(user, focus, starts[10] + timedelta(hours=1))["status"] == "completed"


def test_activity_before_joining_counts_and_joining_after_the_work_completes_at_once(user):
    # given: ten sessions from Monday to Wednesday, not joined yet
    focus = in_week("focus")
    for n in range(10):
        timed(user, datetime(2026, 5, 4, 8, 0, tzinfo=UTC) + timedelta(hours=6 * n))
    # when
    body = join(user, focus)
    # then
    assert (body["progress"], body["total"], body["status"]) == (10, 10, "completed")
    participation = Participation.objects.get(user=user)
    assert challenge_points(user) == [("challenge_completed", "participation", str(participation.pk), 75)]
    assert Notification.objects.filter(user=user, kind="challenge").count() == 1


def test_progress_of_another_user_does_not_count(user, other_user):
    # given
    focus = in_week("focus")
    for n in range(10):
        timed(other_user, datetime(2026, 5, 4, 8, 0, tzinfo=UTC) + timedelta(hours=n))
    # when
    body = join(user, focus)
    # then
    assert (body["progress"], body["status"]) == (0, "in_progress")
    assert challenge_points(user) == []


# --- breaks --------------------------------------------------------------------------------------


def test_a_break_counts_when_it_starts_within_30_minutes_after_a_completed_focus_session(user):
    # given
    breaks = in_week("break")
    timed(user, datetime(2026, 5, 4, 9, 0, tzinfo=UTC))  # ends 09:25
    timed(user, datetime(2026, 5, 4, 9, 25, tzinfo=UTC), minutes=5, session_type="break")
    timed(user, datetime(2026, 5, 5, 9, 0, tzinfo=UTC))  # ends 09:25
    timed(user, datetime(2026, 5, 5, 9, 50, tzinfo=UTC), minutes=5, session_type="break")
    # when
    body = join(user, breaks)
    # then
    assert (body["progress"], body["total"]) == (2, 5)


def test_breaks_without_a_completed_timed_focus_session_just_before_earn_nothing(user):
    # given
    breaks = in_week("break")
    # a break with no focus session before it
    timed(user, datetime(2026, 5, 4, 9, 0, tzinfo=UTC), minutes=5, session_type="break")
    # a break 31 minutes after the focus session ended
    timed(user, datetime(2026, 5, 4, 10, 0, tzinfo=UTC))
    timed(user, datetime(2026, 5, 4, 10, 56, tzinfo=UTC), minutes=5, session_type="break")
    # a break after a stopped focus session
    stopped(user, datetime(2026, 5, 4, 12, 0, tzinfo=UTC))
    timed(user, datetime(2026, 5, 4, 12, 15, tzinfo=UTC), minutes=5, session_type="break")
    # a break after a manually logged focus session
    timed(user, datetime(2026, 5, 4, 14, 0, tzinfo=UTC), manual=True)
    timed(user, datetime(2026, 5, 4, 14, 30, tzinfo=UTC), minutes=5, session_type="break")
    # a stopped break and a manual break right after completed focus sessions
    timed(user, datetime(2026, 5, 4, 16, 0, tzinfo=UTC))
    stopped(user, datetime(2026, 5, 4, 16, 25, tzinfo=UTC), minutes=2, session_type="break")
    timed(user, datetime(2026, 5, 4, 17, 0, tzinfo=UTC))
    timed(user, datetime(2026, 5, 4, 17, 25, tzinfo=UTC), minutes=5, session_type="break", manual=True)
    # a proper break, but last week
    timed(user, LAST_SUNDAY - timedelta(minutes=30))
    timed(user, LAST_SUNDAY, minutes=5, session_type="break")
    # when
    body = join(user, breaks)
    # then
    assert body["progress"] == 0


def test_five_timed_breaks_after_focus_sessions_complete_break_champion(user, django_capture_on_commit_callbacks):
    # given
    breaks = in_week("break")
    join(user, breaks, MONDAY)
    # when
    for n in range(5):
        started = datetime(2026, 5, 4, 9, 0, tzinfo=UTC) + timedelta(hours=n)
        focus_session_through_the_api(user, started, django_capture_on_commit_callbacks)
        focus_session_through_the_api(
            user, started + timedelta(minutes=25), django_capture_on_commit_callbacks, minutes=5, session_type="break"
        )
    # then
    participation = Participation.objects.get(user=user, weekly_challenge=breaks)
    assert (participation.progress, participation.status) == (5, "completed")
    assert challenge_points(user) == [("challenge_completed", "participation", str(participation.pk), 75)]


# --- tasks ---------------------------------------------------------------------------------------


def test_task_progress_counts_tasks_completed_in_the_week(user, other_user):
    # given
    with at(THURSDAY):
        tasks = WeeklyChallengeFactory(challenge__challenge_type="task", challenge__target_value=3)
    TaskFactory(user=user, completed=True, completed_at=datetime(2026, 5, 4, 10, 0, tzinfo=UTC))
    TaskFactory(user=user, completed=True, completed_at=datetime(2026, 5, 6, 10, 0, tzinfo=UTC))
    TaskFactory(user=user, completed=True, completed_at=LAST_SUNDAY)
    TaskFactory(user=user, completed=False)
    TaskFactory(user=other_user, completed=True, completed_at=datetime(2026, 5, 5, 10, 0, tzinfo=UTC))
    # when
    body = join(user, tasks)
    # then
    assert (body["progress"], body["total"], body["status"]) == (2, 3, "in_progress")


def test_completing_a_task_through_the_api_adds_progress(user, django_capture_on_commit_callbacks):
    # given
    with at(THURSDAY):
        tasks = WeeklyChallengeFactory(challenge__challenge_type="task", challenge__target_value=3)
    join(user, tasks, MONDAY)
    with at(MONDAY):
        task = TaskFactory(user=user)
    # when
    with at(THURSDAY), django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).patch(f"/api/tasks/{task.pk}", {"completed": True}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert mine(user, tasks)["progress"] == 1


# --- shutdowns -----------------------------------------------------------------------------------


def test_shutdown_progress_counts_local_days_shut_down_before_17():
    # given: a Los Angeles user (UTC-7 in May)
    user = UserFactory(timezone="America/Los_Angeles")
    shutdown = in_week("shutdown")
    reflection(user, datetime(2026, 5, 4, 17, 0, tzinfo=UTC))  # Monday 10:00 local
    reflection(user, datetime(2026, 5, 4, 23, 30, tzinfo=UTC))  # Monday 16:30 local: the same day
    reflection(user, datetime(2026, 5, 5, 23, 59, tzinfo=UTC))  # Tuesday 16:59 local
    reflection(user, datetime(2026, 5, 7, 0, 0, tzinfo=UTC))  # Wednesday 17:00 local: too late
    reflection(user, datetime(2026, 5, 8, 1, 0, tzinfo=UTC))  # Thursday 18:00 local: too late
    reflection(user, datetime(2026, 5, 3, 17, 0, tzinfo=UTC))  # last Sunday 10:00 local: last week
    # when
    body = join(user, shutdown, datetime(2026, 5, 8, 12, 0, tzinfo=UTC))
    # then
    assert (body["progress"], body["total"]) == (2, 5)


def test_a_reflection_at_18_local_earns_no_shutdown_progress(django_capture_on_commit_callbacks):
    # given: a Berlin user (UTC+2 in May) in the shutdown challenge
    user = UserFactory(timezone="Europe/Berlin")
    shutdown = in_week("shutdown")
    join(user, shutdown, MONDAY)
    # when: a reflection at 18:00 local
    evening = datetime(2026, 5, 5, 16, 0, tzinfo=UTC)
    with at(evening), django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(
            "/api/dashboard/shutdown-reflection", {"productivity_rating": "good"}, format="json"
        )
    # then
    assert response.status_code == 201
    assert mine(user, shutdown, evening)["progress"] == 0


def test_reflections_through_the_api_count_one_per_local_day(django_capture_on_commit_callbacks):
    # given
    user = UserFactory(timezone="Europe/Berlin")
    shutdown = in_week("shutdown")
    join(user, shutdown, MONDAY)
    # when: two reflections on Tuesday afternoon (local) and one on Wednesday
    for when in (
        datetime(2026, 5, 5, 12, 0, tzinfo=UTC),
        datetime(2026, 5, 5, 14, 0, tzinfo=UTC),
        datetime(2026, 5, 6, 13, 0, tzinfo=UTC),
    ):
        with at(when), django_capture_on_commit_callbacks(execute=True):
            response = client_for(user).post(
                "/api/dashboard/shutdown-reflection", {"productivity_rating": "good"}, format="json"
            )
        assert response.status_code == 201
    # then
    assert mine(user, shutdown, datetime(2026, 5, 6, 14, 0, tzinfo=UTC))["progress"] == 2


def test_five_early_shutdowns_complete_healthy_boundaries():
    # given: Monday to Friday at 16:00 for a user in UTC
    user = UserFactory(timezone="UTC")
    shutdown = in_week("shutdown")
    for day in range(5):
        reflection(user, datetime(2026, 5, 4 + day, 16, 0, tzinfo=UTC))
    # when
    body = join(user, shutdown, datetime(2026, 5, 8, 18, 0, tzinfo=UTC))
    # then
    assert (body["progress"], body["status"]) == (5, "completed")
    assert [reason for reason, *_ in challenge_points(user)] == ["challenge_completed"]

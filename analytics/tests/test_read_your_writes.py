"""Read-your-writes: after a write answers 2xx, the same user's next read shows what it changed in
their streak, challenge progress and status, points, achievements and own leaderboard totals.

Celery is not eager here and no worker runs (``celery_queue``): a job only lands on the broker, so
what the reads show was done by the request itself. Commits are real (``transactional_db``)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from challenges import handlers as challenge_handlers
from challenges.achievements import achievements_install_defaults
from challenges.jobs import refresh_progress
from challenges.models import Participation, PointsEntry, UserPoints
from challenges.tests.factories import WeeklyChallengeFactory, default_instance
from focus.tests.factories import StudySessionFactory
from learnflow import outbox
from learnflow.models import OutboxJob
from learnflow.testing import client_for
from tasks.tests.factories import TaskFactory

from .. import handlers as analytics_handlers

THURSDAY = datetime(2026, 5, 7, 12, 0, tzinfo=UTC)
LATER = THURSDAY + timedelta(hours=1)
BOARD = "/api/study-sessions/leaderboards/global?period=weekly"


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def call(user, method: str, path: str, body=None, when: datetime = LATER):
    """One request of ``user`` at ``when`` (with a token issued then)."""
    with at(when):
        return getattr(client_for(user), method)(path, body, format="json")


def read(user, path: str, when: datetime = LATER):
    response = call(user, "get", path, when=when)
    assert response.status_code == 200, response.content
    return response.json()


def planned_task(user):
    """A task planned on THURSDAY, so completing it LATER is real work that earns rewards."""
    with at(THURSDAY):
        return TaskFactory(user=user)


def joined(user, default: str | None = None, **challenge):
    """This week's instance of a default challenge (by type), or of a new one with ``challenge``'s
    fields, joined by ``user``."""
    with at(THURSDAY):
        if default:
            instance = default_instance(default)
        else:
            instance = WeeklyChallengeFactory(**{f"challenge__{field}": value for field, value in challenge.items()})
    assert call(user, "post", f"/api/challenges/{instance.pk}/join", when=THURSDAY).status_code == 200
    return instance


def progress_of(user, instance) -> dict:
    (item,) = [entry for entry in read(user, "/api/challenges/week") if entry["id"] == str(instance.pk)]
    return {key: item[key] for key in ("progress", "total", "status")}


def timer_started(user, started: datetime = THURSDAY, minutes: int = 25, session_type: str = "focus") -> str:
    body = {"duration_minutes": minutes, "session_type": session_type}
    begun = call(user, "post", "/api/focus-sessions/start", body, when=started)
    assert begun.status_code == 201, begun.content
    return begun.json()["session_id"]


def timer_completed(user, session_id: str, when: datetime):
    return call(user, "post", f"/api/focus-sessions/{session_id}/complete", when=when)


def focus_completed(user, started: datetime = THURSDAY, minutes: int = 25, session_type: str = "focus"):
    """Start a timer at ``started`` and complete it at its planned end (the server times it)."""
    session_id = timer_started(user, started, minutes, session_type)
    return timer_completed(user, session_id, started + timedelta(minutes=minutes))


def totals_job(user, ended_at: datetime) -> tuple[str, list]:
    """The job refreshing the stored leaderboard totals that rank ``user`` for everybody else."""
    return ("analytics.refresh_focus_totals", [str(user.pk), ended_at.isoformat()])


def my_row(rows: list[dict]) -> dict:
    (mine,) = [row for row in rows if row["is_current_user"]]
    return mine


def ledger(user, reason: str) -> list[tuple]:
    return list(PointsEntry.objects.filter(user=user, reason=reason).values_list("source_id", "points"))


def failing(*_, **__):
    raise OperationalError("server closed the connection unexpectedly")


# --- each write shows at once --------------------------------------------------------------------


def test_a_logged_session_shows_in_the_streak_at_once(user, celery_queue):
    # when
    response = call(user, "post", "/api/study-sessions/", {"topic": "Math", "duration_minutes": 30})
    # then
    assert response.status_code == 201, response.content
    streak = read(user, "/api/streaks/me")
    assert (streak["current_streak"], streak["active_today"], streak["days_until_break"]) == (1, True, 1)
    assert celery_queue.take() == []


def test_a_session_logged_for_a_past_day_that_fills_a_gap_joins_the_runs_at_once(user, celery_queue):
    # given: today and the day before yesterday
    for started in (LATER - timedelta(hours=2), LATER - timedelta(days=2)):
        body = {"topic": "Math", "duration_minutes": 30, "started_at": started.isoformat()}
        assert call(user, "post", "/api/study-sessions/", body).status_code == 201
    assert read(user, "/api/streaks/me")["current_streak"] == 1
    # when: yesterday is logged afterwards
    body = {"topic": "Math", "duration_minutes": 30, "started_at": (LATER - timedelta(days=1)).isoformat()}
    response = call(user, "post", "/api/study-sessions/", body)
    # then
    assert response.status_code == 201, response.content
    streak = read(user, "/api/streaks/me")
    assert (streak["current_streak"], streak["longest_streak"], streak["streak_start_date"]) == (3, 3, "2026-05-05")


def test_another_session_on_a_day_already_counted_writes_no_streak(user, celery_queue):
    # given
    assert call(user, "post", "/api/study-sessions/", {"topic": "Math", "duration_minutes": 30}).status_code == 201
    # when
    with CaptureQueriesContext(connection) as context:
        response = call(user, "post", "/api/study-sessions/", {"topic": "Physics", "duration_minutes": 20})
    # then
    assert response.status_code == 201, response.content
    assert not [q for q in context.captured_queries if "analytics_streak" in q["sql"] and "SELECT" not in q["sql"]]
    assert read(user, "/api/streaks/me")["current_streak"] == 1


def test_a_completed_focus_session_shows_in_progress_totals_streak_achievements_and_points_at_once(user, celery_queue):
    # given
    achievements_install_defaults()
    focus = joined(user, "focus")
    # when
    response = focus_completed(user, THURSDAY, minutes=25)
    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    assert progress_of(user, focus) == {"progress": 1, "total": 10, "status": "in_progress"}
    board = my_row(read(user, BOARD))
    assert (board["rank"], board["total_minutes"], board["session_count"]) == (1, 25, 1)
    assert read(user, "/api/streaks/me")["current_streak"] == 1
    assert [a["id"] for a in read(user, "/api/achievements/me")] == ["first-focus"]
    assert read(user, "/api/challenges/stats")["total_points"] == 10
    assert my_row(read(user, "/api/challenges/leaders"))["points"] == 10
    assert celery_queue.take() == [totals_job(user, THURSDAY + timedelta(minutes=25))]


def test_others_see_a_completed_focus_session_on_the_leaderboard_once_its_job_ran(user, other_user, celery_queue):
    # given
    focus_completed(user, THURSDAY, minutes=25)
    assert my_row(read(user, BOARD))["total_minutes"] == 25
    assert [row["user"]["username"] for row in read(other_user, BOARD)] == [other_user.username]
    # when: a worker runs the job the completion queued
    with at(LATER):
        celery_queue.run(celery_queue.take())
    # then
    rows = read(other_user, BOARD)
    assert [(row["rank"], row["user"]["username"], row["total_minutes"]) for row in rows] == [
        (1, user.username, 25),
        (2, other_user.username, 0),
    ]


def test_a_completed_task_moves_the_task_challenge_at_once(user, celery_queue):
    # given
    tasks = joined(user, name="Task Tamer", challenge_type="task", target_value=3, points=40)
    task = planned_task(user)
    # when
    response = call(user, "put", f"/api/tasks/{task.pk}", {"completed": True})
    # then
    assert response.status_code == 200, response.content
    assert progress_of(user, tasks) == {"progress": 1, "total": 3, "status": "in_progress"}
    assert celery_queue.take() == []


def test_a_break_after_a_focus_session_moves_the_break_challenge_at_once(user, celery_queue):
    # given
    breaks = joined(user, "break")
    assert focus_completed(user, THURSDAY, minutes=25).status_code == 200
    # when: a 5-minute break right after it
    response = focus_completed(user, THURSDAY + timedelta(minutes=26), minutes=5, session_type="break")
    # then
    assert response.status_code == 200, response.content
    assert progress_of(user, breaks) == {"progress": 1, "total": 5, "status": "in_progress"}
    assert celery_queue.take() == [totals_job(user, THURSDAY + timedelta(minutes=25))]


def test_the_shutdown_points_and_progress_show_right_after_the_reflection(user, celery_queue):
    # given
    shutdowns = joined(user, "shutdown")
    # when: at 13:00 local, before the 17:00 of "log off before 5pm"
    response = call(user, "post", "/api/dashboard/shutdown-reflection", {"productivity_rating": "good"})
    # then: the seed's formula, 10 for the shutdown + 2 for a one-day shutdown streak
    assert response.status_code == 201, response.content
    assert progress_of(user, shutdowns) == {"progress": 1, "total": 5, "status": "in_progress"}
    assert read(user, "/api/challenges/stats")["total_points"] == 12
    assert my_row(read(user, "/api/challenges/leaders"))["points"] == 12
    assert ledger(user, "shutdown_day") == [("2026-05-07", 12)]
    assert celery_queue.take() == []


def test_a_forum_post_unlocks_its_achievement_at_once(user, celery_queue):
    # given
    achievements_install_defaults()
    # when
    response = call(user, "post", "/api/community/posts", {"title": "Hi", "content": "Hello.", "category": "general"})
    # then
    assert response.status_code == 201, response.content
    assert [a["id"] for a in read(user, "/api/achievements/me")] == ["first-post"]
    assert read(user, "/api/challenges/stats")["total_points"] == 10
    assert celery_queue.take() == []


# --- reaching a target, also twice at once -------------------------------------------------------


def test_reaching_the_target_completes_the_challenge_and_awards_its_points_at_once(user, celery_queue):
    # given
    achievements_install_defaults()
    tasks = joined(user, name="Task Tamer", challenge_type="task", target_value=1, points=40)
    task = planned_task(user)
    # when
    response = call(user, "put", f"/api/tasks/{task.pk}", {"completed": True})
    # then: the challenge's 40 points and the Challenger achievement's 20
    assert response.status_code == 200, response.content
    assert progress_of(user, tasks) == {"progress": 1, "total": 1, "status": "completed"}
    assert read(user, "/api/challenges/stats")["total_points"] == 60
    assert [a["id"] for a in read(user, "/api/achievements/me")] == ["challenger"]
    assert celery_queue.take() == []


@pytest.mark.parametrize("same_task", [True, False], ids=["one-task-submitted-twice", "two-tasks-at-once"])
def test_parallel_completions_reaching_the_target_award_its_points_once(user, celery_queue, same_task):
    # given: two requests released at the same moment, each completing a task that reaches the target
    achievements_install_defaults()
    tasks = joined(user, name="Task Tamer", challenge_type="task", target_value=1, points=40)
    first = planned_task(user)
    second = first if same_task else planned_task(user)
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    lock = threading.Lock()

    def complete(task, client):
        try:
            barrier.wait(timeout=10)
            response = client.put(f"/api/tasks/{task.pk}", {"completed": True}, format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    with at(LATER):
        threads = [threading.Thread(target=complete, args=(task, client_for(user))) for task in (first, second)]
        # when
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    # then
    assert statuses == [200, 200]
    assert progress_of(user, tasks) == {"progress": 1, "total": 1, "status": "completed"}
    participation = Participation.objects.get(user=user, weekly_challenge=tasks)
    assert ledger(user, "challenge_completed") == [(str(participation.pk), 40)]
    assert ledger(user, "achievement") == [("challenger", 20)]
    assert UserPoints.objects.get(user=user).total_points == 60
    assert read(user, "/api/challenges/stats")["total_points"] == 60
    assert celery_queue.take() == []


# --- failures heal through the jobs --------------------------------------------------------------


def test_a_failing_refresh_still_answers_the_write_and_its_job_heals_it(user, celery_queue, monkeypatch):
    # given: every refresh in the request fails (the database dropped the connection)
    focus = joined(user, "focus")
    monkeypatch.setattr(challenge_handlers, "challenges_refresh_for_user", failing)
    monkeypatch.setattr(analytics_handlers, "streak_refresh_after_session", failing)
    # when
    response = focus_completed(user, THURSDAY, minutes=25)
    # then: the write stands, and the work waits on the broker for a worker
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    assert progress_of(user, focus)["progress"] == 0
    assert read(user, "/api/streaks/me")["current_streak"] == 0
    assert my_row(read(user, BOARD))["total_minutes"] == 25
    jobs = celery_queue.take()
    assert jobs == [
        ("challenges.refresh_progress", [str(user.pk)]),
        ("analytics.refresh_streak", [str(user.pk)]),
        totals_job(user, THURSDAY + timedelta(minutes=25)),
    ]
    # when: a worker runs them
    with at(LATER):
        celery_queue.run(jobs)
    # then
    assert progress_of(user, focus)["progress"] == 1
    assert read(user, "/api/streaks/me")["current_streak"] == 1


def test_a_refresh_failing_after_its_award_and_a_retried_job_award_once(user, celery_queue, monkeypatch):
    # given: the refresh completes the challenge and awards it, then fails before returning
    achievements_install_defaults()
    joined(user, name="Task Tamer", challenge_type="task", target_value=1, points=40)
    real = challenge_handlers.challenges_refresh_for_user

    def award_then_fail(**kwargs):
        real(**kwargs)
        failing()

    monkeypatch.setattr(challenge_handlers, "challenges_refresh_for_user", award_then_fail)
    task = planned_task(user)
    # when
    response = call(user, "put", f"/api/tasks/{task.pk}", {"completed": True})
    jobs = celery_queue.take()
    with at(LATER):
        celery_queue.run(jobs)
        celery_queue.run(jobs)
    # then
    assert response.status_code == 200, response.content
    assert jobs == [("challenges.refresh_progress", [str(user.pk)])]
    assert sorted(PointsEntry.objects.filter(user=user).values_list("reason", "points")) == [
        ("achievement", 20),
        ("challenge_completed", 40),
    ]
    assert read(user, "/api/challenges/stats")["total_points"] == 60


def test_a_failing_shutdown_award_is_healed_by_its_job(user, celery_queue, monkeypatch):
    # given
    monkeypatch.setattr(challenge_handlers, "shutdown_day_award", failing)
    # when
    response = call(user, "post", "/api/dashboard/shutdown-reflection", {"productivity_rating": "good"})
    jobs = celery_queue.take()
    with at(LATER):
        celery_queue.run(jobs)
    # then
    assert response.status_code == 201, response.content
    assert [name for name, _ in jobs] == ["challenges.award_shutdown_day"]
    assert read(user, "/api/challenges/stats")["total_points"] == 12


def test_a_failing_refresh_with_the_broker_down_still_answers_the_write(user, celery_queue, monkeypatch):
    # given: the refresh fails and so does publishing its job (learnflow.tests.test_faults_redis stops
    # Redis for real)
    task = planned_task(user)
    joined(user, name="Task Tamer", challenge_type="task", target_value=3, points=40)
    monkeypatch.setattr(challenge_handlers, "challenges_refresh_for_user", failing)
    monkeypatch.setattr(outbox, "_publish", failing)
    # when
    response = call(user, "put", f"/api/tasks/{task.pk}", {"completed": True})
    # then: the write is saved and its job kept for the relay
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.completed
    job = OutboxJob.objects.get()
    assert (job.task, job.args, job.sent_at, job.attempts) == (refresh_progress.name, [str(user.pk)], None, 1)


# --- what it costs -------------------------------------------------------------------------------


def test_completing_a_focus_session_costs_a_fixed_number_of_queries_whatever_the_history(
    user, other_user, celery_queue
):
    # given: one user with a session today, another who also focused on each of the 39 days before,
    # both in the focus and the break challenge
    achievements_install_defaults()
    for someone in (user, other_user):
        joined(someone, "focus")
        joined(someone, "break")
    for day in range(1, 40):
        StudySessionFactory(user=other_user, started_at=THURSDAY - timedelta(days=day), planned_duration=25)
    for someone in (user, other_user):
        focus_completed(someone, THURSDAY)
    started = THURSDAY + timedelta(hours=1)
    sessions = {someone: timer_started(someone, started) for someone in (user, other_user)}
    # when: a completion that unlocks nothing new for either
    with CaptureQueriesContext(connection) as short:
        assert timer_completed(user, sessions[user], started + timedelta(minutes=25)).status_code == 200
    with CaptureQueriesContext(connection) as long:
        assert timer_completed(other_user, sessions[other_user], started + timedelta(minutes=25)).status_code == 200
    # then: the completion (7), its summary job in the outbox (2: written in the transaction, marked
    # sent after commit), the focus challenge but not the break one (5), the locked achievements and
    # their three metrics (4) and the streak (1); no more with a long history (fewer, as more
    # achievements are unlocked and their metrics no longer counted)
    assert len(short) == 19
    assert len(long) <= len(short)

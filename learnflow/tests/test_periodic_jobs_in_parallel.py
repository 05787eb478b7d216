"""Every periodic job that walks many rows, run twice at the same time (two threads, each with its
own database connection, as two workers or two beats would): each row is handled once — no
duplicate notification, email, ledger row or rank — and none is lost. Small batches, so each run
walks several keyset pages."""

from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest
import time_machine
from django.utils import timezone

import tasks.jobs
from accounts.choices import NotificationKind
from accounts.models import Notification
from accounts.services import notifications_purge
from accounts.tests.factories import UserFactory
from analytics.jobs import recompute_focus_totals, recompute_streaks
from analytics.leaderboards import focus_totals_refresh
from analytics.models import FocusTotal, Streak
from analytics.streaks import streak_refresh
from challenges.choices import ChallengeType, ParticipationStatus, PointsReason
from challenges.models import Participation, PointsEntry, UserPoints, WeeklyResult
from challenges.services import points_award, weekly_reset
from challenges.tests.factories import ParticipationFactory, default_instance
from focus.tests.factories import StudySessionFactory
from learnflow.testing import at_once
from tasks.models import Goal, Task
from tasks.tests.factories import GoalFactory, TaskFactory

pytestmark = pytest.mark.django_db(transaction=True)

WEEK = date(2026, 5, 4)  # a Monday
WEDNESDAY = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 5, 11, 0, 5, tzinfo=UTC)


def twice_in_parallel(job) -> list:
    """Run ``job()`` in two threads released together; returns both results. A Celery task runs its
    body (``run``): called as a task, a periodic job holds an advisory lock and a second run at the
    same time does nothing (``learnflow.celery``, tested in ``test_faults_beat``), while these tests
    show each job is safe on its own even when two runs overlap."""
    if isinstance(job, partial) and hasattr(job.func, "run"):
        job = partial(job.func.run, *job.args, **job.keywords)
    elif hasattr(job, "run"):
        job = job.run
    return at_once(job)


def test_task_reminders_twice_in_parallel_send_each_once(monkeypatch, mailoutbox):
    # given
    monkeypatch.setattr(tasks.jobs, "BATCH", 3)
    due = timezone.now() - timedelta(minutes=5)
    users = UserFactory.create_batch(4)
    for user in users:
        TaskFactory.create_batch(3, user=user, reminder_enabled=True, reminder_time=due)
    # when
    results = twice_in_parallel(tasks.jobs.send_task_reminders)
    # then
    assert sum(results) == 12
    reminders = Notification.objects.filter(kind=NotificationKind.TASK_REMINDER)
    assert reminders.count() == len({n.data["task_id"] for n in reminders}) == 12
    assert len(mailoutbox) == 12
    assert not Task.objects.filter(reminder_sent_at__isnull=True).exists()


def test_goal_reminders_twice_in_parallel_send_each_once(monkeypatch, mailoutbox):
    # given
    monkeypatch.setattr(tasks.jobs, "BATCH", 2)
    users = UserFactory.create_batch(3)
    for user in users:
        GoalFactory.create_batch(3, user=user)
    Goal.objects.update(created_at=timezone.now() - timedelta(days=8))
    # when
    results = twice_in_parallel(tasks.jobs.send_goal_reminders)
    # then
    assert sum(results) == 9
    reminders = Notification.objects.filter(kind=NotificationKind.GOAL_REMINDER)
    assert reminders.count() == len({(n.user_id, n.data["goal"]) for n in reminders}) == 9
    assert len(mailoutbox) == 9
    assert not Goal.objects.filter(last_reminded_at__isnull=True).exists()


def test_weekly_reset_twice_in_parallel_finalizes_awards_and_ranks_once():
    # given: last week's focus challenge with eight participants, the even ones with 10 sessions
    with time_machine.travel(WEDNESDAY, tick=False):
        instance = default_instance(ChallengeType.FOCUS)
        users = UserFactory.create_batch(8)
        for index, user in enumerate(users):
            ParticipationFactory(user=user, weekly_challenge=instance)
            points_award(user=user, points=index + 1, reason=PointsReason.STAFF_AWARD, source_type="t", source_id="1")
            for n in range(10 if index % 2 == 0 else 3):
                StudySessionFactory(user=user, started_at=WEDNESDAY - timedelta(hours=n + 1), planned_duration=25)
    # when
    with time_machine.travel(NEXT_MONDAY, tick=False):
        results = twice_in_parallel(partial(weekly_reset, batch=3))
    # then
    assert sum(r["finalized"] for r in results) == 1
    statuses = sorted(Participation.objects.values_list("status", flat=True))
    assert statuses == [ParticipationStatus.COMPLETED] * 4 + [ParticipationStatus.INCOMPLETE] * 4
    completions = PointsEntry.objects.filter(reason=PointsReason.CHALLENGE_COMPLETED)
    assert completions.count() == 4 and set(completions.values_list("week_start", flat=True)) == {WEEK}
    notices = Notification.objects.filter(kind=NotificationKind.CHALLENGE)
    assert notices.count() == len({n.dedupe_key for n in notices}) == 4
    assert WeeklyResult.objects.filter(week_start=WEEK).count() == 8
    assert not UserPoints.objects.exclude(week_start=date(2026, 5, 11)).exists()
    assert set(UserPoints.objects.values_list("weekly_points", flat=True)) == {0}


def _studied_users(count: int) -> list:
    users = UserFactory.create_batch(count)
    for index, user in enumerate(users):
        for day in range(index % 4 + 1):
            StudySessionFactory(user=user, started_at=timezone.now() - timedelta(days=day, hours=2))
    return users


def test_recompute_streaks_twice_in_parallel_repairs_every_streak():
    # given: stored streaks that are wrong, and some missing
    users = _studied_users(7)
    for user in users[:4]:
        Streak.objects.create(user=user, current_streak=99, longest_streak=99)
    # when
    results = twice_in_parallel(partial(recompute_streaks, batch=2))
    # then
    assert results == [7, 7]
    repaired = set(Streak.objects.values_list("user_id", "current_streak", "longest_streak", "last_active_date"))
    for user in users:
        streak_refresh(user=user)
    assert Streak.objects.count() == 7
    assert (
        set(Streak.objects.values_list("user_id", "current_streak", "longest_streak", "last_active_date")) == repaired
    )
    assert {row[1] for row in repaired} == {1, 2, 3, 4}


def test_recompute_focus_totals_twice_in_parallel_rebuilds_every_total():
    # given: totals that are wrong, and some missing
    users = _studied_users(7)
    for user in users[:3]:
        focus_totals_refresh(user=user)
    FocusTotal.objects.update(seconds=1, sessions=1)
    # when
    results = twice_in_parallel(partial(recompute_focus_totals, batch=2))
    # then
    assert results == [7, 7]
    rebuilt = set(FocusTotal.objects.values_list("user_id", "period", "period_start", "seconds", "sessions"))
    assert len(rebuilt) == 21
    for user in users:
        focus_totals_refresh(user=user)
    assert set(FocusTotal.objects.values_list("user_id", "period", "period_start", "seconds", "sessions")) == rebuilt


def test_notification_purge_twice_in_parallel_deletes_each_old_read_one_once():
    # given
    user = UserFactory()
    old, recent = timezone.now() - timedelta(days=400), timezone.now()
    for n in range(20):
        Notification.objects.create(user=user, title=f"old read {n}", read_at=old)
    for n in range(5):
        Notification.objects.create(user=user, title=f"old unread {n}")
        Notification.objects.create(user=user, title=f"recent read {n}", read_at=recent)
    Notification.objects.filter(title__startswith="old").update(created_at=old)
    # when
    results = twice_in_parallel(partial(notifications_purge, older_than=timezone.now() - timedelta(days=90), batch=3))
    # then
    assert sum(results) == 20
    assert sorted(Notification.objects.values_list("title", flat=True)) == sorted(
        [f"old unread {n}" for n in range(5)] + [f"recent read {n}" for n in range(5)]
    )

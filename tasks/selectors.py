"""Reads for tasks and goals."""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from learnflow.timeutils import local_day_bounds, local_today, user_zone

from .choices import DueDateRange
from .models import Goal, Progress, Task, percentage


def task_list(*, user) -> QuerySet[Task]:
    return Task.objects.filter(user=user)


def task_due_range_q(*, user, due_range: str, now: datetime | None = None) -> Q:
    """The ``today`` / ``upcoming`` / ``overdue`` buckets, on the user's local calendar."""
    tz = user_zone(user)
    start, end = local_day_bounds(tz, local_today(tz, now))
    return due_range_q(due_range, start=start, end=end)


def due_range_q(due_range: str, *, start: datetime, end: datetime) -> Q:
    """A due-date bucket for the local day ``[start, end)``."""
    if due_range == DueDateRange.TODAY:
        return Q(due_date__gte=start, due_date__lt=end)
    if due_range == DueDateRange.OVERDUE:
        return Q(due_date__lt=start, completed=False)
    if due_range == DueDateRange.UPCOMING:
        return Q(due_date__gte=end)
    raise ValueError(due_range)


#: A task completed sooner than this after it was created earns nothing (it was made to be ticked off).
REWARD_MIN_TASK_AGE = timedelta(minutes=1)


def tasks_rewarded_count(*, user, start: datetime, end: datetime) -> int:
    """How many of the user's tasks completed in ``[start, end)`` earn rewards (the daily shutdown
    points and the task challenge). Only real work counts: a task created already completed, or
    completed within a minute of its creation, does not, and at most
    ``LEARNFLOW_REWARDED_TASKS_PER_DAY`` count on one local day of the user."""
    per_day = (
        Task.objects.filter(user=user, completed=True, completed_at__gte=start, completed_at__lt=end)
        .filter(completed_at__gte=F("created_at") + REWARD_MIN_TASK_AGE)
        .annotate(day=TruncDate("completed_at", tzinfo=user_zone(user)))
        .order_by()
        .values("day")
        .annotate(done=Count("pk"))
    )
    cap = settings.LEARNFLOW_REWARDED_TASKS_PER_DAY
    return sum(min(row["done"], cap) for row in per_day)


def task_tags_any_q(tags: list[str]) -> Q:
    """Tasks having any of ``tags`` (stored lower-case). PostgreSQL uses jsonb containment; SQLite (the
    embedded default), which has no JSON containment, matches the quoted element in the stored text."""
    query = Q()
    for tag in tags:
        if connection.vendor == "postgresql":
            query |= Q(tags__contains=[tag])
        else:
            query |= Q(tags__icontains=json.dumps(tag))
    return query


def goal_list(*, user) -> QuerySet[Goal]:
    """The user's goals by number, with their logged and planned totals summed in SQL (one query for any
    number). The order is explicit: ``Meta.ordering`` does not apply to an aggregating query."""
    return (
        Goal.objects.filter(user=user)
        .annotate(logged_total=Sum("entries__logged_hours"), planned_total=Sum("entries__total_hours"))
        .order_by("number")
    )


def goal_completion_percentage(goal: Goal) -> float:
    """Sum logged ÷ sum planned over the goal's entries (from ``goal_list``'s annotations)."""
    return percentage(goal.logged_total, goal.planned_total)


def progress_list(*, user) -> QuerySet[Progress]:
    return Progress.objects.filter(goal__user=user).select_related("goal")


def tasks_export(*, user) -> list[dict]:
    return list(
        Task.objects.filter(user=user)
        .order_by("created_at")
        .values(
            "id",
            "title",
            "description",
            "start_date",
            "due_date",
            "completed",
            "completed_at",
            "priority",
            "tags",
            "reminder_enabled",
            "reminder_time",
            "recurrence",
            "created_at",
            "updated_at",
        )
    )


def goals_export(*, user) -> list[dict]:
    goals = list(goal_list(user=user).order_by("number").prefetch_related("entries"))
    return [
        {
            "number": goal.number,
            "goal_name": goal.goal_name,
            "category": goal.category,
            "deadline": goal.deadline,
            "is_complete": goal.is_complete,
            "completion_percentage": goal_completion_percentage(goal),
            "created_at": goal.created_at,
            "progress": [
                {
                    "number": entry.number,
                    "progress": entry.progress,
                    "logged_hours": entry.logged_hours,
                    "total_hours": entry.total_hours,
                    "created_at": entry.created_at,
                }
                for entry in goal.entries.all()
            ],
        }
        for goal in goals
    ]

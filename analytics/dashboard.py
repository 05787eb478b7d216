"""The SPA's home screen in one read (``GET /api/dashboard``).

Product rules (docs/product-rules.md, "Home dashboard"):

* Every figure is the one its own endpoint gives: today's minutes are ``summary/today``'s, the
  streaks are ``streaks/me``'s, the points and rank are the weekly challenge leaderboard's, the
  unread counts are the notification and message badges'. The dashboard only gathers them.
* **Tasks** are the caller's open tasks due today and overdue (due before today, still open), on the
  local calendar, earliest due first (then higher priority), the first 5 of each with the counts.
* **Challenges** are this week's active challenges, joined or not; progress, target and status
  are the caller's and null when not joined.
* **Rank** is the caller's place in this challenge week by weekly points: one more than the number of
  users with more points (ties share a rank, 0 points ranks after everyone who scored).

A fixed number of queries whatever the data (at most 15 with the authentication; tested).
"""

import uuid
from datetime import date, datetime

from django.db import connection
from django.db.models import Count, Exists, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.selectors import notification_list
from analytics import reports, streaks
from analytics.models import WeeklyReview
from challenges import selectors as challenge_selectors
from challenges import services as challenge_services
from challenges.models import UserPoints
from challenges.weeks import current_week
from community.messaging import unread_messages
from focus.rooms.models import RoomParticipant
from focus.rooms.selectors import is_present, timer_state
from focus.selectors import focus_session_current, focus_sessions_running
from learnflow.cache import CacheReads
from learnflow.compiled import CompiledValues, scalar
from learnflow.timeutils import local_day_bounds, local_today, user_zone
from tasks.choices import DueDateRange
from tasks.selectors import due_range_q, task_list

#: Tasks listed in each bucket; the counts cover them all.
TASKS_SHOWN = 5


def _badges_query(*, user, week: date) -> QuerySet:
    """The counts and points, and whether a timer runs and the user has a room seat (each read only
    then), gathered in one query of scalar subqueries."""
    points = UserPoints.objects.filter(user=user)
    weekly = Coalesce(Subquery(points.filter(week_start=week).values("weekly_points")), 0)
    return (
        User.objects.filter(pk=user)
        .order_by()
        .values(
            points_total=Coalesce(Subquery(points.values("total_points")), 0),
            points_week=weekly,
            users_ahead=challenge_selectors.users_above_expression(week=week, points=weekly),
            unread_notifications=scalar(notification_list(user=user).filter(read_at__isnull=True)),
            unread_messages=scalar(unread_messages(user=user)),
            timer_runs=Exists(focus_sessions_running(user=user)),
            seated=Exists(RoomParticipant.objects.filter(user=user)),
        )
    )


# The hot reads, compiled once (learnflow.compiled): building and compiling them cost more than
# PostgreSQL's work.
_badges = CompiledValues(_badges_query, user=uuid.UUID, week=date)


#: The fields of a listed task, as the dashboard shows them.
TASK_FIELDS = ("id", "title", "due_date", "priority", "completed", "tags")


def _first_open(*, user, due_range: str, start: datetime, end: datetime) -> QuerySet:
    """A bucket's first open tasks, earliest due first, each row with the bucket's count (a window
    over the bucket before the slice)."""
    return (
        task_list(user=user)
        .filter(due_range_q(due_range, start=start, end=end), completed=False)
        .annotate(bucket=Value(due_range))
        .order_by("due_date", "-priority_rank", "created_at")
        .annotate(count=Window(Count("pk")))
        .values(*TASK_FIELDS, "priority_rank", "created_at", "bucket", "count")[:TASKS_SHOWN]
    )


# Both buckets in one query (a ``UNION ALL``), where the database can slice inside one; else (SQLite,
# the embedded default) one query each.
_open_tasks = CompiledValues(
    lambda *, user, start, end: _first_open(user=user, due_range=DueDateRange.TODAY, start=start, end=end).union(
        _first_open(user=user, due_range=DueDateRange.OVERDUE, start=start, end=end), all=True
    ),
    user=uuid.UUID,
    start=datetime,
    end=datetime,
)
_due_today = CompiledValues(
    lambda *, user, start, end: _first_open(user=user, due_range=DueDateRange.TODAY, start=start, end=end),
    user=uuid.UUID,
    start=datetime,
    end=datetime,
)
_overdue = CompiledValues(
    lambda *, user, start: _first_open(user=user, due_range=DueDateRange.OVERDUE, start=start, end=start),
    user=uuid.UUID,
    start=datetime,
)


def _tasks(*, user) -> dict[str, dict]:
    """Each bucket's count of open tasks and its first ones, earliest due first."""
    tz = user_zone(user)
    start, end = local_day_bounds(tz, local_today(tz))
    buckets = {due_range: {"count": 0, "items": []} for due_range in (DueDateRange.TODAY, DueDateRange.OVERDUE)}
    if connection.features.supports_slicing_ordering_in_compound:
        rows = _open_tasks(user=user.pk, start=start, end=end)
    else:
        rows = [*_due_today(user=user.pk, start=start, end=end), *_overdue(user=user.pk, start=start)]
    for row in sorted(rows, key=lambda row: (row["due_date"], -row["priority_rank"], row["created_at"])):
        buckets[row["bucket"]]["count"] = row["count"]
        buckets[row["bucket"]]["items"].append({field: row[field] for field in TASK_FIELDS})
    return buckets


def _week_challenges(*, user, week, reads: CacheReads | None) -> list[dict]:
    """``/api/challenges/week``'s items (the instances made on first need), as the dashboard shows them."""
    return [
        {
            "id": item["id"],
            "name": item["name"],
            "challenge_type": item["challenge_type"],
            "points": item["points"],
            "joined_count": item["joined_count"],
            "joined": item["status"] is not None,
            "progress": item["progress"],
            "total": item["total"],
            "status": item["status"],
        }
        for item in challenge_services.week_challenges_ensured(user=user, week=week, reads=reads)
    ]


def _room(*, user, now) -> dict | None:
    seat = RoomParticipant.objects.filter(user=user).select_related("room").first()
    if seat is None:
        return None
    room = seat.room
    return {
        "id": room.pk,
        "name": room.name,
        "group_id": room.group_id,
        "present": is_present(seat, now),
        "timer": timer_state(room, now),
    }


def _streak(streak: dict) -> dict:
    return {
        "current_streak": streak["current_streak"],
        "longest_streak": streak["longest_streak"],
        "last_active_date": streak["last_active_date"],
        "streak_start_date": streak["streak_start_date"],
        "days_until_break": streak["days_until_break"],
        "active_today": streak["active_today"],
    }


#: The fields of the latest weekly review, as the dashboard shows it.
REVIEW_FIELDS = (
    "id", "week_start", "week_end", "weekly_summary", "patterns", "recommendations", "generated_by", "created_at",
)  # fmt: skip


# The latest weekly review, compiled once (learnflow.compiled).
_latest_review = CompiledValues(
    lambda *, user: WeeklyReview.objects.filter(user=user).order_by("-week_start").values(*REVIEW_FIELDS)[:1],
    user=uuid.UUID,
)


def cache_keys() -> list[str]:
    """The cache keys a dashboard read looks up (the week's challenges), to be read with the token's
    user in one round trip."""
    return challenge_selectors.week_cache_keys(week=current_week())


def dashboard(*, user, reads: CacheReads | None = None) -> dict:
    """The dashboard in the shape ``DashboardSerializer`` documents, as plain values (serializing
    them field by field cost more than computing them), but for the running timer (a session) and
    the room, which the view serializes when there is one."""
    now = timezone.now()
    week = current_week(now)
    badges = _badges(user=user.pk, week=week)[0]
    today = reports.today_summary(user=user)
    day = today["today"]
    tasks = _tasks(user=user)
    review = _latest_review(user=user.pk)
    return {
        "user": {
            "id": user.pk,
            "username": user.username,
            "full_name": user.full_name,
            "avatar_url": user.avatar_url,
            "tier": user.tier,
            "points_total": badges["points_total"],
            "points_this_week": badges["points_week"],
        },
        "today": {
            "session_count": day["session_count"],
            "total_minutes": day["total_minutes"],
            "verified_minutes": day["verified_minutes"],
            "manual_minutes": day["manual_minutes"],
            "date": day["date"],
            "goal_percent": day["goal_percent"],
            "goal_minutes": today["goal_minutes"],
            "active_timer": focus_session_current(user=user) if badges["timer_runs"] else None,
            "room": _room(user=user, now=now) if badges["seated"] else None,
        },
        "streaks": {
            "study": _streak(streaks.study_streak(user=user)),
            "shutdown": _streak(streaks.shutdown_streak_summary(user=user)),
        },
        "tasks": {"due_today": tasks[DueDateRange.TODAY], "overdue": tasks[DueDateRange.OVERDUE]},
        "challenges": {"week_start": week, "items": _week_challenges(user=user, week=week, reads=reads)},
        "unread": {"notifications": badges["unread_notifications"], "messages": badges["unread_messages"]},
        "latest_weekly_review": review[0] if review else None,
        "leaderboard": {
            "week_start": week,
            "rank": badges["users_ahead"] + 1,
            "points": badges["points_week"],
        },
    }

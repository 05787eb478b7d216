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

from django.db import connection
from django.db.models import Func, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.selectors import notification_list
from analytics import reports, streaks
from analytics.models import WeeklyReview
from challenges import services as challenge_services
from challenges.models import Participation, UserPoints, WeeklyChallenge
from challenges.weeks import current_week
from community.messaging import unread_messages
from focus.rooms.models import RoomParticipant
from focus.rooms.selectors import is_present, timer_state
from focus.selectors import focus_session_current
from tasks.choices import DueDateRange
from tasks.selectors import task_due_range_q, task_list

#: Tasks listed in each bucket; the counts cover them all.
TASKS_SHOWN = 5


def _count(queryset: QuerySet) -> Subquery:
    """``SELECT COUNT(*)`` of a queryset, as a scalar subquery."""
    return Subquery(queryset.order_by().values(n=Func(Value(1), function="COUNT")), output_field=IntegerField())


def _badges(*, user, week) -> dict:
    """The counts and points, gathered in one query of scalar subqueries."""
    points = UserPoints.objects.filter(user=user)
    weekly = Coalesce(Subquery(points.filter(week_start=week).values("weekly_points")), 0)
    open_tasks = task_list(user=user).filter(completed=False)
    return (
        User.objects.filter(pk=user.pk)
        .values(
            points_total=Coalesce(Subquery(points.values("total_points")), 0),
            points_week=weekly,
            users_ahead=_count(UserPoints.objects.filter(week_start=week, weekly_points__gt=weekly)),
            unread_notifications=_count(notification_list(user=user).filter(read_at__isnull=True)),
            unread_messages=_count(unread_messages(user=user)),
            due_today_count=_count(open_tasks.filter(task_due_range_q(user=user, due_range=DueDateRange.TODAY))),
            overdue_count=_count(open_tasks.filter(task_due_range_q(user=user, due_range=DueDateRange.OVERDUE))),
        )
        .get()
    )


def _tasks(*, user) -> dict[str, list]:
    """The first open tasks of each bucket, earliest due first, in one query (a ``UNION ALL`` of
    both, where the database can slice inside one)."""

    def first(due_range: str) -> QuerySet:
        return (
            task_list(user=user)
            .filter(task_due_range_q(user=user, due_range=due_range), completed=False)
            .annotate(bucket=Value(due_range))
            .order_by("due_date", "-priority_rank", "created_at")[:TASKS_SHOWN]
        )

    buckets = {DueDateRange.TODAY: [], DueDateRange.OVERDUE: []}
    if connection.features.supports_slicing_ordering_in_compound:
        rows = list(first(DueDateRange.TODAY).union(first(DueDateRange.OVERDUE), all=True))
    else:  # SQLite, the embedded default: two queries
        rows = [*first(DueDateRange.TODAY), *first(DueDateRange.OVERDUE)]
    for task in sorted(rows, key=lambda task: (task.due_date, -task.priority_rank, task.created_at)):
        buckets[task.bucket].append(task)
    return buckets


def _week_challenges(*, user, week) -> list[WeeklyChallenge]:
    mine = Participation.objects.filter(user=user, weekly_challenge=OuterRef("pk"))
    rows = (
        WeeklyChallenge.objects.filter(week_start=week, challenge__is_active=True)
        .select_related("challenge")
        .annotate(
            joined_count=_count(Participation.objects.filter(weekly_challenge=OuterRef("pk"))),
            my_progress=Subquery(mine.values("progress")),
            my_status=Subquery(mine.values("status")),
        )
        .order_by("challenge__name")
    )
    found = list(rows)
    # The week's challenges are made on first need (as ``/api/challenges/week`` does); only the first
    # read of a new week pays for it.
    if not found and challenge_services.weekly_challenges_create_missing(week=week):
        found = list(rows.all())
    return found


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


def dashboard(*, user) -> dict:
    now = timezone.now()
    week = current_week(now)
    badges = _badges(user=user, week=week)
    today = reports.today_summary(user=user)
    tasks = _tasks(user=user)
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
            **today["today"],
            "goal_minutes": today["goal_minutes"],
            "active_timer": focus_session_current(user=user),
            "room": _room(user=user, now=now),
        },
        "streaks": {"study": streaks.study_streak(user=user), "shutdown": streaks.shutdown_streak_summary(user=user)},
        "tasks": {
            "due_today": {
                "count": badges["due_today_count"],
                "items": tasks[DueDateRange.TODAY],
            },
            "overdue": {
                "count": badges["overdue_count"],
                "items": tasks[DueDateRange.OVERDUE],
            },
        },
        "challenges": {"week_start": week, "items": _week_challenges(user=user, week=week)},
        "unread": {"notifications": badges["unread_notifications"], "messages": badges["unread_messages"]},
        "latest_weekly_review": WeeklyReview.objects.filter(user=user).order_by("-week_start").first(),
        "leaderboard": {
            "week_start": week,
            "rank": badges["users_ahead"] + 1,
            "points": badges["points_week"],
        },
    }

"""The end-of-day shutdown ritual: today's summary, reflections and the shutdown streak.

Product rules (also in docs/product-rules.md):

* Today's tasks are the user's tasks due on their local today or completed on it.
* ``focusTime`` is today's verified focus minutes: timer sessions started on the local day that have
  ended, completed or stopped (the server timed both).
* The shutdown streak counts consecutive local days with at least one reflection, ending today, or
  yesterday while today's reflection is not written yet.
* ``pointsEarned`` is the seed's daily formula: 10 for the day's shutdown, 5 per task completed that
  day that earns rewards (``tasks.selectors.tasks_rewarded_count``: not ticked off within a minute of
  its creation, at most ``LEARNFLOW_REWARDED_TASKS_PER_DAY``), 15 when the focus goal is met, and 2
  per streak day up to 20. ``tasksCompleted`` still shows every completed task of the day.
* ``clockedOutTime`` is the local time of today's latest reflection, or now before there is one.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from learnflow import events
from learnflow.timeutils import local_day_bounds, local_now, user_zone
from tasks.models import Task
from tasks.selectors import tasks_rewarded_count

from .models import ShutdownReflection
from .selectors import verified_sessions

SHUTDOWN_REFLECTED = "shutdown_reflected"
TODAY_TASKS_SHOWN = 10
STREAK_LOOKBACK_DAYS = 400


def daily_points(*, tasks_completed: int, focus_minutes: int, focus_goal: int, streak: int) -> int:
    points = 10 + 5 * tasks_completed
    if focus_minutes >= focus_goal:
        points += 15
    return points + min(streak * 2, 20)


def shutdown_streak(*, user, today: date) -> int:
    days = set(
        ShutdownReflection.objects.filter(user=user, local_date__gt=today - timedelta(days=STREAK_LOOKBACK_DAYS))
        .values_list("local_date", flat=True)
        .distinct()
    )
    return streak_through(days, today)


def streak_through(days: set[date], today: date) -> int:
    """The run of consecutive days ending today, or yesterday while today is still open."""
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def verified_focus_minutes(*, user, start, end) -> int:
    seconds = (
        verified_sessions(stopped=True)
        .filter(user=user, started_at__gte=start, started_at__lt=end)
        .aggregate(total=Coalesce(Sum("duration_seconds"), 0))["total"]
    )
    return seconds // 60


def shutdown_summary(*, user, now=None) -> dict:
    tz = user_zone(user)
    local = local_now(tz, now)
    start, end = local_day_bounds(tz, local.date())
    today = Task.objects.filter(user=user).filter(
        Q(due_date__gte=start, due_date__lt=end) | Q(completed_at__gte=start, completed_at__lt=end)
    )
    counts = today.aggregate(total=Count("pk"), done=Count("pk", filter=Q(completed=True)))
    shown = list(today.order_by("completed", "due_date", "created_at").values("title", "completed")[:TODAY_TASKS_SHOWN])
    focus_minutes = verified_focus_minutes(user=user, start=start, end=end)
    streak = shutdown_streak(user=user, today=local.date())
    last = ShutdownReflection.objects.filter(user=user, local_date=local.date()).order_by("-created_at").first()
    clocked_out = last.created_at.astimezone(tz) if last else local
    return {
        "tasksCompleted": counts["done"],
        "tasksTotal": counts["total"],
        "pendingTasks": counts["total"] - counts["done"],
        "todayTasks": [{"name": row["title"], "completed": row["completed"]} for row in shown],
        "focusTime": focus_minutes,
        "focusGoal": user.daily_focus_goal_minutes,
        "shutdownStreak": streak,
        "pointsEarned": daily_points(
            tasks_completed=tasks_rewarded_count(user=user, start=start, end=end),
            focus_minutes=focus_minutes,
            focus_goal=user.daily_focus_goal_minutes,
            streak=streak,
        ),
        "clockedOutTime": clocked_out.strftime("%H:%M"),
    }


@transaction.atomic
def shutdown_reflect(
    *,
    user,
    productivity_rating: str,
    reflection_note: str = "",
    mindful_disconnect_completed: list[bool] | None = None,
    session_id: str = "",
) -> ShutdownReflection:
    """Save a reflection on the user's local today and announce it (challenges count shutdowns and
    award the day's points once)."""
    now = timezone.now()
    reflection = ShutdownReflection.objects.create(
        user=user,
        productivity_rating=productivity_rating,
        reflection_note=reflection_note or "",
        mindful_disconnect_completed=list(mindful_disconnect_completed or []),
        session_id=session_id or "",
        local_date=local_now(user_zone(user), now).date(),
    )
    events.activity_recorded(user=user, kind=SHUTDOWN_REFLECTED, obj=reflection, occurred_at=now)
    return reflection


def shutdown_history(*, user, limit: int) -> list[ShutdownReflection]:
    return list(ShutdownReflection.objects.filter(user=user).order_by("-created_at", "-id")[:limit])

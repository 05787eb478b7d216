"""Reads for focus sessions: the current session and the timer's daily and weekly summaries.

Summaries cover timer sessions started on the user's local day(s). ``total_focus_sessions`` counts
completed focus sessions; ``total_focus_time`` and ``total_break_time`` (seconds) add up every ended
timer session of that type, stopped ones included: that time was timed by the server.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate

from community.models import Group, Membership
from learnflow.timeutils import local_day_bounds, local_midnight, user_zone, week_start

from .choices import TIMED_SOURCES, SessionStatus, SessionType
from .models import ShutdownReflection, StudySession

ENDED = (SessionStatus.COMPLETED, SessionStatus.STOPPED)
_TOTALS = {
    "total_focus_sessions": Count("pk", filter=Q(session_type=SessionType.FOCUS, status=SessionStatus.COMPLETED)),
    "total_focus_time": Coalesce(
        Sum("duration_seconds", filter=Q(session_type=SessionType.FOCUS, status__in=ENDED)), 0
    ),
    "total_break_time": Coalesce(
        Sum("duration_seconds", filter=Q(session_type=SessionType.BREAK, status__in=ENDED)), 0
    ),
}


def verified_sessions(*, session_type: str = SessionType.FOCUS, stopped: bool = False) -> QuerySet[StudySession]:
    """Time the server vouches for: completed sessions of ``session_type`` that it timed itself
    (``TIMED_SOURCES``: the timer and rooms) and marked verified. Points, challenges, achievements,
    leaderboards and public figures count these; manual logs never. ``stopped`` adds the timers
    stopped early, whose time the server measured too: the shutdown ritual's focus time of the day
    counts them, rewards never do."""
    return StudySession.objects.filter(
        session_type=session_type,
        status__in=ENDED if stopped else (SessionStatus.COMPLETED,),
        source__in=TIMED_SOURCES,
        verified=True,
    )


def counts_as_session() -> Q:
    """A verified focus session counts as a *session* from ``LEARNFLOW_MIN_COUNTED_FOCUS_MINUTES``
    (10) verified minutes, so a string of one-minute timers is not a string of sessions."""
    return Q(duration_seconds__gte=settings.LEARNFLOW_MIN_COUNTED_FOCUS_MINUTES * 60)


def counted_timer_sessions(*, user, session_type: str) -> QuerySet[StudySession]:
    """The sessions that count as *sessions* toward rewards (challenge progress, session and streak
    achievements): completed, verified timer sessions of ``session_type``, and for focus only those of
    at least ``LEARNFLOW_MIN_COUNTED_FOCUS_MINUTES`` (10) verified minutes, so a string of one-minute
    timers is not a string of focus sessions. Sums of time count every verified minute instead."""
    sessions = verified_sessions(session_type=session_type).filter(user=user)
    if session_type == SessionType.FOCUS:
        sessions = sessions.filter(counts_as_session())
    return sessions


def public_stats(*, users) -> dict:
    """The study figures of public profiles: every verified focus minute, and the focus sessions that
    count as sessions (``counts_as_session``), all time; one query for all ``users``."""
    stats = {user.pk: {"total_verified_minutes": 0, "total_sessions": 0} for user in users}
    rows = (
        verified_sessions()
        .filter(user__in=list(stats))
        .values("user_id")
        .annotate(seconds=Coalesce(Sum("duration_seconds"), 0), sessions=Count("pk", filter=counts_as_session()))
        .order_by()
    )
    for row in rows:
        stats[row["user_id"]] = {"total_verified_minutes": row["seconds"] // 60, "total_sessions": row["sessions"]}
    return stats


def study_session_list(*, user) -> QuerySet[StudySession]:
    return StudySession.objects.filter(user=user)


def session_group_choices(*, user, current_group_id=None) -> QuerySet[Group]:
    """The groups a session may be put in: the active groups the user is a member of. A session keeps
    its group after the user leaves it, so on an edit its current group (``current_group_id``) stays
    acceptable as well: sending it back unchanged is not an error."""
    mine = Q(is_active=True, pk__in=Membership.objects.filter(user=user).values("group_id"))
    if current_group_id is not None:
        mine |= Q(pk=current_group_id)
    return Group.objects.filter(mine)


def focus_sessions_running(*, user) -> QuerySet[StudySession]:
    return StudySession.objects.filter(user=user, status=SessionStatus.ACTIVE)


def focus_session_current(*, user) -> StudySession | None:
    return focus_sessions_running(user=user).first()


def _timer_sessions(*, user, start, end) -> QuerySet[StudySession]:
    return StudySession.objects.filter(
        user=user, source__in=TIMED_SOURCES, started_at__gte=start, started_at__lt=end
    ).order_by("started_at")


def focus_day_summary(*, user, day: date) -> dict:
    start, end = local_day_bounds(user_zone(user), day)
    sessions = _timer_sessions(user=user, start=start, end=end)
    return {"date": start, **sessions.aggregate(**_TOTALS), "focus_sessions": list(sessions)}


def focus_week_summary(*, user, day: date) -> dict:
    """The local week (Monday to Monday) holding ``day``, with a summary for each of its 7 days."""
    tz = user_zone(user)
    monday = week_start(day)
    start, end = local_midnight(tz, monday), local_midnight(tz, monday + timedelta(days=7))
    sessions = _timer_sessions(user=user, start=start, end=end)
    per_day = {
        row.pop("day"): row
        for row in sessions.annotate(day=TruncDate("started_at", tzinfo=tz))
        .values("day")
        .annotate(**_TOTALS)
        .order_by()
    }
    by_day: dict[date, list] = {}
    for session in sessions:
        by_day.setdefault(session.started_at.astimezone(tz).date(), []).append(session)
    empty = {"total_focus_sessions": 0, "total_focus_time": 0, "total_break_time": 0}
    days = [monday + timedelta(days=n) for n in range(7)]
    return {
        "week_start": start,
        "week_end": end,
        **{key: sum(row[key] for row in per_day.values()) for key in empty},
        "daily_summaries": [
            {"date": local_midnight(tz, d), **per_day.get(d, empty), "focus_sessions": by_day.get(d, [])} for d in days
        ],
    }


def study_sessions_export(*, user) -> list[dict]:
    return list(
        StudySession.objects.filter(user=user)
        .order_by("started_at")
        .values(
            "id",
            "session_type",
            "topic",
            "notes",
            "task_id",
            "group_id",
            "room_id",
            "started_at",
            "ended_at",
            "planned_duration",
            "duration_seconds",
            "status",
            "source",
            "verified",
            "ai_summary",
            "ai_summary_status",
            "created_at",
        )
    )


def shutdown_reflections_export(*, user) -> list[dict]:
    return list(
        ShutdownReflection.objects.filter(user=user)
        .order_by("created_at")
        .values(
            "id",
            "local_date",
            "productivity_rating",
            "reflection_note",
            "mindful_disconnect_completed",
            "session_id",
            "created_at",
        )
    )

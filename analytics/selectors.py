"""Reads for analytics. Every figure is aggregated in SQL."""

from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate

from accounts.models import User
from challenges.weeks import current_week, week_bounds
from community.choices import ResourceType
from community.models import Membership, Resource
from focus.choices import SessionStatus, SessionType
from focus.models import StudySession
from focus.selectors import counts_as_session, study_session_list, verified_sessions
from learnflow import ai
from learnflow.timeutils import local_midnight, user_zone

from .models import FocusTotal, Streak, WeeklyReview

#: Study that counts in personal stats: completed focus sessions (timed) and manual logs; breaks and
#: stopped or running timers do not.
COUNTED = Q(session_type=SessionType.FOCUS, status=SessionStatus.COMPLETED)


def counted_sessions(*, user) -> QuerySet[StudySession]:
    return study_session_list(user=user).filter(COUNTED)


def study_stats(*, user) -> dict:
    """The AI tracker's stats: total sessions and minutes, average minutes, most frequent topic."""
    sessions = counted_sessions(user=user)
    totals = sessions.aggregate(
        total_sessions=Count("pk"),
        total_seconds=Coalesce(Sum("duration_seconds"), 0),
        average_seconds=Avg("duration_seconds"),
    )
    top = (
        sessions.exclude(topic="")
        .values("topic")
        .annotate(n=Count("pk"), last=Coalesce(Sum("duration_seconds"), 0))
        .order_by("-n", "-last", "topic")
        .first()
    )
    return {
        "total_sessions": totals["total_sessions"],
        "total_minutes": totals["total_seconds"] // 60,
        "average_duration": round((totals["average_seconds"] or 0) / 60, 1),
        "most_frequent_topic": top["topic"] if top else None,
    }


def time_by_group(*, user, date_from: date | None = None, date_to: date | None = None) -> dict:
    """How the user's counted study splits over their groups (sessions without a group are
    "Personal"), between two local dates inclusive; largest share first. A session keeps its group
    after the user leaves it, so past groups still appear."""
    sessions = counted_sessions(user=user)
    if date_from:
        sessions = sessions.filter(local_date__gte=date_from)
    if date_to:
        sessions = sessions.filter(local_date__lte=date_to)
    rows = list(
        sessions.values("group_id", "group__group_name")
        .annotate(seconds=Coalesce(Sum("duration_seconds"), 0), session_count=Count("pk"))
        .order_by("-seconds", "group__group_name")
    )
    total = sum(row["seconds"] for row in rows)
    return {
        "date_from": date_from,
        "date_to": date_to,
        "total_minutes": total // 60,
        "groups": [
            {
                "group_id": row["group_id"],
                "group_name": row["group__group_name"] or "Personal",
                "total_minutes": row["seconds"] // 60,
                "session_count": row["session_count"],
                "percentage": round(100 * row["seconds"] / total, 1) if total else 0.0,
            }
            for row in rows
        ],
    }


def week_facts(*, user, start: datetime, end: datetime, previous_minutes: int) -> ai.WeekFacts:
    """What the AI (or the offline writer) is told about a period: each counted session's local day,
    topic, minutes and whether the timer measured it."""
    tz = user_zone(user)
    rows = (
        counted_sessions(user=user)
        .filter(started_at__gte=start, started_at__lt=end)
        .annotate(day=TruncDate("started_at", tzinfo=tz))
        .order_by("started_at")
        .values_list("day", "topic", "duration_seconds", "verified")[:500]
    )
    return ai.WeekFacts(
        start=start.astimezone(tz).date(),
        end=(end - timedelta(seconds=1)).astimezone(tz).date(),
        sessions=[(day, topic, (seconds or 0) // 60, verified) for day, topic, seconds, verified in rows],
        previous_week_minutes=previous_minutes,
        daily_goal_minutes=user.daily_focus_goal_minutes,
    )


def counted_minutes(*, user, start: datetime, end: datetime) -> int:
    seconds = (
        counted_sessions(user=user)
        .filter(started_at__gte=start, started_at__lt=end)
        .aggregate(total=Coalesce(Sum("duration_seconds"), 0))["total"]
    )
    return seconds // 60


def local_week_bounds(*, user, monday: date) -> tuple[datetime, datetime]:
    tz = user_zone(user)
    return local_midnight(tz, monday), local_midnight(tz, monday + timedelta(days=7))


def weekly_reviews_export(*, user) -> list[dict]:
    return list(
        WeeklyReview.objects.filter(user=user)
        .order_by("week_start")
        .values("week_start", "week_end", "weekly_summary", "patterns", "recommendations", "generated_by")
    )


#: How many members a group's stats name as its most active this week.
MOST_ACTIVE_SIZE = 5


def group_stats(*, group) -> dict:
    """A group's study, counted in SQL. The group's sessions are the verified focus sessions (see
    ``focus.selectors.verified_sessions``) put in this group by its current members: a session logged
    elsewhere does not count, nor one of somebody who has left. Minutes count every verified minute;
    sessions count those that count as sessions (10 minutes or more). This week is the challenge
    week (Monday to Monday in ``LEARNFLOW_WEEK_TIMEZONE``, one calendar for every member), by when
    the session ended, as on the leaderboards. The most active members are the top
    ``MOST_ACTIVE_SIZE`` by this week's minutes (then username); resources count the group's library
    (not deleted) by type. Five queries whatever the group's size."""
    members = Membership.objects.filter(group=group)
    sessions = verified_sessions().filter(group=group, user__in=members.values("user_id"))
    monday = current_week()
    start, end = week_bounds(monday)
    this_week = Q(ended_at__gte=start, ended_at__lt=end)
    counted = counts_as_session()
    totals = sessions.aggregate(
        week_seconds=Coalesce(Sum("duration_seconds", filter=this_week), 0),
        week_sessions=Count("pk", filter=this_week & counted),
        all_seconds=Coalesce(Sum("duration_seconds"), 0),
        all_sessions=Count("pk", filter=counted),
    )
    top = (
        sessions.filter(this_week)
        .values("user_id", "user__username", "user__full_name", "user__avatar_source", "user__avatar_key")
        .annotate(seconds=Sum("duration_seconds"), sessions=Count("pk", filter=counted))
        .order_by("-seconds", "user__username")[:MOST_ACTIVE_SIZE]
    )
    by_type = dict.fromkeys(ResourceType.values, 0)
    rows = Resource.objects.filter(group=group, is_deleted=False).values("resource_type").annotate(n=Count("pk"))
    by_type.update({row["resource_type"]: row["n"] for row in rows.order_by()})
    return {
        "group_id": group.pk,
        "member_count": members.count(),
        "week_start": monday,
        "this_week": {"verified_minutes": totals["week_seconds"] // 60, "session_count": totals["week_sessions"]},
        "all_time": {"verified_minutes": totals["all_seconds"] // 60, "session_count": totals["all_sessions"]},
        "most_active_members": [
            {
                "user": {
                    "id": row["user_id"],
                    "username": row["user__username"],
                    "avatar_url": User(
                        pk=row["user_id"],
                        username=row["user__username"],
                        full_name=row["user__full_name"],
                        avatar_source=row["user__avatar_source"],
                        avatar_key=row["user__avatar_key"],
                    ).avatar_url,
                },
                "verified_minutes": row["seconds"] // 60,
                "session_count": row["sessions"],
            }
            for row in top
        ],
        "resources_by_type": by_type,
    }


def streak_export(*, user) -> dict | None:
    return (
        Streak.objects.filter(user=user)
        .values("current_streak", "longest_streak", "last_active_date", "streak_start_date", "updated_at")
        .first()
    )


def focus_totals_export(*, user) -> list[dict]:
    return list(
        FocusTotal.objects.filter(user=user)
        .order_by("period", "period_start")
        .values("period", "period_start", "seconds", "sessions")
    )

"""Streaks: consecutive local days with study (completed focus sessions, timed or logged by hand:
the personal streak counts manual logs) and with a shutdown reflection.

A day is the user's local date when the activity happened, so moving to another timezone later
does not move past days. The stored ``Streak`` row is written only by ``streak_refresh`` (after each
session, and nightly by ``recompute_streaks``); reads never write, and judge the stored row against
today: a streak whose last day is before yesterday reads as broken.
"""

import uuid
from collections import defaultdict
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from focus.models import ShutdownReflection, StudySession
from focus.shutdown import streak_through
from learnflow import bulk
from learnflow.compiled import CompiledValues
from learnflow.timeutils import day_runs, local_today, user_zone

from .models import Streak
from .selectors import COUNTED, counted_sessions


def _session_days(user):
    return counted_sessions(user=user).annotate(
        day=Coalesce("local_date", TruncDate("started_at", tzinfo=user_zone(user)))
    )


def study_days(*, user) -> list[date]:
    return sorted(_session_days(user).order_by().values_list("day", flat=True).distinct())


def streak_refresh(*, user) -> Streak:
    """Recompute the stored streak from the sessions (idempotent). The row is locked before the
    sessions are read, so of two refreshes racing (two requests of one user, a request and a job)
    the one that writes last has also read last, and counts every session committed before it."""
    with transaction.atomic():
        streak, _ = Streak.objects.select_for_update().get_or_create(user=user)
        longest, start, last = day_runs(study_days(user=user))
        streak.longest_streak = longest
        streak.last_active_date = last
        streak.streak_start_date = start
        streak.current_streak = (last - start).days + 1 if last else 0
        streak.save()
    return streak


def streaks_refresh_many(*, user_ids) -> int:
    """``streak_refresh`` for many users at once (the nightly repair's batches, the demo seed): the
    rows are created when missing and locked in pk order before the sessions are read (as one
    refresh does), the days fetched in one query and the runs computed by the same ``day_runs``.
    Returns how many streaks were written."""
    users = get_user_model().objects.in_bulk(list(user_ids))
    if not users:
        return 0
    with transaction.atomic():
        bulk.insert_missing(Streak, ("user_id",), [(pk,) for pk in users])
        list(Streak.objects.select_for_update().filter(user_id__in=users).order_by("pk").values_list("pk"))
        days: dict = defaultdict(set)
        counted = StudySession.objects.filter(COUNTED, user_id__in=users).order_by()
        for user_id, local_date, started_at in counted.values_list("user_id", "local_date", "started_at"):
            days[user_id].add(local_date or started_at.astimezone(user_zone(users[user_id])).date())
        now, rows = timezone.now(), []
        for pk in users:
            longest, start, last = day_runs(sorted(days[pk]))
            rows.append((pk, (last - start).days + 1 if last else 0, longest, last, start, now))
        return bulk.update_rows(
            Streak,
            "user_id",
            ["current_streak", "longest_streak", "last_active_date", "streak_start_date", "updated_at"],
            rows,
        )


def streak_refresh_after_session(*, user, day: date | None) -> None:
    """After a session on the local ``day``: when the stored streak already ends on that day the
    session moves no run, so nothing is written; otherwise the streak is recomputed."""
    if day is None or not Streak.objects.filter(user=user, last_active_date=day).exists():
        streak_refresh(user=user)


def _judge(current: int, start: date | None, last: date | None, longest: int, today: date) -> dict:
    alive = last is not None and last >= today - timedelta(days=1)
    return {
        "current_streak": current if alive else 0,
        "longest_streak": longest,
        "last_active_date": last,
        "streak_start_date": start if alive else None,
        "active_today": last == today,
        # Days left to study before the streak breaks: 1 when today is done (tomorrow still counts),
        # 0 when only today can keep it alive, 0 with no streak.
        "days_until_break": (1 if last == today else 0) if alive else 0,
    }


#: The stored streak's fields a read judges.
STREAK_FIELDS = ("current_streak", "streak_start_date", "last_active_date", "longest_streak")


def _judged(row: dict | None, user) -> dict:
    """The stored streak (``STREAK_FIELDS``) judged against the user's local today."""
    today = local_today(user_zone(user))
    if row is None:
        return _judge(0, None, None, 0, today)
    current, start, last, longest = (row[field] for field in STREAK_FIELDS)
    return _judge(current, start, last, longest, today)


# The stored row (at most one: the user is its key), compiled once (learnflow.compiled).
_stored_streak = CompiledValues(
    lambda *, user: Streak.objects.filter(user=user).order_by().values(*STREAK_FIELDS), user=uuid.UUID
)


def study_streak(*, user) -> dict:
    rows = _stored_streak(user=user.pk)
    return _judged(rows[0] if rows else None, user)


def public_stats(*, users) -> dict:
    """The study streak of public profiles (current, judged against each owner's local today, and
    longest), from the stored rows; one query for all ``users``."""
    rows = {
        row["user_id"]: row
        for row in Streak.objects.filter(user__in=[user.pk for user in users]).values("user_id", *STREAK_FIELDS)
    }
    stats = {}
    for user in users:
        streak = _judged(rows.get(user.pk), user)
        stats[user.pk] = {"current_streak": streak["current_streak"], "longest_streak": streak["longest_streak"]}
    return stats


# The local days with a shutdown reflection, compiled once (learnflow.compiled).
_shutdown_days = CompiledValues(
    lambda *, user: ShutdownReflection.objects.filter(user=user).order_by().values("local_date"), user=uuid.UUID
)


def shutdown_streak_summary(*, user) -> dict:
    today = local_today(user_zone(user))
    days = sorted({row["local_date"] for row in _shutdown_days(user=user.pk)})
    longest, start, last = day_runs(days)
    current = streak_through(set(days), today)
    return _judge(current, start, last, longest, today)


def study_calendar(*, user, year: int, month: int) -> list[dict]:
    """Each local day of the month with study: session count and minutes (aggregated in SQL)."""
    first = date(year, month, 1)
    after = date(year + month // 12, month % 12 + 1, 1)
    rows = (
        _session_days(user)
        .filter(day__gte=first, day__lt=after)
        .values("day")
        .annotate(session_count=Count("pk"), seconds=Coalesce(Sum("duration_seconds"), 0))
        .order_by("day")
    )
    return [{"date": r["day"], "session_count": r["session_count"], "minutes": r["seconds"] // 60} for r in rows]


def streak_stats(*, user) -> dict:
    today = local_today(user_zone(user))
    days = study_days(user=user)
    recent = [d for d in days if d > today - timedelta(days=30)]
    sessions = counted_sessions(user=user).count()
    return {
        **study_streak(user=user),
        "total_active_days": len(days),
        "active_days_last_30": len(recent),
        "consistency_last_30": round(100 * len(recent) / 30, 1),
        "average_sessions_per_active_day": round(sessions / len(days), 2) if days else 0.0,
        "first_active_date": days[0] if days else None,
    }

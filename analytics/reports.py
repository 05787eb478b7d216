"""Reports of a user's own study: a local day, a week, a month and all time
(``/api/study-sessions/analytics/...``), and today or this week against the one before
(``/api/study-sessions/summary/...``).

Product rules (docs/product-rules.md, "Analytics"):

* **What counts** is what ``/api/stats``, the study streak and its calendar count
  (``selectors.counted_sessions``): completed focus sessions, timed by the server (timer and room
  sessions: *verified*) or logged by hand (*manual*). Breaks, running timers and stopped timers are
  left out. Every figure of minutes is given in total and split into verified and manual minutes.
* **A session belongs wholly** to the local day it started on (its stored ``local_date``: changing
  timezone later never moves past days) and to the hour of the local clock it started in, read in
  the user's current timezone. A DST day has 23 or 25 hours and still 24 hour buckets: on the autumn
  night both 02:30s count in bucket 2; on the spring night bucket 2 stays empty.
* **Minutes** are whole minutes of summed seconds (``seconds // 60``), figure by figure. Manual logs
  are whole minutes, so verified plus manual minutes is always the total.
* **Weeks** run Monday to Sunday on the user's local calendar; any day names its week. A month's
  best week is an ISO week clipped to the month. Weekdays are ISO numbers, 1 Monday to 7 Sunday.
* **Best** (day, week, hour, weekday, topic) means most minutes, then most sessions, then earliest.
* **Changes** in percent compare total minutes with the period before; ``null`` when that was 0.
* **Goal %** is the day's total minutes over the daily focus goal (the shutdown summary's
  ``focusGoal``), one decimal, not capped at 100.
* A day in the future is a day without study, not an error.

Everything is aggregated in SQL, a fixed number of queries per report whatever the user's history.
"""

import uuid
from datetime import date, timedelta

from django.db.models import Avg, Count, Max, Min, Q, Sum
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay, TruncWeek

from learnflow.compiled import CompiledValues
from learnflow.timeutils import local_today, user_zone, week_start

from . import streaks
from .selectors import counted_sessions

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TOP_TOPICS = 5
#: Topics listed for one day: more than a day of real study has, so only a flood of hand-logged
#: sessions meets the bound, and the answer stays small.
DAY_TOPICS = 50
BEST_FIRST = ("-seconds", "-sessions")
WEEK = timedelta(days=7)


def _within(when: Q | None, also: Q) -> Q:
    return also if when is None else when & also


def _totals(prefix: str = "", when: Q | None = None) -> dict:
    """Aggregates of the sessions matching ``when``: how many, and their seconds in total, verified
    and manual. Sessions are counted by ``started_at`` (never null), not the id: the index of counted
    sessions holds every column read here, so PostgreSQL answers from the index alone."""
    return {
        f"{prefix}sessions": Count("started_at", filter=when),
        f"{prefix}seconds": Coalesce(Sum("duration_seconds", filter=when), 0),
        f"{prefix}verified_seconds": Coalesce(Sum("duration_seconds", filter=_within(when, Q(verified=True))), 0),
        f"{prefix}manual_seconds": Coalesce(Sum("duration_seconds", filter=_within(when, Q(verified=False))), 0),
    }


def _minutes(row: dict | None, prefix: str = "") -> dict:
    row = row or {}
    return {
        "session_count": row.get(f"{prefix}sessions", 0),
        "total_minutes": row.get(f"{prefix}seconds", 0) // 60,
        "verified_minutes": row.get(f"{prefix}verified_seconds", 0) // 60,
        "manual_minutes": row.get(f"{prefix}manual_seconds", 0) // 60,
    }


MINUTES_KEYS = ("session_count", "total_minutes", "verified_minutes", "manual_minutes")


def _difference(now: dict, before: dict) -> dict:
    return {key: now[key] - before[key] for key in MINUTES_KEYS}


def _change(now: int, before: int) -> float | None:
    return round(100 * (now - before) / before, 1) if before else None


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _per_study_day(seconds: int, study_days: int) -> float:
    return round(seconds / 60 / study_days, 1) if study_days else 0.0


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _days(sessions, first: date, count: int) -> tuple[list[dict], dict | None]:
    """Each of ``count`` local days from ``first`` (days without study included) and the best one."""
    rows = {row["local_date"]: row for row in sessions.values("local_date").annotate(**_totals()).order_by()}
    best = min(rows.values(), key=lambda row: (-row["seconds"], -row["sessions"], row["local_date"]), default=None)
    days = [first + timedelta(days=n) for n in range(count)]
    return (
        [{"date": day, **_minutes(rows.get(day))} for day in days],
        {"date": best["local_date"], **_minutes(best)} if best else None,
    )


def _session_brief(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {
        "id": row["id"],
        "topic": row["topic"],
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "minutes": (row["duration_seconds"] or 0) // 60,
        "source": row["source"],
        "verified": row["verified"],
    }


def day_report(*, user, day: date) -> dict:
    """The local ``day``: totals, by topic (the ``DAY_TOPICS`` with most time, first; no topic is
    ``null``), by hour of the local clock (24 buckets), and the first and last session started."""
    tz = user_zone(user)
    sessions = counted_sessions(user=user).filter(local_date=day)
    totals = sessions.aggregate(**_totals())
    by_hour = {
        row["hour"]: row
        for row in sessions.annotate(hour=ExtractHour("started_at", tzinfo=tz))
        .values("hour")
        .annotate(**_totals())
        .order_by()
    }
    by_topic = sessions.values("topic").annotate(**_totals()).order_by(*BEST_FIRST, "topic")
    brief = ("id", "topic", "started_at", "ended_at", "duration_seconds", "source", "verified")
    return {
        "date": day,
        "timezone": tz.key,
        **_minutes(totals),
        "by_topic": [{"topic": row["topic"] or None, **_minutes(row)} for row in by_topic[:DAY_TOPICS]],
        "by_hour": [{"hour": hour, **_minutes(by_hour.get(hour))} for hour in range(24)],
        "first_session": _session_brief(sessions.order_by("started_at", "pk").values(*brief).first()),
        "last_session": _session_brief(sessions.order_by("-started_at", "-pk").values(*brief).first()),
    }


def week_report(*, user, day: date) -> dict:
    """The local week (Monday to Sunday) holding ``day``: each of its 7 days, totals, the best day,
    minutes per study day, and the change against the week before."""
    monday = week_start(day)
    this_week = Q(local_date__gte=monday)
    sessions = counted_sessions(user=user).filter(local_date__gte=monday - WEEK, local_date__lt=monday + WEEK)
    days, best = _days(sessions.filter(this_week), monday, 7)
    totals = sessions.aggregate(
        **_totals(when=this_week),
        study_days=Count("local_date", distinct=True, filter=this_week),
        previous_seconds=Coalesce(Sum("duration_seconds", filter=Q(local_date__lt=monday)), 0),
    )
    minutes = _minutes(totals)
    previous = totals["previous_seconds"] // 60
    return {
        "week_start": monday,
        "week_end": monday + timedelta(days=6),
        **minutes,
        "study_days": totals["study_days"],
        "average_minutes_per_study_day": _per_study_day(totals["seconds"], totals["study_days"]),
        "best_day": best,
        "previous_week_minutes": previous,
        "change_percent": _change(minutes["total_minutes"], previous),
        "days": days,
    }


def month_report(*, user, first: date) -> dict:
    """The local calendar month beginning on ``first``: each of its days, totals, study days, the
    best day and the best week (Monday to Sunday, clipped to the month)."""
    after = _next_month(first)
    sessions = counted_sessions(user=user).filter(local_date__gte=first, local_date__lt=after)
    days, best_day = _days(sessions, first, (after - first).days)
    totals = sessions.aggregate(**_totals(), study_days=Count("local_date", distinct=True))
    week = (
        sessions.annotate(week=TruncWeek("local_date"))
        .values("week")
        .annotate(**_totals())
        .order_by(*BEST_FIRST, "week")
        .first()
    )
    best_week = None
    if week is not None:
        best_week = {
            "week_start": max(week["week"], first),
            "week_end": min(week["week"] + timedelta(days=6), after - timedelta(days=1)),
            **_minutes(week),
        }
    return {
        "month": f"{first:%Y-%m}",
        **_minutes(totals),
        "study_days": totals["study_days"],
        "average_minutes_per_study_day": _per_study_day(totals["seconds"], totals["study_days"]),
        "best_day": best_day,
        "best_week": best_week,
        "days": days,
    }


def all_time_report(*, user) -> dict:
    """All time: totals, the average, longest and shortest session, the most productive local hour
    and weekday, consistency (study days over the days since the first one, today included), this
    week and this month, the top topics and the study streak."""
    tz = user_zone(user)
    today = local_today(tz)
    monday, month = week_start(today), today.replace(day=1)
    sessions = counted_sessions(user=user)
    totals = sessions.aggregate(
        **_totals(),
        average_seconds=Avg("duration_seconds"),
        longest_seconds=Max("duration_seconds"),
        shortest_seconds=Min("duration_seconds"),
        study_days=Count("local_date", distinct=True),
        first_day=Min("local_date"),
        **_totals("week_", Q(local_date__gte=monday, local_date__lt=monday + WEEK)),
        **_totals("month_", Q(local_date__gte=month, local_date__lt=_next_month(month))),
    )
    hour = (
        sessions.annotate(hour=ExtractHour("started_at", tzinfo=tz))
        .values("hour")
        .annotate(**_totals())
        .order_by(*BEST_FIRST, "hour")
        .first()
    )
    weekday = (
        sessions.annotate(weekday=ExtractIsoWeekDay("local_date"))
        .values("weekday")
        .annotate(**_totals())
        .order_by(*BEST_FIRST, "weekday")
        .first()
    )
    topics = sessions.exclude(topic="").values("topic").annotate(**_totals()).order_by(*BEST_FIRST, "topic")
    streak = streaks.study_streak(user=user)
    first_day, study_days = totals["first_day"], totals["study_days"]
    # A user who moved west may have a first local day after today's; it still counts as one day.
    span = max((today - first_day).days + 1, 1) if first_day else 0
    average = totals["average_seconds"]
    return {
        "timezone": tz.key,
        **_minutes(totals),
        "average_session_minutes": round(average / 60, 1) if average is not None else 0.0,
        "longest_session_minutes": None if totals["longest_seconds"] is None else totals["longest_seconds"] // 60,
        "shortest_session_minutes": None if totals["shortest_seconds"] is None else totals["shortest_seconds"] // 60,
        "first_study_date": first_day,
        "study_days": study_days,
        "consistency_percent": min(_percent(study_days, span), 100.0),
        "most_productive_hour": {"hour": hour["hour"], **_minutes(hour)} if hour else None,
        "most_productive_weekday": (
            {"weekday": weekday["weekday"], "name": WEEKDAYS[weekday["weekday"] - 1], **_minutes(weekday)}
            if weekday
            else None
        ),
        "this_week": {"week_start": monday, **_minutes(totals, "week_")},
        "this_month": {"month": f"{month:%Y-%m}", **_minutes(totals, "month_")},
        "top_topics": [{"topic": row["topic"], **_minutes(row)} for row in topics[:TOP_TOPICS]],
        "current_streak": streak["current_streak"],
        "longest_streak": streak["longest_streak"],
    }


# Two local days' totals, grouped by day rather than filtered per day (half the aggregates for the
# same answer); compiled once (learnflow.compiled).
_two_days = CompiledValues(
    lambda *, user, yesterday, today: (
        counted_sessions(user=user)
        .filter(local_date__in=(yesterday, today))
        .values("local_date")
        .annotate(**_totals())
        .order_by()
    ),
    user=uuid.UUID,
    yesterday=date,
    today=date,
)


def today_summary(*, user) -> dict:
    """Today against yesterday (local days): sessions, minutes, the daily goal reached, the difference."""
    today = local_today(user_zone(user))
    yesterday = today - timedelta(days=1)
    goal = user.daily_focus_goal_minutes
    days = {row["local_date"]: row for row in _two_days(user=user.pk, yesterday=yesterday, today=today)}
    now, before = _minutes(days.get(today)), _minutes(days.get(yesterday))
    return {
        "goal_minutes": goal,
        "today": {"date": today, **now, "goal_percent": _percent(now["total_minutes"], goal)},
        "yesterday": {"date": yesterday, **before, "goal_percent": _percent(before["total_minutes"], goal)},
        "difference": _difference(now, before),
        "change_percent": _change(now["total_minutes"], before["total_minutes"]),
    }


def week_summary(*, user) -> dict:
    """This local week so far (Monday to today) against the same days of last week, with last week
    whole beside them, and consistency: the share of the days so far with study."""
    today = local_today(user_zone(user))
    monday = week_start(today)
    elapsed = (today - monday).days + 1
    last_monday = monday - WEEK
    periods = {
        "this_": Q(local_date__gte=monday),
        "last_": Q(local_date__lt=monday),
        "same_": Q(local_date__lt=last_monday + timedelta(days=elapsed)),
    }
    aggregates = {}
    for prefix, when in periods.items():
        aggregates |= _totals(prefix, when)
        aggregates[f"{prefix}days"] = Count("local_date", distinct=True, filter=when)
    row = counted_sessions(user=user).filter(local_date__gte=last_monday, local_date__lte=today).aggregate(**aggregates)

    def period(prefix: str, days: int) -> dict:
        study_days = row[f"{prefix}days"]
        return {**_minutes(row, prefix), "study_days": study_days, "consistency_percent": _percent(study_days, days)}

    this_week, same_days = period("this_", elapsed), period("same_", elapsed)
    return {
        "week_start": monday,
        "week_end": monday + timedelta(days=6),
        "today": today,
        "days_elapsed": elapsed,
        "this_week": this_week,
        "last_week": period("last_", 7),
        "last_week_same_days": same_days,
        "difference": _difference(this_week, same_days),
        "change_percent": _change(this_week["total_minutes"], same_days["total_minutes"]),
    }

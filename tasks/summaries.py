"""Weekly and monthly summaries of logged progress: aggregated in SQL in the user's timezone, cached,
and invalidated by every change to progress (not only by timeout).

Each cached summary carries the per-user *generation* it was computed under, a random token replaced
after each committed change, and is served only under that generation. A read right after a write
therefore misses the cache and includes the write; an evicted generation simply starts a new one, so
stale data is never served under it.
"""

from django.conf import settings
from django.db.models import DateField, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from learnflow.cache import CacheReads
from learnflow.generation_cache import generation_cached, generation_end
from learnflow.timeutils import user_zone

from .models import Goal, Progress

PERIODS = {"weekly": (TruncWeek, "week_start"), "monthly": (TruncMonth, "month_start")}


def _generation_key(user_id) -> str:
    return f"summary-generation:{user_id}"


def _data_key(user_id, period: str, goal_number: int | None) -> str:
    return f"summary:{user_id}:{period}:{'all' if goal_number is None else goal_number}"


def summary_cache_keys(*, user_id, period: str, goal_number: int | None = None) -> list[str]:
    """The cache keys one summary read looks up, to be read together in one round trip (see
    ``learnflow.cache.CacheReads``; the view has the authentication read them with the token's user)."""
    return [_generation_key(user_id), _data_key(user_id, period, goal_number)]


def summary_invalidate(*, user_id) -> None:
    """End the current generation now and once the current transaction commits (the next read starts a
    new one). With the cache down, the deletion is retried until it answers (``learnflow.cache``)."""
    generation_end(_generation_key(user_id))


def summary_compute(*, user, period: str, goal: Goal | None = None) -> list[dict]:
    """``[{"week_start"|"month_start": date, "total_hours": float}]``, oldest first, one row per local
    week (Monday) or month in which the user logged progress."""
    trunc, label = PERIODS[period]
    entries = Progress.objects.filter(goal__user=user)
    if goal is not None:
        entries = entries.filter(goal=goal)
    rows = (
        entries.annotate(start=trunc("created_at", tzinfo=user_zone(user), output_field=DateField()))
        .values("start")
        .annotate(total=Sum("logged_hours"))
        .order_by("start")
    )
    return [{label: row["start"], "total_hours": round(row["total"].total_seconds() / 3600, 2)} for row in rows]


def _summary(*, user, period: str, goal_number: int | None) -> list[dict] | None:
    goal = None
    if goal_number is not None:
        goal = Goal.objects.filter(user=user, number=goal_number).first()
        if goal is None:
            return None
    return summary_compute(user=user, period=period, goal=goal)


def summary_get(
    *, user, period: str, goal_number: int | None = None, use_cache: bool = True, reads: CacheReads | None = None
) -> list[dict] | None:
    """The summary of all the user's goals, or of their goal ``goal_number`` (``None`` when they have
    no such goal).

    Cached with the generation and the timezone it was computed in (``learnflow.generation_cache``),
    and served only while both are still the user's: the generation and the summary are read in one
    round trip (``reads``: already read with the token's user, or read now), and a hit costs no SQL
    at all, not even the goal's lookup — deleting a goal ends the generation, so no summary of a
    deleted goal is served, and "no such goal" is never served from the cache."""
    if not use_cache:
        return _summary(user=user, period=period, goal_number=goal_number)
    zone = user.timezone
    _, data = generation_cached(
        key=_data_key(user.pk, period, goal_number),
        generation_key=_generation_key(user.pk),
        compute=lambda: (zone, _summary(user=user, period=period, goal_number=goal_number)),
        timeout=settings.LEARNFLOW_SUMMARY_CACHE_SECONDS,
        reads=reads,
        valid=lambda stored: stored[0] == zone and stored[1] is not None,
    )
    return data

"""Weekly and monthly summaries of logged progress: aggregated in SQL in the user's timezone, cached,
and invalidated by every change to progress (not only by timeout).

Cache keys carry a per-user *generation*, a random token replaced after each committed change. A
read right after a write therefore misses the cache and includes the write; an evicted generation
simply starts a new one, so stale data is never served under it.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import DateField, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from learnflow.cache import cache_invalidate
from learnflow.timeutils import user_zone

from .models import Goal, Progress

PERIODS = {"weekly": (TruncWeek, "week_start"), "monthly": (TruncMonth, "month_start")}


def _generation_key(user_id) -> str:
    return f"summary-generation:{user_id}"


def _generation(user_id) -> str:
    token = cache.get(_generation_key(user_id))
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(_generation_key(user_id), token, timeout=None):
            token = cache.get(_generation_key(user_id)) or token
    return token


def summary_invalidate(*, user_id) -> None:
    """End the current generation once the current transaction commits (the next read starts a new
    one). With the cache down, the deletion is retried until it answers (``learnflow.cache``)."""
    transaction.on_commit(lambda: cache_invalidate([_generation_key(user_id)]))


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


def summary_get(*, user, period: str, goal: Goal | None = None, use_cache: bool = True) -> list[dict]:
    if not use_cache:
        return summary_compute(user=user, period=period, goal=goal)
    key = ":".join(
        ("summary", str(user.pk), _generation(user.pk), period, str(goal.number if goal else "all"), user.timezone)
    )
    data = cache.get(key)
    if data is None:
        data = summary_compute(user=user, period=period, goal=goal)
        cache.set(key, data, timeout=settings.LEARNFLOW_SUMMARY_CACHE_SECONDS)
    return data

"""Celery tasks of analytics."""

from datetime import datetime, timedelta

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from focus.models import StudySession
from learnflow import events
from learnflow.timeutils import local_today, user_zone, week_start

from .leaderboards import HISTOGRAM, focus_totals_refresh, focus_totals_refresh_many
from .selectors import COUNTED
from .services import weekly_review_store
from .streaks import streak_refresh, streaks_refresh_many


@shared_task(name="analytics.write_weekly_reviews")
def write_weekly_reviews() -> int:
    """Store last week's review for every user who studied in the last two weeks. Each user's
    "last week" is the local Monday-to-Sunday before their current one; existing reviews are kept,
    so running it every hour (as scheduled) or twice does no harm."""
    since = timezone.now() - timedelta(days=14)
    studied = StudySession.objects.filter(COUNTED, started_at__gte=since).values("user_id")
    users = get_user_model().objects.filter(is_active=True, pk__in=studied).order_by("pk")
    written = 0
    for user in users.iterator(chunk_size=500):
        monday = week_start(local_today(user_zone(user))) - timedelta(days=7)
        if weekly_review_store(user=user, monday=monday) is not None:
            written += 1
    return written


@shared_task(name="analytics.refresh_streak", **events.REPAIR_JOB_OPTIONS)
def refresh_streak(user_id: str) -> int:
    user = get_user_model().objects.filter(pk=user_id).first()
    return streak_refresh(user=user).current_streak if user else 0


def _for_users_who_studied(sessions, refresh_many, batch: int) -> int:
    """Call ``refresh_many(user_ids=...)`` for the users with a session in ``sessions``, in keyset
    batches of user ids (``pk > last``), so memory stays flat however many users there are; each
    batch is one transaction that locks its users' rows in pk order, so two runs at once (or a run
    and a request's refresh) wait for each other's batch instead of writing stale values."""
    users = get_user_model().objects.filter(pk__in=sessions.values("user_id")).order_by("pk")
    done, last = 0, None
    while True:
        page = list((users.filter(pk__gt=last) if last else users).values_list("pk", flat=True)[:batch])
        if not page:
            return done
        refresh_many(user_ids=page)
        done += len(page)
        last = page[-1]


@shared_task(name="analytics.recompute_streaks")
def recompute_streaks(batch: int = 1000) -> int:
    """Repair every stored streak from the sessions."""
    return _for_users_who_studied(StudySession.objects.filter(COUNTED), streaks_refresh_many, batch)


@shared_task(name="analytics.refresh_focus_totals", **events.REPAIR_JOB_OPTIONS)
def refresh_focus_totals(user_id: str, occurred_at: str | None = None) -> bool:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return False
    focus_totals_refresh(user=user, at=[datetime.fromisoformat(occurred_at)] if occurred_at else [])
    return True


@shared_task(name="analytics.recompute_focus_totals")
def recompute_focus_totals(batch: int = 1000) -> int:
    """Rebuild the current leaderboard totals of everyone with verified focus time, then the
    histogram of their scores (``FocusScoreCount``) from the totals, exactly."""
    done = _for_users_who_studied(StudySession.objects.filter(COUNTED, verified=True), focus_totals_refresh_many, batch)
    HISTOGRAM.rebuild()
    return done

"""What analytics does with announced activity (subscribed in ``AnalyticsConfig``).

Read-your-writes: the acting user's stored streak is brought up to date in the request, after its
commit, so their next read shows it; a refresh that fails is logged and left to its job, which
retries. Their own leaderboard totals need nothing in the request, since a leaderboard counts the
reader's own total from their sessions; the stored totals that rank them for everybody else are
refreshed by a job. The nightly ``recompute_streaks`` and ``recompute_focus_totals`` repair the rest.
"""

from focus.services import FOCUS_COMPLETED, SESSION_LOGGED
from learnflow import events

from .jobs import refresh_focus_totals, refresh_streak
from .streaks import streak_refresh_after_session

STREAK_KINDS = frozenset({FOCUS_COMPLETED, SESSION_LOGGED})


def on_activity(*, user, kind: str, obj=None, occurred_at=None) -> None:
    if kind in STREAK_KINDS:
        day = getattr(obj, "local_date", None)
        events.refresh_or_queue(lambda: streak_refresh_after_session(user=user, day=day), refresh_streak, str(user.pk))
    if kind == FOCUS_COMPLETED:
        events.enqueue(refresh_focus_totals, str(user.pk), occurred_at.isoformat() if occurred_at else None)

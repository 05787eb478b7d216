"""What analytics does with announced activity (subscribed in ``AnalyticsConfig``).

Read-your-writes: the acting user's stored streak and leaderboard totals are brought up to date in
the request, after its commit, so their next read shows them (a session on a day the streak already
counts writes nothing). The two are independent of each other and
of the challenges' rows. A refresh that fails is logged and left to its job, which retries; the
nightly ``recompute_streaks`` and ``recompute_focus_totals`` repair whatever is left.
"""

from focus.services import FOCUS_COMPLETED, SESSION_LOGGED
from learnflow import events

from .jobs import refresh_focus_totals, refresh_streak
from .leaderboards import focus_totals_refresh
from .streaks import streak_refresh_after_session

STREAK_KINDS = frozenset({FOCUS_COMPLETED, SESSION_LOGGED})


def on_activity(*, user, kind: str, obj=None, occurred_at=None) -> None:
    if kind in STREAK_KINDS:
        day = getattr(obj, "local_date", None)
        events.refresh_or_queue(lambda: streak_refresh_after_session(user=user, day=day), refresh_streak, str(user.pk))
    if kind == FOCUS_COMPLETED:
        at = [occurred_at] if occurred_at else []
        events.refresh_or_queue(
            lambda: focus_totals_refresh(user=user, at=at),
            refresh_focus_totals,
            str(user.pk),
            occurred_at.isoformat() if occurred_at else None,
        )

"""What analytics does with announced activity (subscribed in ``AnalyticsConfig``)."""

from focus.services import FOCUS_COMPLETED, SESSION_LOGGED

from .jobs import refresh_focus_totals, refresh_streak

STREAK_KINDS = frozenset({FOCUS_COMPLETED, SESSION_LOGGED})


def on_activity(*, user, kind: str, obj=None, occurred_at=None) -> None:
    if kind in STREAK_KINDS:
        refresh_streak.delay(str(user.pk))
    if kind == FOCUS_COMPLETED:
        refresh_focus_totals.delay(str(user.pk), occurred_at.isoformat() if occurred_at else None)

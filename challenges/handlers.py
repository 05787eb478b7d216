"""What challenges does with the activity other apps announce (subscribed in ``ChallengesConfig``).
Each handler only queues a job: the work runs in a worker, retried there if it fails."""

from community.forum import POST_CREATED
from focus.services import BREAK_COMPLETED, FOCUS_COMPLETED
from focus.shutdown import SHUTDOWN_REFLECTED
from tasks.services import TASK_COMPLETED

from .jobs import award_shutdown_day, check_achievements, refresh_progress

PROGRESS_KINDS = frozenset({FOCUS_COMPLETED, BREAK_COMPLETED, TASK_COMPLETED, SHUTDOWN_REFLECTED})


def on_activity(*, user, kind: str, obj=None, occurred_at=None) -> None:
    if kind == SHUTDOWN_REFLECTED:
        award_shutdown_day.delay(str(obj.pk))
    if kind in PROGRESS_KINDS:
        refresh_progress.delay(str(user.pk))
    if kind == POST_CREATED:
        check_achievements.delay(str(user.pk))

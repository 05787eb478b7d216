"""What challenges does with the activity other apps announce (subscribed in ``ChallengesConfig``).

Read-your-writes: the acting user's challenge state is refreshed in the request, after its commit,
so their next read shows it: the day's shutdown points, then challenge progress, then achievements
(a challenge completed by the progress refresh may unlock one). Nothing here reads what analytics
stores (the achievement streak is counted from the sessions), so analytics' handler running after
this one changes nothing here. A refresh that fails is logged and left to its job, which retries.
"""

from community.forum import POST_CREATED
from focus.services import BREAK_COMPLETED, FOCUS_COMPLETED
from focus.shutdown import SHUTDOWN_REFLECTED
from learnflow import events
from tasks.services import TASK_COMPLETED

from .achievements import achievements_check, challenges_refresh_for_user
from .jobs import award_shutdown_day, check_achievements, refresh_progress
from .services import shutdown_day_award

PROGRESS_KINDS = frozenset({FOCUS_COMPLETED, BREAK_COMPLETED, TASK_COMPLETED, SHUTDOWN_REFLECTED})


def on_activity(*, user, kind: str, obj=None, occurred_at=None) -> None:
    if kind == SHUTDOWN_REFLECTED:
        events.refresh_or_queue(lambda: shutdown_day_award(reflection=obj), award_shutdown_day, str(obj.pk))
    if kind in PROGRESS_KINDS:
        events.refresh_or_queue(lambda: challenges_refresh_for_user(user=user), refresh_progress, str(user.pk))
    if kind == POST_CREATED:
        events.refresh_or_queue(lambda: achievements_check(user=user), check_achievements, str(user.pk))

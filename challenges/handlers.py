"""What challenges does with the activity other apps announce (subscribed in ``ChallengesConfig``).

Read-your-writes: the acting user's challenge state is refreshed in the request, after its commit,
so their next read shows it: the day's shutdown points, then challenge progress, then achievements
(a challenge completed by the progress refresh may unlock one). Nothing here reads what analytics
stores (the achievement streak is counted from the sessions), so analytics' handler running after
this one changes nothing here. A refresh that fails is logged and left to its job, which retries
and refreshes everything of the user, not only what the activity moved.
"""

from community.forum import POST_CREATED
from focus.services import BREAK_COMPLETED, FOCUS_COMPLETED
from focus.shutdown import SHUTDOWN_REFLECTED
from learnflow import events
from tasks.services import TASK_COMPLETED

from .achievements import achievements_check, challenges_refresh_for_user
from .choices import ChallengeType, RequirementType
from .jobs import award_shutdown_day, check_achievements, refresh_progress
from .services import shutdown_day_award

#: What each activity can move: the challenge types it counts toward and the achievement metrics it
#: raises (``challenges_completed`` is checked whenever a challenge completes). A focus completion
#: never makes an earlier break count for a break challenge: a break cannot run while the focus
#: timer does (one active session), so it started before that focus session did.
MOVES = {
    FOCUS_COMPLETED: (
        {ChallengeType.FOCUS},
        {RequirementType.TOTAL_SESSIONS, RequirementType.TOTAL_FOCUS_MINUTES, RequirementType.STREAK_DAYS},
    ),
    BREAK_COMPLETED: ({ChallengeType.BREAK}, set()),
    TASK_COMPLETED: ({ChallengeType.TASK}, set()),
    SHUTDOWN_REFLECTED: ({ChallengeType.SHUTDOWN}, set()),
}


def on_activity(*, user, kind: str, obj=None, occurred_at=None) -> None:
    if kind == SHUTDOWN_REFLECTED:
        events.refresh_or_queue(lambda: shutdown_day_award(reflection=obj), award_shutdown_day, str(obj.pk))
    if kind in MOVES:
        challenge_types, metrics = MOVES[kind]
        events.refresh_or_queue(
            lambda: challenges_refresh_for_user(user=user, challenge_types=challenge_types, requirement_types=metrics),
            refresh_progress,
            str(user.pk),
        )
    if kind == POST_CREATED:
        events.refresh_or_queue(
            lambda: achievements_check(user=user, requirement_types={RequirementType.COMMUNITY_POSTS}),
            check_achievements,
            str(user.pk),
        )

"""Demo data that challenges contributes to ``seed_demo``: about half of the users joined this week's
focus challenge. Their progress, completions, achievements and points are derived from the seeded
activity by the same rules as in production (``participations_refresh_many``,
``achievements_check_many``), not made up."""

from learnflow import bulk

from .achievements import achievements_check_many
from .choices import ChallengeType
from .models import Participation
from .selectors import week_changed
from .services import participations_refresh_many, weekly_challenges_ensure


def seed_challenges(*, user_ids, rng) -> int:
    focus = [w for w in weekly_challenges_ensure() if w.challenge.challenge_type == ChallengeType.FOCUS]
    joined = [
        Participation(user_id=user_id, weekly_challenge=weekly)
        for weekly in focus
        for user_id in user_ids
        if rng.random() < 0.5
    ]
    bulk.copy_objects(joined)
    week_changed()
    participations_refresh_many(participations=Participation.objects.filter(pk__in=[p.pk for p in joined]))
    unlocked = achievements_check_many(user_ids=user_ids)
    return len(joined) + unlocked

"""What analytics contributes to ``seed_demo``: the stored streaks and leaderboard totals of the new
demo users, derived from their seeded sessions by the same services as the nightly repair."""

from .leaderboards import focus_totals_refresh_many
from .streaks import streaks_refresh_many


def seed_derived(*, user_ids, rng) -> int:
    return streaks_refresh_many(user_ids=user_ids) + focus_totals_refresh_many(user_ids=user_ids)

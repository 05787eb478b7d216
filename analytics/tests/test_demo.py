"""``seed_demo`` derives totals, streaks, challenge progress, achievements and points in bulk; the
app's own per-user recomputation, run over the seeded data afterwards, must find nothing to change."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Notification, User
from analytics.leaderboards import focus_totals_refresh
from analytics.models import FocusTotal, Streak
from analytics.streaks import streak_refresh
from challenges.achievements import achievements_check
from challenges.models import Participation, PointsEntry, UserAchievement, UserPoints
from challenges.services import participation_refresh, points_rebuild
from community.models import Post

pytestmark = pytest.mark.django_db

DEMO = "@demo.learnflow.test"


def _derived() -> dict:
    return {
        "streaks": set(
            Streak.objects.values_list(
                "user_id", "current_streak", "longest_streak", "last_active_date", "streak_start_date"
            )
        ),
        "totals": set(FocusTotal.objects.values_list("user_id", "period", "period_start", "seconds", "sessions")),
        "participations": set(Participation.objects.values_list("pk", "progress", "status", "points_earned")),
        "achievements": set(UserAchievement.objects.values_list("user_id", "achievement__code")),
        "ledger": set(PointsEntry.objects.values_list("user_id", "points", "reason", "source_id", "week_start")),
        "points": set(UserPoints.objects.values_list("user_id", "total_points", "weekly_points", "week_start")),
        "notifications": set(Notification.objects.exclude(dedupe_key=None).values_list("user_id", "dedupe_key")),
    }


# Mid-week: at the start of a week (Monday just after midnight) nobody has this week's sessions yet, so
# no participation could be completed and the test would check less.
@time_machine.travel(datetime(2031, 1, 9, 15, 0, tzinfo=UTC), tick=False)
def test_seed_demo_derives_what_the_app_recomputes():
    # given
    call_command("seed_demo", "--users", "30", "--seed", "7")
    seeded = _derived()
    assert seeded["streaks"] and seeded["totals"] and seeded["achievements"] and seeded["ledger"]
    assert Participation.objects.filter(status="completed").exists()
    assert Participation.objects.filter(status="in_progress").exists()
    # when: the app's own recomputation, one user at a time
    for user in User.objects.filter(email__endswith=DEMO):
        streak_refresh(user=user)
        focus_totals_refresh(user=user)
        assert achievements_check(user=user) == []
    for participation_id in Participation.objects.values_list("pk", flat=True):
        participation_refresh(participation_id=participation_id)
    points_rebuild()
    # then
    assert _derived() == seeded


def test_seed_demo_sizes_match_the_issue():
    # when
    call_command("seed_demo", "--users", "40", "--seed", "2")
    # then: about 20 sessions, 30 tasks and some posts per user
    users = User.objects.filter(email__endswith=DEMO)
    sessions = sum(u.study_sessions.count() for u in users) / 40
    tasks = sum(u.tasks.count() for u in users) / 40
    assert 15 <= sessions <= 30
    assert 20 <= tasks <= 40
    assert Post.objects.count() >= 20


def test_seed_demo_rerun_with_the_same_seed_adds_users_beside_the_first():
    # given
    call_command("seed_demo", "--users", "5", "--seed", "4")
    User.objects.get(username="demo00002").delete()
    # when
    call_command("seed_demo", "--users", "5", "--seed", "4")
    # then
    names = sorted(User.objects.filter(email__endswith=DEMO).values_list("username", flat=True))
    assert names == [f"demo{n:05d}" for n in (1, 3, 4, 5, 6, 7, 8, 9, 10)]

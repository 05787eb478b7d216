"""The rank histograms (``learnflow.score_counts``): how many users hold each score of the focus-time
boards (``FocusScoreCount``) and of the weekly points board (``WeeklyPointsCount``), which the boards
sum to rank a caller outside the top ten. They must stay equal to a count of the stored totals with
two workers writing at once, after a deleted account, and after the repairs, which rebuild them
exactly; the ranks are read through the API."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.services import user_delete
from accounts.tests.factories import UserFactory
from analytics.leaderboards import focus_totals_refresh
from analytics.models import FocusScoreCount, FocusTotal
from challenges.models import UserPoints, WeeklyPointsCount
from challenges.services import points_award
from challenges.weeks import current_week
from focus.tests.factories import StudySessionFactory
from learnflow.testing import at_once, client_for

pytestmark = pytest.mark.django_db(transaction=True)

BOARD = "/api/study-sessions/leaderboards/global?period="
WEDNESDAY = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def midweek():
    """Mid-week and mid-month, so every session lands in the same week and month."""
    with time_machine.travel(WEDNESDAY, tick=True):
        yield


def focus_histogram() -> dict:
    return {(row.period, row.period_start, row.seconds): row.users for row in FocusScoreCount.objects.exclude(users=0)}


def focus_counted() -> dict:
    rows = FocusTotal.objects.filter(seconds__gt=0).values("period", "period_start", "seconds").annotate(n=Count("pk"))
    return {(row["period"], row["period_start"], row["seconds"]): row["n"] for row in rows}


def points_histogram() -> dict:
    return {(row.week_start, row.weekly_points): row.users for row in WeeklyPointsCount.objects.exclude(users=0)}


def points_counted() -> dict:
    rows = UserPoints.objects.filter(weekly_points__gt=0).values("week_start", "weekly_points").annotate(n=Count("pk"))
    return {(row["week_start"], row["weekly_points"]): row["n"] for row in rows}


def own_focus_row(user, period: str) -> dict:
    return next(row for row in client_for(user).get(BOARD + period).json() if row["is_current_user"])


def own_leader_row(user) -> dict:
    return next(row for row in client_for(user).get("/api/challenges/leaders").json() if row["is_current_user"])


def studied(minutes: list[int]) -> list:
    """One user per entry, with verified timer sessions of that many minutes in all (30 each)."""
    users = UserFactory.create_batch(len(minutes))
    for user, total in zip(users, minutes, strict=True):
        for n in range(total // 30):
            StudySessionFactory(user=user, started_at=timezone.now() - timedelta(hours=2, minutes=40 * n))
    return users


def both_ways(items: list):
    """A job for ``at_once``: the first thread walks ``items`` forward, the second backward, so the
    two lock the histogram's rows in opposite orders if anything locks them out of key order."""
    turns = itertools.count()

    return lambda: items if next(turns) % 2 == 0 else items[::-1]


def test_two_workers_refreshing_totals_at_once_keep_the_histogram_exact():
    # given: fourteen users with 30 to 420 minutes, two pairs tied, and totals not yet stored
    minutes = [420, 390, 360, 330, 300, 270, 240, 210, 180, 150, 150, 120, 90, 90]
    users = studied(minutes)
    walk = both_ways(users)
    # when: two workers refresh everybody's totals at once, in opposite orders
    at_once(lambda: [focus_totals_refresh(user=user) for user in walk()])
    # then: the histogram counts the stored totals, and each user's rank is one more than the
    # number of users with more time, ties sharing theirs
    assert focus_histogram() == focus_counted()
    assert len(focus_counted()) == 3 * 12
    for period in ("weekly", "monthly", "all_time"):
        for user, total in zip(users[10:], minutes[10:], strict=True):
            row = own_focus_row(user, period)
            assert (row["rank"], row["total_minutes"]) == (1 + sum(m > total for m in minutes), total)


def test_a_deleted_account_leaves_the_histogram_and_the_ones_behind_move_up():
    # given: twelve users, the last one ranked 12th
    users = studied([30 * n for n in range(12, 0, -1)])
    for user in users:
        focus_totals_refresh(user=user)
    assert own_focus_row(users[-1], "weekly")["rank"] == 12
    # when
    user_delete(user=users[0])
    # then
    assert focus_histogram() == focus_counted()
    assert own_focus_row(users[-1], "weekly")["rank"] == 11


def test_the_nightly_repair_rebuilds_the_histogram_exactly():
    # given: stored totals, and a histogram gone wrong (counts lost, counts made up)
    users = studied([300, 240, 240, 180, 120, 90, 60, 60, 60, 60, 30, 30])
    for user in users:
        focus_totals_refresh(user=user)
    expected = focus_counted()
    FocusScoreCount.objects.filter(seconds__gt=200 * 60).delete()
    FocusScoreCount.objects.update(users=7)
    FocusScoreCount.objects.create(period="weekly", period_start=current_week(), seconds=99_999, users=3)
    assert focus_histogram() != expected
    assert own_focus_row(users[-1], "weekly")["rank"] != 11  # the board reads the histogram
    # when
    call_command("runjob", "recompute_focus_totals")
    # then
    assert focus_histogram() == expected
    assert own_focus_row(users[-1], "weekly")["rank"] == 11


def test_two_workers_awarding_points_at_once_keep_the_weekly_histogram_exact():
    # given: fourteen users earning points in two awards each, from two workers at once
    users = UserFactory.create_batch(14)
    amounts = {user.pk: (10 * (n % 5) + 5, 75 if n % 3 else 20) for n, user in enumerate(users)}
    walk = both_ways(users)
    turns = itertools.count()

    def award_all():
        turn = next(turns)
        for user in walk():
            points_award(
                user=user,
                points=amounts[user.pk][turn % 2],
                reason="staff_award",
                source_type="staff",
                source_id=f"award-{turn % 2}",
            )

    # when
    at_once(award_all)
    # then
    assert points_histogram() == points_counted()
    totals = {user.pk: sum(amounts[user.pk]) for user in users}
    for user in users:
        row = own_leader_row(user)
        assert (row["rank"], row["points"]) == (1 + sum(t > totals[user.pk] for t in totals.values()), totals[user.pk])


def test_the_weekly_reset_keeps_the_histogram_and_rebuilds_it_exactly():
    # given: points this week and a histogram gone wrong
    users = UserFactory.create_batch(12)
    for n, user in enumerate(users):
        points_award(user=user, points=10 * (n + 1), reason="staff_award", source_type="staff", source_id="x")
    expected = points_counted()
    WeeklyPointsCount.objects.update(users=5)
    # when: the reset (nothing to restart in this week)
    call_command("runjob", "weekly_reset")
    # then
    assert points_histogram() == expected
    assert own_leader_row(users[0])["rank"] == 12
    # and when the week restarts (the rows of an earlier week), the old counts go with it
    UserPoints.objects.update(week_start=current_week() - timedelta(days=7))
    assert points_histogram() == points_counted()
    call_command("runjob", "weekly_reset")
    assert points_histogram() == points_counted() == {}

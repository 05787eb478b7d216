"""The weekly reset (``runjob weekly_reset``, Monday in the week timezone): it finalizes last week's
challenges after a last progress refresh, keeps final points and ranks, creates this week's
challenges and restarts weekly points; a second run changes nothing."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Notification
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from challenges.models import Participation, PointsEntry, UserPoints, WeeklyChallenge, WeeklyResult
from challenges.services import DEFAULT_CHALLENGES, points_award
from challenges.tests.factories import default_instance
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

WEEK = date(2026, 5, 4)  # a Monday
NEXT_WEEK = date(2026, 5, 11)
WEDNESDAY = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)
SUNDAY_LATE = datetime(2026, 5, 10, 23, 59, tzinfo=UTC)
MONDAY_EARLY = datetime(2026, 5, 11, 0, 5, tzinfo=UTC)
DEFAULT_NAMES = sorted(definition["name"] for definition in DEFAULT_CHALLENGES)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def run_reset(when: datetime) -> str:
    out = io.StringIO()
    with at(when):
        call_command("runjob", "weekly_reset", stdout=out)
    return out.getvalue()


def focus_sessions(user, count: int, first: datetime):
    for n in range(count):
        StudySessionFactory(user=user, started_at=first + timedelta(hours=n), planned_duration=25)


def join(user, instance: WeeklyChallenge, when: datetime = WEDNESDAY) -> dict:
    with at(when):
        response = client_for(user).post(f"/api/challenges/{instance.pk}/join")
    assert response.status_code == 200, response.content
    return response.json()


def award(user, points: int, source_id: str, when: datetime = WEDNESDAY):
    with at(when):
        points_award(user=user, points=points, reason="staff_award", source_type="staff", source_id=source_id)


def results(week: date) -> dict:
    return {row.user_id: (row.points, row.rank) for row in WeeklyResult.objects.filter(week_start=week)}


def snapshot() -> dict:
    """Everything the reset touches, to compare two runs."""
    return {
        "instances": sorted(WeeklyChallenge.objects.values_list("pk", "week_start", "finalized_at")),
        "participations": sorted(
            Participation.objects.values_list("pk", "status", "progress", "points_earned", "completed_at", "updated_at")
        ),
        "results": sorted(WeeklyResult.objects.values_list("user_id", "week_start", "points", "rank")),
        "ledger": sorted(PointsEntry.objects.values_list("pk", "points", "week_start")),
        "user_points": sorted(
            UserPoints.objects.values_list("user_id", "total_points", "weekly_points", "week_start", "updated_at")
        ),
        "notifications": Notification.objects.count(),
    }


@pytest.fixture
def finished_week(user, other_user):
    """Last week's focus challenge: ``user`` completed it (75 points), ``other_user`` joined with two
    sessions and did a third on Sunday night that no event has counted yet; a third user got 20 points
    from staff."""
    with at(WEDNESDAY):
        focus = default_instance("focus")
    focus_sessions(user, 10, datetime(2026, 5, 4, 8, 0, tzinfo=UTC))
    assert join(user, focus)["status"] == "completed"
    focus_sessions(other_user, 2, datetime(2026, 5, 5, 8, 0, tzinfo=UTC))
    assert join(other_user, focus)["progress"] == 2
    focus_sessions(other_user, 1, datetime(2026, 5, 10, 23, 0, tzinfo=UTC))
    third = UserFactory()
    award(third, 20, "helper")
    return {"focus": focus, "finisher": user, "trier": other_user, "third": third}


def test_weekly_reset_closes_last_week(finished_week):
    # when
    run_reset(MONDAY_EARLY)
    # then: every instance of last week is finalized
    assert WeeklyChallenge.objects.filter(week_start=WEEK, finalized_at__isnull=True).count() == 0
    assert WeeklyChallenge.objects.filter(week_start=WEEK).count() >= 1
    # the finisher's completion stays, the unfinished one is incomplete after a last refresh
    finisher = Participation.objects.get(user=finished_week["finisher"])
    trier = Participation.objects.get(user=finished_week["trier"])
    assert (finisher.status, finisher.progress, finisher.points_earned) == ("completed", 10, 75)
    assert (trier.status, trier.progress, trier.points_earned) == ("incomplete", 3, 0)


def test_weekly_reset_records_final_points_and_ranks(finished_week):
    # given: a fourth user ties with the finisher
    tied = UserFactory()
    award(tied, 75, "tie")
    # when
    run_reset(MONDAY_EARLY)
    # then
    assert results(WEEK) == {
        finished_week["finisher"].pk: (75, 1),
        tied.pk: (75, 1),
        finished_week["third"].pk: (20, 3),
    }


def test_weekly_reset_starts_this_weeks_challenges(finished_week):
    # when
    run_reset(MONDAY_EARLY)
    # then
    assert sorted(
        WeeklyChallenge.objects.filter(week_start=NEXT_WEEK, finalized_at__isnull=True).values_list(
            "challenge__name", flat=True
        )
    ) == sorted(DEFAULT_NAMES)
    with at(MONDAY_EARLY):
        items = client_for(finished_week["finisher"]).get("/api/challenges/week").json()
    assert {(i["week_start"], i["joined_count"], i["status"]) for i in items} == {("2026-05-11", 0, None)}


def test_weekly_reset_restarts_weekly_points(finished_week):
    # when
    run_reset(MONDAY_EARLY)
    # then: totals stay, weekly points start again from zero
    rows = {row.user_id: row for row in UserPoints.objects.all()}
    assert {uid: (row.total_points, row.weekly_points, row.week_start) for uid, row in rows.items()} == {
        finished_week["finisher"].pk: (75, 0, NEXT_WEEK),
        finished_week["third"].pk: (20, 0, NEXT_WEEK),
    }
    with at(MONDAY_EARLY):
        leaders = client_for(finished_week["finisher"]).get("/api/challenges/leaders").json()
    assert leaders == [
        {
            "rank": 1,
            "name": finished_week["finisher"].full_name,
            "avatar": finished_week["finisher"].avatar_url,
            "points": 0,
            "is_current_user": True,
        }
    ]


def test_running_the_weekly_reset_twice_changes_nothing_the_second_time(finished_week):
    # given
    run_reset(MONDAY_EARLY)
    before = snapshot()
    # when
    output = run_reset(MONDAY_EARLY + timedelta(minutes=5))
    # then
    assert snapshot() == before
    assert "'finalized': 0" in output
    assert "'weeks_ranked': 0" in output
    assert "'weekly_points_reset': 0" in output


def test_weekly_reset_before_the_week_ends_finalizes_nothing(finished_week):
    # when: a minute before midnight on Sunday
    run_reset(SUNDAY_LATE)
    # then
    assert not WeeklyChallenge.objects.filter(finalized_at__isnull=False).exists()
    assert not WeeklyChallenge.objects.filter(week_start=NEXT_WEEK).exists()
    assert Participation.objects.get(user=finished_week["trier"]).status == "in_progress"
    assert not WeeklyResult.objects.exists()
    assert UserPoints.objects.get(user=finished_week["finisher"]).weekly_points == 75


def test_a_target_reached_by_the_weeks_end_is_completed_by_the_reset_for_that_week(user):
    # given: joined on Monday; ten sessions since, none counted by an event yet
    with at(WEDNESDAY):
        focus = default_instance("focus")
    join(user, focus, datetime(2026, 5, 4, 7, 0, tzinfo=UTC))
    focus_sessions(user, 10, datetime(2026, 5, 9, 8, 0, tzinfo=UTC))
    # when
    run_reset(MONDAY_EARLY)
    # then: completed, and the points count for the week the work was done in
    participation = Participation.objects.get(user=user)
    assert (participation.status, participation.progress, participation.points_earned) == ("completed", 10, 75)
    assert list(
        PointsEntry.objects.filter(user=user, reason="challenge_completed").values_list("points", "week_start")
    ) == [(75, WEEK)]
    assert results(WEEK) == {user.pk: (75, 1)}
    points = UserPoints.objects.get(user=user)
    assert (points.total_points, points.weekly_points, points.week_start) == (75, 0, NEXT_WEEK)


def test_a_week_without_participants_is_finalized_too():
    # given
    with at(WEDNESDAY):
        default_instance("break")
    # when
    run_reset(MONDAY_EARLY)
    # then
    assert not WeeklyChallenge.objects.filter(week_start=WEEK, finalized_at__isnull=True).exists()
    assert WeeklyChallenge.objects.filter(week_start=NEXT_WEEK).count() >= 3


# --- another week timezone -----------------------------------------------------------------------

# New York is UTC-4 in May: its week runs from Monday 04:00 UTC to the next Monday 04:00 UTC.
NY_SUNDAY_LATE = datetime(2026, 5, 11, 3, 59, tzinfo=UTC)  # Sunday 23:59 in New York
NY_MONDAY_EARLY = datetime(2026, 5, 11, 4, 5, tzinfo=UTC)  # Monday 00:05 in New York


@pytest.fixture
def new_york_week(settings):
    settings.LEARNFLOW_WEEK_TIMEZONE = "America/New_York"


def test_the_reset_follows_the_week_timezone(new_york_week, user):
    # given: joined in the New York week, one more session ending Sunday 23:30 in New York
    with at(WEDNESDAY):
        focus = default_instance("focus")
    focus_sessions(user, 1, datetime(2026, 5, 5, 8, 0, tzinfo=UTC))
    join(user, focus)
    StudySessionFactory(user=user, started_at=datetime(2026, 5, 11, 3, 5, tzinfo=UTC), planned_duration=25)
    award(user, 30, "staff")
    # when: it is already Monday in UTC, but still Sunday in New York
    run_reset(NY_SUNDAY_LATE)
    # then: nothing is closed yet
    assert focus.week_start == WEEK
    assert not WeeklyChallenge.objects.filter(finalized_at__isnull=False).exists()
    assert UserPoints.objects.get(user=user).weekly_points == 30
    # when: Monday 00:05 in New York
    run_reset(NY_MONDAY_EARLY)
    # then
    focus.refresh_from_db()
    assert focus.finalized_at is not None
    participation = Participation.objects.get(user=user)
    assert (participation.status, participation.progress) == ("incomplete", 2)
    assert results(WEEK) == {user.pk: (30, 1)}
    assert sorted(WeeklyChallenge.objects.filter(week_start=NEXT_WEEK).values_list("challenge__name", flat=True)) == (
        DEFAULT_NAMES
    )
    points = UserPoints.objects.get(user=user)
    assert (points.total_points, points.weekly_points, points.week_start) == (30, 0, NEXT_WEEK)


def test_running_the_reset_twice_in_another_week_timezone_changes_nothing(new_york_week, user):
    # given
    with at(WEDNESDAY):
        focus = default_instance("focus")
    join(user, focus)
    award(user, 30, "staff")
    run_reset(NY_MONDAY_EARLY)
    before = snapshot()
    # when
    run_reset(NY_MONDAY_EARLY + timedelta(hours=1))
    # then
    assert snapshot() == before
    assert WeeklyResult.objects.count() == 1


def test_a_deleted_account_leaves_the_final_ranks_and_those_behind_move_up():
    # given: last week's final ranks 1, 2, 2, 4 (a tie with the leaver at 2), and a week before it
    leaver, tied, first, last = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    for user, points in ((first, 90), (leaver, 50), (tied, 50), (last, 10)):
        award(user, points, f"{user.pk}")
    award(leaver, 5, "earlier", when=WEDNESDAY - timedelta(days=7))
    award(first, 7, "earlier", when=WEDNESDAY - timedelta(days=7))
    run_reset(MONDAY_EARLY)
    assert results(WEEK) == {first.pk: (90, 1), leaver.pk: (50, 2), tied.pk: (50, 2), last.pk: (10, 4)}
    # when
    with at(MONDAY_EARLY):
        deleted = client_for(leaver).delete("/api/users/me", {"password": DEFAULT_PASSWORD}, format="json")
    assert deleted.status_code == 204
    # then: the tie keeps its rank, who had fewer points moves up one
    assert results(WEEK) == {first.pk: (90, 1), tied.pk: (50, 2), last.pk: (10, 3)}
    assert results(WEEK - timedelta(days=7)) == {first.pk: (7, 1)}

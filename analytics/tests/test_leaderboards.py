"""The global leaderboard by verified focus time, through the API and the real timer flow."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from analytics.leaderboards import focus_totals_refresh
from analytics.models import FocusTotal
from focus.models import StudySession
from focus.services import study_session_log
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
BOARD = "/api/study-sessions/leaderboards/global"


@pytest.fixture
def focus(django_capture_on_commit_callbacks):
    """Run the real timer: start, then complete at the planned end (the totals refresh after commit)."""

    def run(user, at: datetime, minutes: int = 25):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            session_id = (
                client_for(user)
                .post("/api/focus-sessions/start", {"duration_minutes": minutes}, format="json")
                .json()["session_id"]
            )
        with (
            time_machine.travel(at + timedelta(minutes=minutes), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert client_for(user).post(f"/api/focus-sessions/{session_id}/complete").status_code == 200

    return run


def board(user, period="weekly", at=WEDNESDAY + timedelta(hours=3)):
    with time_machine.travel(at, tick=False):
        return client_for(user).get(f"{BOARD}?period={period}")


def test_ranks_verified_focus_time_with_ties_sharing_a_rank(focus):
    # given
    ada, grace, linus, me = (UserFactory(username=n) for n in ("ada", "grace", "linus", "me"))
    focus(ada, WEDNESDAY - timedelta(hours=6), 50)
    focus(grace, WEDNESDAY - timedelta(hours=5), 25)
    focus(grace, WEDNESDAY - timedelta(hours=4), 25)
    focus(linus, WEDNESDAY - timedelta(hours=3), 30)
    # when
    response = board(me)
    # then: the tie lists by user id
    assert response.status_code == 200
    rows = response.json()
    tied = sorted([(ada, 1), (grace, 2)], key=lambda pair: pair[0].pk)
    assert [(r["rank"], r["user"]["username"], r["total_minutes"], r["session_count"]) for r in rows] == [
        *((1, member.username, 50, sessions) for member, sessions in tied),
        (3, "linus", 30, 1),
        (4, "me", 0, 0),
    ]
    assert [r["is_current_user"] for r in rows] == [False, False, False, True]
    assert set(rows[0]["user"]) == {"id", "username", "avatar_url"}


def test_manual_logs_stopped_and_early_sessions_earn_no_rank(focus):
    # given: a cheater logs 10 hours by hand and stops timers early; an honest user does 25 minutes
    cheater, honest = UserFactory(username="cheater"), UserFactory(username="honest")
    with time_machine.travel(WEDNESDAY, tick=False):
        study_session_log(user=cheater, topic="x", duration_minutes=600)
        session_id = (
            client_for(cheater).post("/api/focus-sessions/start", {"duration_minutes": 60}).json()["session_id"]
        )
    with time_machine.travel(WEDNESDAY + timedelta(minutes=10), tick=False):
        client_for(cheater).post(f"/api/focus-sessions/{session_id}/complete")
    focus(honest, WEDNESDAY + timedelta(hours=1))
    call_command("runjob", "recompute_focus_totals")
    # when
    rows = board(cheater).json()
    # then
    assert [(r["user"]["username"], r["total_minutes"]) for r in rows] == [("honest", 25), ("cheater", 0)]
    assert rows[1]["rank"] == 2


def test_weekly_monthly_and_all_time_periods(focus):
    me = UserFactory(username="me")
    focus(me, datetime(2026, 10, 20, 9, 0, tzinfo=UTC), 40)  # October
    focus(me, datetime(2026, 11, 3, 9, 0, tzinfo=UTC), 30)  # this month, an earlier week
    focus(me, WEDNESDAY - timedelta(hours=2), 20)  # this week
    minutes = {period: board(me, period).json()[0]["total_minutes"] for period in ("weekly", "monthly", "all_time")}
    assert minutes == {"weekly": 20, "monthly": 50, "all_time": 90}


def test_a_session_ending_just_before_the_week_turns_counts_for_its_week(focus):
    me = UserFactory(username="me")
    sunday_night = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # ends 23:55 Sunday, week in UTC
    focus(me, sunday_night, 25)
    last_week = FocusTotal.objects.get(user=me, period="weekly", period_start="2026-11-16")
    assert last_week.seconds == 25 * 60
    next_week = board(me, at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC)).json()
    assert next_week[0]["total_minutes"] == 0


def test_bad_period_is_400_naming_period(user):
    response = board(user, "yearly")
    assert response.status_code == 400
    assert "period" in response.json()


def test_needs_a_token(api_client):
    assert api_client.get(BOARD).status_code == 401


def test_query_count_does_not_grow_with_the_board(user):
    start = WEDNESDAY.date() - timedelta(days=2)
    FocusTotal.objects.create(user=UserFactory(), period="weekly", period_start=start, seconds=60, sessions=1)
    with CaptureQueriesContext(connection) as one:
        board(user)
    FocusTotal.objects.bulk_create(
        [
            FocusTotal(user=UserFactory(), period="weekly", period_start=start, seconds=60 * n, sessions=1)
            for n in range(2, 30)
        ]
    )
    with CaptureQueriesContext(connection) as many:
        rows = board(user).json()
    assert len(one) == len(many)
    assert len(rows) == 11
    assert rows[-1]["rank"] == 30


def test_the_callers_own_row_is_counted_from_their_sessions_not_the_stored_totals(focus):
    # given: my stored total is wrong (a job not run yet, or lost), ada's is right
    ada, me = UserFactory(username="ada"), UserFactory(username="me")
    focus(ada, WEDNESDAY - timedelta(hours=3), 30)
    focus(me, WEDNESDAY - timedelta(hours=2), 25)
    FocusTotal.objects.filter(user=me).update(seconds=999_999, sessions=99)
    # when
    mine, adas = board(me).json(), board(ada).json()
    # then: I read my own time; ada reads the stored one
    assert [(r["rank"], r["user"]["username"], r["total_minutes"], r["session_count"]) for r in mine] == [
        (1, "ada", 30, 1),
        (2, "me", 25, 1),
    ]
    assert [(r["rank"], r["user"]["username"]) for r in adas] == [(1, "me"), (2, "ada")]


def test_a_tie_lists_by_user_id_in_one_order_for_everybody_the_caller_included(focus):
    # given: five users with the same time (the caller counted from their sessions, the others stored)
    users = [UserFactory() for _ in range(5)]
    for hours, member in enumerate(users, start=1):
        focus(member, WEDNESDAY - timedelta(hours=hours), 25)
    expected = [(1, member.username, 25, True) for member in sorted(users, key=lambda member: member.pk)]
    # when / then: each of them sees the same order, all at rank 1, themselves where their id puts them
    for member in users:
        rows = board(member).json()
        assert [(r["rank"], r["user"]["username"], r["total_minutes"], True) for r in rows] == expected
        assert [r["is_current_user"] for r in rows] == [r["user"]["id"] == str(member.pk) for r in rows]


def test_only_the_top_of_a_large_tie_is_listed_and_the_rest_share_its_rank(user, focus):
    # given: twelve users tied ahead of the caller, who has less
    start = WEDNESDAY.date() - timedelta(days=2)
    tied = [UserFactory() for _ in range(12)]
    FocusTotal.objects.bulk_create(
        [FocusTotal(user=member, period="weekly", period_start=start, seconds=3600, sessions=2) for member in tied]
    )
    focus(user, WEDNESDAY - timedelta(hours=1), 25)
    # when
    rows = board(user).json()
    # then: the ten of the lowest ids, all first, and the caller 13th
    first_ten = [member.username for member in sorted(tied, key=lambda member: member.pk)[:10]]
    assert [(r["rank"], r["user"]["username"]) for r in rows[:10]] == [(1, name) for name in first_ten]
    assert [(r["rank"], r["user"]["username"], r["total_minutes"]) for r in rows[10:]] == [(13, user.username, 25)]


def test_recompute_repairs_a_wrong_total(focus):
    me = UserFactory()
    focus(me, WEDNESDAY - timedelta(hours=2), 25)
    FocusTotal.objects.filter(user=me).update(seconds=999_999)
    with time_machine.travel(WEDNESDAY, tick=False):
        call_command("runjob", "recompute_focus_totals")
    assert FocusTotal.objects.get(user=me, period="weekly").seconds == 25 * 60
    assert StudySession.objects.filter(user=me).count() == 1


def test_group_leaderboard_ranks_members_only(focus):
    from community.tests.factories import group_with

    # given: two members and an outsider who focused more
    me, mate, outsider = UserFactory(username="me"), UserFactory(username="mate"), UserFactory(username="outsider")
    group = group_with(leader=me, members=[mate])
    focus(mate, WEDNESDAY - timedelta(hours=4), 50)
    focus(me, WEDNESDAY - timedelta(hours=3), 25)
    focus(outsider, WEDNESDAY - timedelta(hours=2), 90)
    # when
    with time_machine.travel(WEDNESDAY + timedelta(hours=3), tick=False):
        rows = client_for(me).get(f"/api/study-sessions/leaderboards/group/{group.pk}").json()
        stranger = client_for(outsider).get(f"/api/study-sessions/leaderboards/group/{group.pk}")
    # then
    assert [(r["rank"], r["user"]["username"], r["total_minutes"]) for r in rows] == [(1, "mate", 50), (2, "me", 25)]
    assert stranger.status_code == 404


def test_the_totals_are_locked_before_the_sessions_are_read_and_summed_in_one_query(focus):
    # given: two refreshes racing write in the order they locked; the later one must also read later
    me = UserFactory()
    focus(me, WEDNESDAY - timedelta(hours=2), 25)
    # when
    with time_machine.travel(WEDNESDAY, tick=False), CaptureQueriesContext(connection) as context:
        focus_totals_refresh(user=me)
    # then
    sqls = [query["sql"] for query in context.captured_queries]
    locked = next(i for i, sql in enumerate(sqls) if '"analytics_focustotal"' in sql and "FOR UPDATE" in sql)
    reads = [i for i, sql in enumerate(sqls) if 'FROM "focus_studysession"' in sql]
    assert len(reads) == 1
    assert locked < reads[0]
    assert sorted(FocusTotal.objects.filter(user=me).values_list("period", "seconds", "sessions")) == [
        ("all_time", 1500, 1), ("monthly", 1500, 1), ("weekly", 1500, 1),
    ]  # fmt: skip

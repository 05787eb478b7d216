"""The weekly leaderboard (``GET /api/challenges/leaders``): the top 10 by this challenge week's
points, ties sharing a rank, plus the caller's own row with their real rank when outside it."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from challenges.services import points_award
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

THURSDAY = datetime(2026, 5, 7, 12, 0, tzinfo=UTC)
LAST_WEEK = datetime(2026, 4, 30, 12, 0, tzinfo=UTC)
LEADER_KEYS = {"rank", "name", "avatar", "points", "is_current_user"}


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def earn(user, points: int, when: datetime = THURSDAY, source_id: str = "quiz"):
    with at(when):
        points_award(user=user, points=points, reason="staff_award", source_type="staff", source_id=source_id)


def leaders(user, when: datetime = THURSDAY) -> list[dict]:
    with at(when):
        response = client_for(user).get("/api/challenges/leaders")
    assert response.status_code == 200, response.content
    return response.json()


def ranking(rows: list[dict]) -> list[tuple]:
    return [(row["rank"], row["name"], row["points"], row["is_current_user"]) for row in rows]


def test_leaders_rows_have_the_contract_keys(user):
    # given
    leader = UserFactory(full_name="Sophie L.", avatar_source="/avatars/sophie.png")
    earn(leader, 1245)
    # when
    rows = leaders(user)
    # then
    assert all(set(row) == LEADER_KEYS for row in rows)
    assert rows[0] == {
        "rank": 1,
        "name": "Sophie L.",
        "avatar": "/avatars/sophie.png",
        "points": 1245,
        "is_current_user": False,
    }


def test_leaders_rank_by_this_weeks_points_and_ties_share_a_rank():
    # given
    ann = UserFactory(username="ann", full_name="Ann")
    bob = UserFactory(username="bob", full_name="Bob")
    cyd = UserFactory(username="cyd", full_name="Cyd")
    earn(cyd, 30)
    earn(bob, 50)
    earn(ann, 50)
    # when
    rows = leaders(cyd)
    # then: the tie lists by user id
    tied = [(1, member.full_name, 50, False) for member in sorted([ann, bob], key=lambda member: member.pk)]
    assert ranking(rows) == [*tied, (3, "Cyd", 30, True)]


def test_a_tie_lists_by_user_id_in_one_order_for_everybody():
    # given: five users on the same points, and one with fewer
    tied = [UserFactory() for _ in range(5)]
    for member in tied:
        earn(member, 40)
    behind = UserFactory()
    earn(behind, 10)
    expected = [(1, member.full_name, 40) for member in sorted(tied, key=lambda member: member.pk)]
    # when / then: the tied users and the one behind see the same order
    for caller in [*tied, behind]:
        rows = leaders(caller)
        assert [(row["rank"], row["name"], row["points"]) for row in rows[:5]] == expected
        assert [row["is_current_user"] for row in rows] == [
            member is caller for member in [*sorted(tied, key=lambda member: member.pk), behind]
        ]


def test_only_the_top_of_a_large_tie_is_listed_and_the_caller_below_shares_no_rank_with_it(user):
    # given: twelve users tied ahead of the caller
    tied = [UserFactory() for _ in range(12)]
    for member in tied:
        earn(member, 75)
    earn(user, 5)
    # when
    rows = leaders(user)
    # then: the ten of the lowest ids, all first, then the caller 13th
    first_ten = [member.full_name for member in sorted(tied, key=lambda member: member.pk)[:10]]
    assert ranking(rows) == [*((1, name, 75, False) for name in first_ten), (13, user.full_name, 5, True)]


def test_leaders_show_the_top_ten_and_the_callers_real_rank_below_them(user):
    # given: twelve users ahead of the caller
    ahead = [UserFactory(full_name=f"Leader {n:02d}") for n in range(12)]
    for n, leader in enumerate(ahead):
        earn(leader, 200 - 10 * n)
    earn(user, 5)
    # when
    rows = leaders(user)
    # then
    assert ranking(rows[:10]) == [(n + 1, f"Leader {n:02d}", 200 - 10 * n, False) for n in range(10)]
    assert ranking(rows[10:]) == [(13, user.full_name, 5, True)]


def test_a_caller_without_points_is_ranked_after_everyone_with_points(user):
    # given
    for points in (30, 20, 10):
        earn(UserFactory(), points)
    # when
    rows = leaders(user)
    # then
    assert len(rows) == 4
    assert ranking(rows)[-1] == (4, user.full_name, 0, True)


def test_a_caller_without_points_sees_only_themselves_on_an_empty_board(user):
    # when
    rows = leaders(user)
    # then
    assert ranking(rows) == [(1, user.full_name, 0, True)]


def test_a_caller_in_the_top_ten_is_listed_once(user):
    # given
    earn(UserFactory(), 100)
    earn(user, 60)
    earn(UserFactory(), 10)
    # when
    rows = leaders(user)
    # then
    assert [(row["rank"], row["points"]) for row in rows] == [(1, 100), (2, 60), (3, 10)]
    assert [row["is_current_user"] for row in rows] == [False, True, False]


def test_last_weeks_points_do_not_count(user):
    # given: a champion of last week, and a user who earned in both weeks
    champion = UserFactory(full_name="Champion")
    steady = UserFactory(full_name="Steady")
    earn(champion, 500, LAST_WEEK)
    earn(steady, 400, LAST_WEEK, source_id="last")
    earn(steady, 15, source_id="this")
    # when
    rows = leaders(user)
    # then
    assert ranking(rows) == [(1, "Steady", 15, False), (2, user.full_name, 0, True)]


def test_a_leader_without_a_full_name_is_shown_by_username(user):
    # given
    earn(UserFactory(username="nofullname", full_name=""), 10)
    # when
    rows = leaders(user)
    # then
    assert rows[0]["name"] == "nofullname"


def test_leaders_query_count_does_not_grow_with_the_board(user):
    # given: a first request, then a board of two and one of twelve
    for n in range(2):
        earn(UserFactory(), 100 + n)
    with at(THURSDAY):
        client = client_for(user)
        client.get("/api/challenges/leaders")
        with CaptureQueriesContext(connection) as with_two:
            two = client.get("/api/challenges/leaders").json()
    for n in range(10):
        earn(UserFactory(), 10 + n)
    # when
    with at(THURSDAY), CaptureQueriesContext(connection) as with_twelve:
        twelve = client.get("/api/challenges/leaders").json()
    # then
    assert (len(two), len(twelve)) == (3, 11)
    assert len(with_twelve) == len(with_two)

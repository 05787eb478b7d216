"""Weekly and monthly summaries of logged hours: local weeks and months, per goal, always fresh."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from learnflow.testing import client_for
from tasks.tests.factories import GoalFactory, ProgressFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SUMMARY_PATHS = ["/api/summary/weekly/", "/api/summary/monthly/", "/api/summary/weekly/1/", "/api/summary/monthly/1/"]


def logged_at(goal, instant: datetime, hours: float):
    with time_machine.travel(instant, tick=False):
        return ProgressFactory(goal=goal, logged_hours=timedelta(hours=hours), total_hours=timedelta(hours=10))


def summary(user, path: str):
    response = client_for(user).get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_weekly_summary_groups_by_the_users_local_week():
    # given: in March 2030 Berlin is on UTC+1; March 10 is a Sunday
    user = UserFactory(timezone="Europe/Berlin")
    goal = GoalFactory(user=user)
    logged_at(goal, datetime(2030, 3, 4, 0, 30, tzinfo=BERLIN), 0.5)
    logged_at(goal, datetime(2030, 3, 10, 23, 30, tzinfo=BERLIN), 1)  # Sunday 22:30 UTC
    logged_at(goal, datetime(2030, 3, 11, 0, 30, tzinfo=BERLIN), 2)  # Monday, but Sunday 23:30 UTC
    # when
    weekly = summary(user, "/api/summary/weekly/")
    # then
    assert weekly == [
        {"week_start": "2030-03-04", "total_hours": 1.5},
        {"week_start": "2030-03-11", "total_hours": 2.0},
    ]


def test_weekly_summary_west_of_utc_keeps_sunday_evening_in_its_week():
    # given: 23:30 on Sunday March 17, 2030 in New York is Monday 03:30 UTC
    user = UserFactory(timezone="America/New_York")
    goal = GoalFactory(user=user)
    logged_at(goal, datetime(2030, 3, 17, 23, 30, tzinfo=NEW_YORK), 1)
    logged_at(goal, datetime(2030, 3, 18, 9, 0, tzinfo=NEW_YORK), 3)
    # when
    weekly = summary(user, "/api/summary/weekly")
    # then
    assert weekly == [
        {"week_start": "2030-03-11", "total_hours": 1.0},
        {"week_start": "2030-03-18", "total_hours": 3.0},
    ]


def test_monthly_summary_groups_by_the_users_local_month():
    # given: Berlin is on UTC+2 around April 1, 2030
    user = UserFactory(timezone="Europe/Berlin")
    goal = GoalFactory(user=user)
    logged_at(goal, datetime(2030, 3, 31, 23, 30, tzinfo=BERLIN), 1)  # 21:30 UTC, still March
    logged_at(goal, datetime(2030, 4, 1, 0, 30, tzinfo=BERLIN), 2)  # March 31, 22:30 UTC
    logged_at(goal, datetime(2030, 4, 30, 12, 0, tzinfo=BERLIN), 0.25)
    # when
    monthly = summary(user, "/api/summary/monthly/")
    # then
    assert monthly == [
        {"month_start": "2030-03-01", "total_hours": 1.0},
        {"month_start": "2030-04-01", "total_hours": 2.25},
    ]


def test_summaries_add_up_every_goal_of_the_user_only(user, other_user):
    # given
    first, second = GoalFactory.create_batch(2, user=user)
    logged_at(first, datetime(2030, 5, 6, 10, tzinfo=UTC), 1.5)
    logged_at(second, datetime(2030, 5, 7, 10, tzinfo=UTC), 1 / 3)
    logged_at(second, datetime(2030, 6, 3, 10, tzinfo=UTC), 1)
    logged_at(GoalFactory(user=other_user), datetime(2030, 5, 6, 10, tzinfo=UTC), 7)
    # when
    weekly = summary(user, "/api/summary/weekly/")
    monthly = summary(user, "/api/summary/monthly/")
    # then
    assert weekly == [
        {"week_start": "2030-05-06", "total_hours": 1.83},
        {"week_start": "2030-06-03", "total_hours": 1.0},
    ]
    assert monthly == [
        {"month_start": "2030-05-01", "total_hours": 1.83},
        {"month_start": "2030-06-01", "total_hours": 1.0},
    ]


def test_goal_summaries_count_only_that_goal(user):
    # given
    first, second = GoalFactory.create_batch(2, user=user)
    logged_at(first, datetime(2030, 5, 6, 10, tzinfo=UTC), 1)
    logged_at(second, datetime(2030, 5, 7, 10, tzinfo=UTC), 2)
    logged_at(second, datetime(2030, 6, 20, 10, tzinfo=UTC), 4)
    # when
    first_weekly = summary(user, "/api/summary/weekly/1/")
    second_weekly = summary(user, "/api/summary/weekly/2")
    second_monthly = summary(user, "/api/summary/monthly/2/")
    # then
    assert first_weekly == [{"week_start": "2030-05-06", "total_hours": 1.0}]
    assert second_weekly == [
        {"week_start": "2030-05-06", "total_hours": 2.0},
        {"week_start": "2030-06-17", "total_hours": 4.0},
    ]
    assert second_monthly == [
        {"month_start": "2030-05-01", "total_hours": 2.0},
        {"month_start": "2030-06-01", "total_hours": 4.0},
    ]


@pytest.mark.parametrize("path", SUMMARY_PATHS)
def test_a_summary_without_progress_is_an_empty_list(user, path):
    # given
    GoalFactory(user=user)
    # when
    response = client_for(user).get(path)
    # then
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "path", ["/api/summary/weekly/3/", "/api/summary/monthly/3", "/api/summary/weekly/2/", "/api/summary/monthly/2/"]
)
def test_a_summary_of_an_unknown_or_foreign_goal_is_404(user, other_user, path):
    # given
    GoalFactory(user=user)
    GoalFactory.create_batch(2, user=other_user)
    # when
    response = client_for(user).get(path)
    # then
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("path", SUMMARY_PATHS)
def test_summaries_are_401_without_a_token(api_client, user, path):
    # given
    GoalFactory(user=user)
    # when
    response = api_client.get(path)
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_repeated_read_comes_from_the_cache(user):
    # given
    goal = GoalFactory(user=user)
    logged_at(goal, datetime(2030, 5, 6, 10, tzinfo=UTC), 1)
    client = client_for(user)
    first = client.get("/api/summary/weekly/")
    # when
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/api/summary/weekly/")
    # then
    assert second.json() == first.json() == [{"week_start": "2030-05-06", "total_hours": 1.0}]
    assert not [q for q in queries.captured_queries if "tasks_progress" in q["sql"]]


def test_a_timezone_change_regroups_the_summary():
    # given: Monday 00:30 in Berlin is still Sunday in UTC
    user = UserFactory(timezone="Europe/Berlin")
    goal = GoalFactory(user=user)
    logged_at(goal, datetime(2030, 3, 11, 0, 30, tzinfo=BERLIN), 2)
    before = summary(user, "/api/summary/weekly/")
    # when
    client_for(user).patch("/api/users/me/", {"timezone": "UTC"})
    after = summary(user, "/api/summary/weekly/")
    # then
    assert before == [{"week_start": "2030-03-11", "total_hours": 2.0}]
    assert after == [{"week_start": "2030-03-04", "total_hours": 2.0}]


# --- freshness: read, write, read again (committed for real, as in production) -----------------


@pytest.mark.django_db(transaction=True)
def test_a_summary_read_right_after_logging_progress_includes_it():
    # given
    user = UserFactory()
    GoalFactory(user=user)
    with time_machine.travel(datetime(2030, 5, 6, 10, tzinfo=UTC), tick=False):
        client = client_for(user)
        client.post("/api/goals/1/progress/", {"logged_hours": "01:00:00", "total_hours": "02:00:00"})
        weekly_before = client.get("/api/summary/weekly/").json()
        goal_before = client.get("/api/summary/monthly/1/").json()
        # when
        created = client.post("/api/goals/1/progress/", {"logged_hours": "00:30:00", "total_hours": "02:00:00"})
        weekly_after = client.get("/api/summary/weekly/").json()
        goal_after = client.get("/api/summary/monthly/1/").json()
    # then
    assert created.status_code == 201
    assert weekly_before == [{"week_start": "2030-05-06", "total_hours": 1.0}]
    assert goal_before == [{"month_start": "2030-05-01", "total_hours": 1.0}]
    assert weekly_after == [{"week_start": "2030-05-06", "total_hours": 1.5}]
    assert goal_after == [{"month_start": "2030-05-01", "total_hours": 1.5}]


@pytest.mark.django_db(transaction=True)
def test_a_summary_read_right_after_editing_or_deleting_an_entry_reflects_it():
    # given
    user = UserFactory()
    goal = GoalFactory(user=user)
    logged_at(goal, datetime(2030, 5, 6, 10, tzinfo=UTC), 1)
    logged_at(goal, datetime(2030, 5, 7, 10, tzinfo=UTC), 2)
    with time_machine.travel(datetime(2030, 5, 8, 10, tzinfo=UTC), tick=False):
        client = client_for(user)
        before = client.get("/api/summary/weekly/").json()
        # when
        patched = client.patch("/api/goals/1/progress/1", {"logged_hours": "04:00:00"})
        after_patch = client.get("/api/summary/weekly/").json()
        deleted = client.delete("/api/goals/1/progress/2")
        after_delete = client.get("/api/summary/weekly/").json()
    # then
    assert (patched.status_code, deleted.status_code) == (200, 204)
    assert before == [{"week_start": "2030-05-06", "total_hours": 3.0}]
    assert after_patch == [{"week_start": "2030-05-06", "total_hours": 6.0}]
    assert after_delete == [{"week_start": "2030-05-06", "total_hours": 4.0}]


@pytest.mark.django_db(transaction=True)
def test_a_summary_read_right_after_deleting_a_goal_leaves_its_hours_out():
    # given
    user = UserFactory()
    kept, dropped = GoalFactory.create_batch(2, user=user)
    logged_at(kept, datetime(2030, 5, 6, 10, tzinfo=UTC), 1)
    logged_at(dropped, datetime(2030, 5, 6, 11, tzinfo=UTC), 2)
    logged_at(dropped, datetime(2030, 6, 6, 11, tzinfo=UTC), 5)
    client = client_for(user)
    before = client.get("/api/summary/monthly/").json()
    # when
    deleted = client.delete("/api/goals/2")
    after = client.get("/api/summary/monthly/").json()
    # then
    assert deleted.status_code == 204
    assert before == [
        {"month_start": "2030-05-01", "total_hours": 3.0},
        {"month_start": "2030-06-01", "total_hours": 5.0},
    ]
    assert after == [{"month_start": "2030-05-01", "total_hours": 1.0}]


# --- cost of a cached read -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/summary/weekly/", "/api/summary/monthly/1/"])
def test_a_cached_summary_costs_one_redis_round_trip_and_no_sql(settings, user, path, redis_commands):
    # given: the token's user cached, as in production, and the summary read once
    settings.LEARNFLOW_AUTH_USER_CACHE_SECONDS = 30
    goal = GoalFactory(user=user)
    logged_at(goal, datetime(2030, 5, 6, 10, tzinfo=UTC), 1)
    client = client_for(user)
    first = client.get(path)
    redis_commands.clear()
    # when
    with CaptureQueriesContext(connection) as queries:
        second = client.get(path)
    # then
    assert second.status_code == 200
    assert second.json() == first.json() != []
    assert queries.captured_queries == []
    assert redis_commands == ["MGET"]


@pytest.mark.django_db(transaction=True)
def test_a_summary_of_a_goal_deleted_after_it_was_cached_is_404():
    # given
    user = UserFactory()
    GoalFactory.create_batch(2, user=user)
    client = client_for(user)
    assert client.get("/api/summary/weekly/2/").status_code == 200
    # when
    client.delete("/api/goals/2")
    response = client.get("/api/summary/weekly/2/")
    # then
    assert response.status_code == 404


def test_goal_0_is_not_the_summary_of_all_goals(user):
    # given
    goal = GoalFactory(user=user)
    logged_at(goal, datetime(2030, 5, 6, 10, tzinfo=UTC), 1)
    client = client_for(user)
    assert client.get("/api/summary/weekly/").json() != []
    # when
    response = client.get("/api/summary/weekly/0/")
    # then
    assert response.status_code == 404

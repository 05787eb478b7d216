"""Management commands touching tasks: ``benchmark_cache`` and the tasks and goals of ``export_user_data``."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tasks.tests.factories import GoalFactory, ProgressFactory, TaskFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- benchmark_cache ---------------------------------------------------------------------------


@pytest.mark.parametrize("identify_by", ["username", "email", "pk"])
def test_benchmark_cache_prints_a_table_with_weekly_and_monthly_rows(user, identify_by):
    # given
    goal = GoalFactory(user=user)
    ProgressFactory.create_batch(3, goal=goal)
    # when
    output = run("benchmark_cache", "--user", str(getattr(user, identify_by)), "--requests", "5")
    # then
    header, weekly, monthly, footer = output.strip().splitlines()
    assert header.split() == [
        "summary",
        "no",
        "cache",
        "ms",
        "cache",
        "ms",
        "p95",
        "no",
        "cache",
        "p95",
        "cache",
        "speed-up",
    ]
    for line, period in ((weekly, "weekly"), (monthly, "monthly")):
        name, *timings, speed_up = line.split()
        assert name == period
        assert len(timings) == 4
        assert all(float(timing) >= 0 for timing in timings)
        assert speed_up.endswith("x")
        assert float(speed_up.removesuffix("x")) > 0
    assert footer.startswith("5 requests per case; cache backend ")


def test_benchmark_cache_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="No user 'nobody'"):
        run("benchmark_cache", "--user", "nobody", "--requests", "5")


def test_benchmark_cache_refuses_fewer_than_one_request(user):
    with pytest.raises(CommandError, match="--requests"):
        run("benchmark_cache", "--user", user.username, "--requests", "0")


# --- export_user_data --------------------------------------------------------------------------


@time_machine.travel(datetime(2030, 2, 1, 9, 0, tzinfo=UTC), tick=False)
def test_export_user_data_includes_the_users_own_tasks_and_goals(user, other_user):
    # given
    TaskFactory(
        user=user,
        title="Essay outline",
        priority="high",
        tags=["writing"],
        due_date=datetime(2030, 2, 3, 17, 0, tzinfo=UTC),
        recurrence="FREQ=WEEKLY",
    )
    TaskFactory(user=other_user, title="Their task")
    goal = GoalFactory(user=user, goal_name="Pass calculus", category="Primary")
    ProgressFactory(goal=goal, progress="limits", logged_hours=timedelta(hours=1), total_hours=timedelta(hours=4))
    ProgressFactory(goal=GoalFactory(user=other_user, goal_name="Their goal"), progress="their progress")
    # when
    output = run("export_user_data", user.username)
    # then
    document = json.loads(output)
    assert {"tasks", "goals"} <= set(document)
    [task] = document["tasks"]
    assert (task["title"], task["priority"], task["tags"], task["recurrence"]) == (
        "Essay outline",
        "high",
        ["writing"],
        "FREQ=WEEKLY",
    )
    assert task["due_date"] == "2030-02-03T17:00:00Z"
    [exported_goal] = document["goals"]
    assert (exported_goal["number"], exported_goal["goal_name"], exported_goal["category"]) == (
        1,
        "Pass calculus",
        "Primary",
    )
    assert exported_goal["completion_percentage"] == 25.0
    assert [(p["number"], p["progress"]) for p in exported_goal["progress"]] == [(1, "limits")]
    assert "Their task" not in output
    assert "Their goal" not in output
    assert "their progress" not in output


def test_export_user_data_of_a_user_without_tasks_or_goals_has_empty_sections(user):
    # when
    document = json.loads(run("export_user_data", user.username))
    # then
    assert document["tasks"] == []
    assert document["goals"] == []

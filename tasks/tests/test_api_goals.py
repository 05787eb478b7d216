"""Goals addressed by the user's own numbers, their progress entries, and the progress throttle."""

import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.paginator import UnorderedObjectListWarning
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Tier
from accounts.tests.factories import UserFactory
from learnflow.testing import client_for, without_parameter
from tasks.models import Goal, GoalSequence, Progress
from tasks.tests.factories import GoalFactory, ProgressFactory

pytestmark = pytest.mark.django_db

GOAL_KEYS = {
    "id", "goal_name", "category", "deadline", "is_complete", "completion_percentage", "last_progress_at",
    "created_at", "updated_at",
}  # fmt: skip
PROGRESS_KEYS = {
    "id", "goal", "progress", "logged_hours", "total_hours", "is_complete", "percentage_complete",
    "created_at", "updated_at",
}  # fmt: skip


def goal_numbers(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [goal["id"] for goal in response.json()["results"]]


def log(client, number: int, logged: str = "01:00:00", total: str = "02:00:00", text: str = "session"):
    return client.post(
        f"/api/goals/{number}/progress/", {"progress": text, "logged_hours": logged, "total_hours": total}
    )


# --- goals -------------------------------------------------------------------------------------


@time_machine.travel(datetime(2030, 2, 1, 10, 0, tzinfo=UTC), tick=False)
def test_create_goal_answers_the_goal_with_its_number(user):
    # given
    client = client_for(user)
    # when
    response = client.post(
        "/api/goals/", {"goal_name": "Pass the calculus final", "category": "Primary", "deadline": "2030-06-30"}
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": 1,
        "goal_name": "Pass the calculus final",
        "category": "Primary",
        "deadline": "2030-06-30",
        "is_complete": False,
        "completion_percentage": 0.0,
        "last_progress_at": None,
        "created_at": "2030-02-01T10:00:00Z",
        "updated_at": "2030-02-01T10:00:00Z",
    }
    goal = Goal.objects.get()
    assert (goal.user, goal.number, goal.deadline) == (user, 1, date(2030, 6, 30))


@pytest.mark.parametrize("category", ["Primary", "Secondary", "Minor"])
def test_goal_category_is_primary_secondary_or_minor(auth_client, category):
    # when
    response = auth_client.post("/api/goals/", {"goal_name": "G", "category": category})
    # then
    assert response.status_code == 201
    assert response.json()["category"] == category


@pytest.mark.parametrize("category", ["primary", "Major", "", None, 1])
def test_any_other_category_is_a_400_naming_category(auth_client, category):
    # when
    response = auth_client.post("/api/goals/", {"goal_name": "G", "category": category})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"category"}
    assert not Goal.objects.exists()


@pytest.mark.parametrize("body", [{}, {"goal_name": ""}, {"goal_name": "x" * 201}], ids=["missing", "empty", "long"])
def test_goal_name_is_required_and_at_most_200_characters(auth_client, body):
    # when
    response = auth_client.post("/api/goals/", {"category": "Minor", **body})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"goal_name"}
    assert not Goal.objects.exists()


def test_goal_numbers_count_per_user_and_are_never_reused(auth_client, user, other_user):
    # given
    GoalFactory(user=other_user)
    for name in ("one", "two", "three"):
        auth_client.post("/api/goals/", {"goal_name": name, "category": "Primary"})
    # when
    deleted = auth_client.delete("/api/goals/2")
    fourth = auth_client.post("/api/goals/", {"goal_name": "four", "category": "Primary"})
    auth_client.delete("/api/goals/4/")
    fifth = auth_client.post("/api/goals/", {"goal_name": "five", "category": "Primary"})
    # then
    assert deleted.status_code == 204
    assert fourth.json()["id"] == 4
    assert fifth.json()["id"] == 5
    assert auth_client.get("/api/goals/2").status_code == 404
    assert auth_client.get("/api/goals/4").status_code == 404
    assert auth_client.get("/api/goals/3").json()["goal_name"] == "three"
    assert goal_numbers(auth_client.get("/api/goals/")) == [1, 3, 5]
    assert GoalSequence.objects.get(user=user).last_number == 5
    assert list(Goal.objects.filter(user=other_user).values_list("number", flat=True)) == [1]


def test_factory_goals_and_api_goals_share_the_numbering(auth_client, user):
    # given
    GoalFactory.create_batch(2, user=user)
    # when
    response = auth_client.post("/api/goals/", {"goal_name": "third", "category": "Minor"})
    # then
    assert response.json()["id"] == 3


def test_a_users_goal_number_names_their_own_goal(user, other_user):
    # given
    GoalFactory(user=user, goal_name="mine")
    for name in ("theirs 1", "theirs 2"):
        GoalFactory(user=other_user, goal_name=name)
    client = client_for(user)
    # when
    own = client.get("/api/goals/1")
    foreign = client.get("/api/goals/2")
    # then
    assert own.json()["goal_name"] == "mine"
    assert foreign.status_code == 404


@pytest.mark.parametrize("slash", ["/", ""], ids=["slash", "no-slash"])
def test_get_put_patch_and_delete_a_goal_with_and_without_trailing_slash(auth_client, user, slash):
    # given
    GoalFactory(user=user, goal_name="Before", category="Minor")
    path = f"/api/goals/1{slash}"
    # when
    got = auth_client.get(path)
    put = auth_client.put(path, {"goal_name": "Put", "category": "Secondary", "deadline": "2030-12-31"})
    patched = auth_client.patch(path, {"is_complete": True})
    deleted = auth_client.delete(path)
    # then
    assert got.status_code == 200
    assert set(got.json()) == GOAL_KEYS
    assert (got.json()["id"], got.json()["goal_name"], got.json()["category"]) == (1, "Before", "Minor")
    assert put.status_code == 200
    assert (put.json()["goal_name"], put.json()["category"], put.json()["deadline"]) == (
        "Put",
        "Secondary",
        "2030-12-31",
    )
    assert patched.status_code == 200
    assert (patched.json()["goal_name"], patched.json()["is_complete"]) == ("Put", True)
    assert deleted.status_code == 204
    assert not Goal.objects.exists()


def test_an_invalid_goal_update_is_a_400_and_changes_nothing(auth_client, user):
    # given
    GoalFactory(user=user, goal_name="Keep", category="Primary")
    # when
    response = auth_client.patch("/api/goals/1", {"category": "Huge", "goal_name": "Changed"})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"category"}
    assert Goal.objects.get().goal_name == "Keep"


def test_list_goals_filters_by_category_and_completion(auth_client, user):
    # given
    GoalFactory(user=user, category="Primary")
    GoalFactory(user=user, category="Secondary", is_complete=True)
    GoalFactory(user=user, category="Secondary")
    GoalFactory(user=user, category="Minor", is_complete=True)
    # when
    secondary = auth_client.get("/api/goals/?category=Secondary")
    complete = auth_client.get("/api/goals/?is_complete=true")
    open_secondary = auth_client.get("/api/goals/?category=Secondary&is_complete=false")
    bad = auth_client.get("/api/goals/?category=Major")
    # then
    assert goal_numbers(secondary) == [2, 3]
    assert goal_numbers(complete) == [2, 4]
    assert goal_numbers(open_secondary) == [3]
    assert bad.status_code == 400
    assert "category" in bad.json()


def test_list_goals_is_paginated_and_shows_only_own_goals(auth_client, user, other_user):
    # given
    GoalFactory.create_batch(5, user=user)
    GoalFactory.create_batch(2, user=other_user)
    # when
    first = auth_client.get("/api/goals/?page_size=2")
    last = auth_client.get("/api/goals?page_size=2&page=3")
    # then
    assert first.json()["count"] == 5
    assert goal_numbers(first) == [1, 2]
    assert "page=2" in first.json()["next"]
    assert first.json()["previous"] is None
    assert goal_numbers(last) == [5]
    assert last.json()["next"] is None


def test_goals_are_listed_by_number_even_after_edits(auth_client, user):
    # given
    goals = GoalFactory.create_batch(5, user=user)
    ProgressFactory(goal=goals[3])
    for number in (1, 3):
        auth_client.patch(f"/api/goals/{number}", {"goal_name": f"edited {number}"})
    # when
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        response = auth_client.get("/api/goals/?page_size=3")
    # then
    assert goal_numbers(response) == [1, 2, 3]


def test_completion_percentage_is_sum_logged_over_sum_total(auth_client, user):
    # given
    goal = GoalFactory(user=user)
    ProgressFactory(goal=goal, logged_hours=timedelta(hours=1), total_hours=timedelta(hours=4))
    ProgressFactory(goal=goal, logged_hours=timedelta(minutes=30), total_hours=timedelta(hours=4))
    third = GoalFactory(user=user)
    ProgressFactory(goal=third, logged_hours=timedelta(hours=1), total_hours=timedelta(hours=3))
    GoalFactory(user=user)
    # when
    listed = auth_client.get("/api/goals/").json()["results"]
    one = auth_client.get("/api/goals/1").json()
    # then
    assert [goal["completion_percentage"] for goal in listed] == [18.75, 33.33, 0.0]
    assert one["completion_percentage"] == 18.75


def test_logging_progress_sets_the_goals_last_progress_at(user):
    # given
    GoalFactory(user=user)
    # when
    with time_machine.travel(datetime(2030, 4, 2, 7, 15, tzinfo=UTC), tick=False):
        logged = log(client_for(user), 1)
    # then
    assert logged.status_code == 201
    goal = client_for(user).get("/api/goals/1").json()
    assert goal["last_progress_at"] == "2030-04-02T07:15:00Z"
    assert goal["completion_percentage"] == 50.0


def test_last_progress_at_is_not_set_by_the_client(auth_client, user):
    # given
    GoalFactory(user=user)
    # when
    response = auth_client.patch("/api/goals/1", {"last_progress_at": "2001-01-01T00:00:00Z"})
    # then
    assert response.status_code == 200
    assert response.json()["last_progress_at"] is None


# --- progress ----------------------------------------------------------------------------------


@time_machine.travel(datetime(2030, 2, 1, 10, 0, tzinfo=UTC), tick=False)
def test_log_progress_answers_the_entry(user):
    # given
    GoalFactory(user=user)
    # when
    response = log(client_for(user), 1, logged="01:30:00", total="02:00:00", text="Chapter 3 exercises")
    # then
    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": 1,
        "goal": 1,
        "progress": "Chapter 3 exercises",
        "logged_hours": "01:30:00",
        "total_hours": "02:00:00",
        "is_complete": False,
        "percentage_complete": 75.0,
        "created_at": "2030-02-01T10:00:00Z",
        "updated_at": "2030-02-01T10:00:00Z",
    }
    entry = Progress.objects.get()
    assert (entry.logged_hours, entry.total_hours) == (timedelta(hours=1, minutes=30), timedelta(hours=2))


@pytest.mark.parametrize(
    ("logged", "total", "is_complete", "percentage"),
    [
        ("02:00:00", "02:00:00", True, 100.0),
        ("03:00:00", "02:00:00", True, 100.0),
        ("00:00:00", "02:00:00", False, 0.0),
        ("00:20:00", "01:00:00", False, 33.33),
        ("01:59:59", "02:00:00", False, 99.99),
    ],
)
def test_an_entry_is_complete_once_logged_reaches_total(auth_client, user, logged, total, is_complete, percentage):
    # given
    GoalFactory(user=user)
    # when
    response = log(auth_client, 1, logged=logged, total=total)
    # then
    assert response.status_code == 201
    assert (response.json()["is_complete"], response.json()["percentage_complete"]) == (is_complete, percentage)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"total_hours": "02:00:00"}, "logged_hours"),
        ({"logged_hours": "01:00:00"}, "total_hours"),
        ({"logged_hours": "-01:00:00", "total_hours": "02:00:00"}, "logged_hours"),
        ({"logged_hours": "01:00:00", "total_hours": "-02:00:00"}, "total_hours"),
        ({"logged_hours": "01:00:00", "total_hours": "00:00:00"}, "total_hours"),
        ({"logged_hours": "an hour", "total_hours": "02:00:00"}, "logged_hours"),
        ({"logged_hours": None, "total_hours": "02:00:00"}, "logged_hours"),
        ({"logged_hours": "01:00:00", "total_hours": ""}, "total_hours"),
    ],
    ids=["logged-missing", "total-missing", "logged-negative", "total-negative", "total-zero", "logged-garbage",
         "logged-null", "total-blank"],
)  # fmt: skip
def test_bad_hours_are_a_400_naming_the_field(auth_client, user, body, field):
    # given
    GoalFactory(user=user)
    # when
    response = auth_client.post("/api/goals/1/progress/", {"progress": "p", **body})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not Progress.objects.exists()
    assert Goal.objects.get().last_progress_at is None


def test_entries_are_numbered_per_goal(auth_client, user):
    # given
    GoalFactory.create_batch(2, user=user)
    # when
    first = [log(auth_client, 1).json()["id"] for _ in range(3)]
    second = log(auth_client, 2).json()
    auth_client.delete("/api/goals/1/progress/3")
    after_delete = log(auth_client, 1).json()["id"]
    # then
    assert first == [1, 2, 3]
    assert (second["id"], second["goal"]) == (1, 2)
    assert after_delete == 4


@pytest.mark.parametrize("slash", ["/", ""], ids=["slash", "no-slash"])
def test_get_patch_and_delete_an_entry_with_and_without_trailing_slash(auth_client, user, slash):
    # given
    GoalFactory(user=user)
    log(auth_client, 1, logged="01:00:00", total="04:00:00", text="first")
    path = f"/api/goals/1/progress/1{slash}"
    # when
    got = auth_client.get(path)
    patched = auth_client.patch(path, {"logged_hours": "04:30:00", "progress": "done"})
    deleted = auth_client.delete(path)
    # then
    assert got.status_code == 200
    assert set(got.json()) == PROGRESS_KEYS
    assert (got.json()["progress"], got.json()["percentage_complete"]) == ("first", 25.0)
    assert patched.status_code == 200
    assert (patched.json()["progress"], patched.json()["logged_hours"]) == ("done", "04:30:00")
    assert (patched.json()["is_complete"], patched.json()["percentage_complete"]) == (True, 100.0)
    assert deleted.status_code == 204
    assert not Progress.objects.exists()
    assert auth_client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [({"total_hours": "00:00:00"}, "total_hours"), ({"logged_hours": "-00:10:00"}, "logged_hours")],
)
def test_an_invalid_entry_update_is_a_400_and_changes_nothing(auth_client, user, change, field):
    # given
    ProgressFactory(goal=GoalFactory(user=user), logged_hours=timedelta(hours=1), total_hours=timedelta(hours=2))
    # when
    response = auth_client.patch("/api/goals/1/progress/1", change)
    # then
    assert response.status_code == 400
    assert set(response.json()) == {field}
    entry = Progress.objects.get()
    assert (entry.logged_hours, entry.total_hours) == (timedelta(hours=1), timedelta(hours=2))


def test_progress_of_an_unknown_goal_is_404(auth_client, user):
    # given
    GoalFactory(user=user)
    # when
    listed = auth_client.get("/api/goals/7/progress/")
    logged = log(auth_client, 7)
    # then
    assert listed.status_code == 404
    assert logged.status_code == 404
    assert not Progress.objects.exists()


def test_goal_progress_lists_that_goals_entries(auth_client, user):
    # given
    first, second = GoalFactory.create_batch(2, user=user)
    ProgressFactory(goal=first, progress="a")
    ProgressFactory(goal=second, progress="b")
    ProgressFactory(goal=first, progress="c")
    # when
    response = auth_client.get("/api/goals/1/progress")
    # then
    assert response.status_code == 200
    assert [(e["id"], e["goal"], e["progress"]) for e in response.json()["results"]] == [(1, 1, "a"), (2, 1, "c")]


def test_progress_lists_only_the_callers_own_entries_newest_first(user, other_user):
    # given
    mine = GoalFactory(user=user)
    theirs = GoalFactory(user=other_user)
    for day, (goal, text) in enumerate([(mine, "old"), (theirs, "foreign"), (mine, "new")], start=1):
        with time_machine.travel(datetime(2030, 1, day, tzinfo=UTC), tick=False):
            ProgressFactory(goal=goal, progress=text)
    # when
    response = client_for(user).get("/api/progress/")
    slashless = client_for(user).get("/api/progress")
    # then
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [entry["progress"] for entry in response.json()["results"]] == ["new", "old"]
    assert slashless.json() == response.json()


# --- throttle ----------------------------------------------------------------------------------


@pytest.fixture
def tier_rates(settings):
    settings.LEARNFLOW_TIER_THROTTLE_RATES = {
        "progress": {"free": "2/day", "premium": "4/day"},
        "ai": {"free": "2/day", "premium": "4/day"},
    }


def test_free_tier_gets_a_429_with_retry_after_on_the_third_progress_post(tier_rates):
    # given
    user = UserFactory(tier=Tier.FREE)
    GoalFactory(user=user)
    client = client_for(user)
    # when
    statuses = [log(client, 1).status_code for _ in range(2)]
    blocked = log(client, 1)
    # then
    assert statuses == [201, 201]
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 24 * 60 * 60
    assert "detail" in blocked.json()
    assert Progress.objects.count() == 2


def test_premium_tier_gets_its_own_rate(tier_rates):
    # given
    user = UserFactory(tier=Tier.PREMIUM)
    GoalFactory(user=user)
    client = client_for(user)
    # when
    statuses = [log(client, 1).status_code for _ in range(5)]
    # then
    assert statuses == [201, 201, 201, 201, 429]


def test_reading_and_editing_progress_is_not_throttled(tier_rates):
    # given
    user = UserFactory(tier=Tier.FREE)
    GoalFactory(user=user)
    client = client_for(user)
    log(client, 1)
    log(client, 1)
    # when
    reads = [client.get(path).status_code for path in ["/api/goals/1/progress/", "/api/progress/"] * 3]
    edits = [client.patch("/api/goals/1/progress/1", {"progress": f"edit {i}"}).status_code for i in range(3)]
    # then
    assert reads == [200] * 6
    assert edits == [200] * 3
    assert log(client, 1).status_code == 429


def test_the_throttle_counts_each_user_separately(tier_rates):
    # given
    first, second = UserFactory(tier=Tier.FREE), UserFactory(tier=Tier.FREE)
    for user in (first, second):
        GoalFactory(user=user)
    # when
    first_statuses = [log(client_for(first), 1).status_code for _ in range(3)]
    second_statuses = [log(client_for(second), 1).status_code for _ in range(2)]
    # then
    assert first_statuses == [201, 201, 429]
    assert second_statuses == [201, 201]


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/goals/"),
        ("post", "/api/goals/"),
        ("get", "/api/goals/1"),
        ("put", "/api/goals/1"),
        ("patch", "/api/goals/1/"),
        ("delete", "/api/goals/1"),
        ("get", "/api/goals/1/progress/"),
        ("post", "/api/goals/1/progress/"),
        ("get", "/api/goals/1/progress/1"),
        ("patch", "/api/goals/1/progress/1"),
        ("delete", "/api/goals/1/progress/1/"),
        ("get", "/api/progress/"),
    ],
)
def test_goals_and_progress_are_401_without_a_token(api_client, user, method, path):
    # given
    ProgressFactory(goal=GoalFactory(user=user, goal_name="Private"), progress="private")
    # when
    response = getattr(api_client, method)(
        path, {"goal_name": "x", "category": "Minor", "logged_hours": "01:00:00", "total_hours": "01:00:00"}
    )
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert list(Goal.objects.values_list("goal_name", flat=True)) == ["Private"]
    assert list(Progress.objects.values_list("progress", flat=True)) == ["private"]


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_users_goal_is_404_and_untouched(auth_client, other_user, method):
    # given
    GoalFactory(user=other_user, goal_name="Theirs", category="Minor")
    # when
    response = getattr(auth_client, method)("/api/goals/1", {"goal_name": "Mine now", "category": "Primary"})
    # then
    assert response.status_code == 404
    goal = Goal.objects.get()
    assert (goal.goal_name, goal.category) == ("Theirs", "Minor")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/goals/1/progress/"),
        ("post", "/api/goals/1/progress/"),
        ("get", "/api/goals/1/progress/1"),
        ("patch", "/api/goals/1/progress/1"),
        ("delete", "/api/goals/1/progress/1"),
    ],
)
def test_another_users_progress_is_404_and_untouched(auth_client, other_user, method, path):
    # given
    ProgressFactory(goal=GoalFactory(user=other_user), progress="theirs", logged_hours=timedelta(hours=1))
    # when
    response = getattr(auth_client, method)(
        path, {"progress": "mine", "logged_hours": "09:00:00", "total_hours": "09:00:00"}
    )
    # then
    assert response.status_code == 404
    entry = Progress.objects.get()
    assert (entry.progress, entry.logged_hours) == ("theirs", timedelta(hours=1))


def test_another_users_entries_are_not_in_my_progress_even_with_the_same_numbers(user, other_user):
    # given
    ProgressFactory(goal=GoalFactory(user=other_user), progress="theirs")
    GoalFactory(user=user)
    client = client_for(user)
    # when
    own_goal = client.get("/api/goals/1/progress/")
    all_progress = client.get("/api/progress/")
    # then
    assert own_goal.json()["results"] == []
    assert all_progress.json()["results"] == []


# --- query counts ------------------------------------------------------------------------------


def query_count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(queries)


def test_goal_list_costs_the_same_queries_for_1_and_30_goals(auth_client, user):
    # given
    ProgressFactory(goal=GoalFactory(user=user))
    one = query_count(auth_client, "/api/goals/?page_size=50")
    for goal in GoalFactory.create_batch(29, user=user):
        ProgressFactory.create_batch(2, goal=goal)
    # when
    thirty = query_count(auth_client, "/api/goals/?page_size=50")
    # then
    assert len(auth_client.get("/api/goals/?page_size=50").json()["results"]) == 30
    assert thirty == one


@pytest.mark.parametrize("path", ["/api/goals/1/progress/?page_size=50", "/api/progress/?page_size=50"])
def test_progress_lists_cost_the_same_queries_for_1_and_30_entries(auth_client, user, path):
    # given
    goal = GoalFactory(user=user)
    ProgressFactory(goal=goal)
    one = query_count(auth_client, path)
    ProgressFactory.create_batch(29, goal=goal)
    # when
    thirty = query_count(auth_client, path)
    # then
    assert auth_client.get(path).json()["count"] == 30
    assert thirty == one


def test_logging_to_an_unknown_goal_is_404_and_does_not_use_the_days_allowance(user, settings):
    # given: a free allowance of 1 entry a day
    settings.LEARNFLOW_TIER_THROTTLE_RATES = {
        **settings.LEARNFLOW_TIER_THROTTLE_RATES,
        "progress": {"free": "1/day", "premium": "5/day"},
    }
    client = client_for(user)
    GoalFactory(user=user)
    body = {"logged_hours": "01:00:00", "total_hours": "02:00:00"}
    # when
    missing = client.post("/api/goals/99/progress/", body, format="json")
    real = client.post("/api/goals/1/progress/", body, format="json")
    # then
    assert missing.status_code == 404
    assert real.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_parallel_progress_posts_log_exactly_the_days_allowance(settings):
    # given: a free user allowed 10 entries a day, and 20 requests released at the same moment
    settings.LEARNFLOW_TIER_THROTTLE_RATES = {
        **settings.LEARNFLOW_TIER_THROTTLE_RATES,
        "progress": {"free": "10/day", "premium": "1000/day"},
    }
    user = UserFactory(tier=Tier.FREE)
    GoalFactory(user=user)
    requests_count = 20
    barrier = threading.Barrier(requests_count)

    def post(_):
        client = client_for(user)
        try:
            barrier.wait(timeout=10)
            response = log(client, 1)
            return response.status_code, response.get("Retry-After")
        finally:
            connection.close()

    # when
    with ThreadPoolExecutor(max_workers=requests_count) as pool:
        results = list(pool.map(post, range(requests_count)))
    # then
    assert sorted(status for status, _ in results) == [201] * 10 + [429] * 10
    assert all(0 < int(retry_after) <= 24 * 60 * 60 for status, retry_after in results if status == 429)
    assert Progress.objects.filter(goal__user=user).count() == 10


def test_the_plain_goal_list_answers_what_the_filtered_path_answers(user):
    # given: goals with and without entries; the plain list (page parameters only) is read from a
    # compiled query (learnflow.views.CompiledListMixin), a filter for nothing takes the queryset's path
    client = client_for(user)
    for number in range(7):
        goal = client.post("/api/goals/", {"goal_name": f"Goal {number}", "category": "Primary"}, format="json")
        assert goal.status_code == 201, goal.content
        for hours in range(number % 3):
            entry = {"progress": "x", "logged_hours": f"0{hours}:30:00", "total_hours": "05:00:00"}
            assert client.post(f"/api/goals/{goal.json()['id']}/progress/", entry, format="json").status_code == 201
    for query in ("", "?page_size=3", "?page_size=3&page=3", "?page=4", "?page_size=100"):
        plain = client.get(f"/api/goals/{query}")
        filtered = client.get(f"/api/goals/{query}{'&' if query else '?'}is_complete=")
        # then
        assert plain.status_code == filtered.status_code, query
        assert without_parameter(plain, "is_complete") == without_parameter(filtered, "is_complete"), query
    assert {goal["completion_percentage"] for goal in client.get("/api/goals/").json()["results"]} != {0.0}

"""The SPA's Task contract through ``/api/tasks/``: fields, validation, filters, ordering, ownership."""

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from learnflow import events
from learnflow.testing import client_for, without_parameter
from tasks.models import Task
from tasks.services import TASK_COMPLETED
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
CONTRACT_KEYS = {
    "id", "title", "description", "start_date", "due_date", "completed", "priority", "tags",
    "created_at", "updated_at", "reminder_enabled", "reminder_time",
}  # fmt: skip
TASK_KEYS = CONTRACT_KEYS | {"completed_at", "recurrence"}


def detail(task, slash: bool = True) -> str:
    return f"/api/tasks/{task.pk}{'/' if slash else ''}"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [task["title"] for task in response.json()["results"]]


@pytest.fixture
def activities():
    """The activity events delivered while the test runs."""
    calls = []

    def handler(**payload):
        calls.append(payload)

    events.subscribe(events.ACTIVITY, handler)
    yield calls
    events._handlers[events.ACTIVITY].remove(handler)


# --- create and read ---------------------------------------------------------------------------


@time_machine.travel(datetime(2025, 9, 26, 22, 0, tzinfo=UTC), tick=False)
def test_create_task_answers_the_contract_example(user):
    # given
    client = client_for(user)
    body = {
        "title": "Complete project",
        "description": "Finish the task management feature",
        "start_date": "2025-09-27T09:00:00Z",
        "due_date": "2025-09-29T17:00:00Z",
        "priority": "high",
        "tags": ["urgent", "development", "feature"],
    }
    # when
    response = client.post("/api/tasks/", body)
    # then
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == TASK_KEYS
    assert uuid.UUID(created["id"])
    assert {key: created[key] for key in body} == body
    assert created["completed"] is False
    assert created["completed_at"] is None
    assert created["reminder_enabled"] is False
    assert created["reminder_time"] is None
    assert created["recurrence"] == ""
    assert created["created_at"] == created["updated_at"] == "2025-09-26T22:00:00Z"
    task = Task.objects.get(pk=created["id"])
    assert task.user == user
    assert task.due_date == datetime(2025, 9, 29, 17, 0, tzinfo=UTC)


def test_create_task_with_only_a_title_takes_the_defaults(auth_client):
    # when
    response = auth_client.post("/api/tasks/", {"title": "Read chapter 4"})
    # then
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["priority"] == "medium"
    assert created["tags"] == []
    assert created["description"] == ""
    assert created["completed"] is False
    assert created["start_date"] is None
    assert created["due_date"] is None


def test_null_description_priority_and_tags_mean_the_defaults(auth_client):
    # when
    response = auth_client.post("/api/tasks/", {"title": "T", "description": None, "priority": None, "tags": None})
    # then
    assert response.status_code == 201, response.content
    assert (response.json()["description"], response.json()["priority"], response.json()["tags"]) == ("", "medium", [])


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"title": "   "}, {"title": None}, {"title": "x" * 201}],
    ids=["missing", "empty", "blank", "null", "too-long"],
)
def test_title_is_required_non_empty_and_at_most_200_characters(auth_client, body):
    # when
    response = auth_client.post("/api/tasks/", {"priority": "low", **body})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"title"}
    assert not Task.objects.exists()


def test_title_of_200_characters_is_accepted(auth_client):
    # when
    response = auth_client.post("/api/tasks/", {"title": "x" * 200})
    # then
    assert response.status_code == 201
    assert response.json()["title"] == "x" * 200


@pytest.mark.parametrize("priority", ["low", "medium", "high"])
def test_priority_accepts_low_medium_and_high(auth_client, priority):
    # when
    response = auth_client.post("/api/tasks/", {"title": "T", "priority": priority})
    # then
    assert response.status_code == 201
    assert response.json()["priority"] == priority
    assert Task.objects.get().priority == priority


@pytest.mark.parametrize("priority", ["urgent", "HIGH", "", 3, ["high"]])
def test_any_other_priority_is_a_400_naming_priority(auth_client, priority):
    # when
    response = auth_client.post("/api/tasks/", {"title": "T", "priority": priority})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"priority"}
    assert not Task.objects.exists()


def test_priority_cannot_be_changed_to_an_unknown_value(auth_client, user):
    # given
    task = TaskFactory(user=user, priority="low")
    # when
    response = auth_client.patch(detail(task), {"priority": "critical"})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"priority"}
    task.refresh_from_db()
    assert task.priority == "low"


@pytest.mark.parametrize("tags", ["urgent", "urgent,dev", {"urgent": True}, 5])
def test_tags_that_are_not_a_list_are_a_400_naming_tags(auth_client, tags):
    # when
    response = auth_client.post("/api/tasks/", {"title": "T", "tags": tags})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"tags"}
    assert not Task.objects.exists()


def test_tags_are_trimmed_lower_cased_and_de_duplicated(auth_client):
    # when
    response = auth_client.post("/api/tasks/", {"title": "T", "tags": ["  Urgent ", "urgent", "Dev", "DEV ", "exam"]})
    # then
    assert response.status_code == 201
    assert response.json()["tags"] == ["urgent", "dev", "exam"]
    assert Task.objects.get().tags == ["urgent", "dev", "exam"]


def test_blank_tags_are_dropped(auth_client):
    response = auth_client.post("/api/tasks/", {"title": "T", "tags": ["a", "", "   "]})
    assert response.status_code == 201
    assert response.json()["tags"] == ["a"]


def test_at_most_20_tags_of_50_characters_are_accepted(auth_client):
    # given
    tags = [f"{i:02d}" + "x" * 48 for i in range(20)]
    # when
    response = auth_client.post("/api/tasks/", {"title": "T", "tags": tags})
    # then
    assert response.status_code == 201
    assert response.json()["tags"] == tags


@pytest.mark.parametrize("tags", [[f"tag{i}" for i in range(21)], ["x" * 51]], ids=["21-tags", "tag-of-51-characters"])
def test_more_than_20_tags_or_a_tag_over_50_characters_is_a_400(auth_client, tags):
    # when
    response = auth_client.post("/api/tasks/", {"title": "T", "tags": tags})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"tags"}
    assert not Task.objects.exists()


def test_list_shows_only_the_callers_tasks(auth_client, user, other_user):
    # given
    TaskFactory(user=user, title="mine")
    TaskFactory(user=other_user, title="theirs")
    # when
    response = auth_client.get("/api/tasks/")
    # then
    assert response.json()["count"] == 1
    assert titles(response) == ["mine"]


@pytest.mark.parametrize("path", ["/api/tasks/", "/api/tasks"])
def test_list_and_create_answer_with_and_without_trailing_slash(auth_client, path):
    # when
    created = auth_client.post(path, {"title": "Slashless"})
    listed = auth_client.get(path)
    # then
    assert created.status_code == 201
    assert titles(listed) == ["Slashless"]


@pytest.mark.parametrize("slash", [True, False], ids=["slash", "no-slash"])
def test_get_put_patch_and_delete_a_task_with_and_without_trailing_slash(auth_client, user, slash):
    # given
    task = TaskFactory(user=user, title="Before", priority="low")
    # when
    got = auth_client.get(detail(task, slash))
    put = auth_client.put(detail(task, slash), {"title": "Put"})
    patched = auth_client.patch(detail(task, slash), {"priority": "high"})
    deleted = auth_client.delete(detail(task, slash))
    # then
    assert got.status_code == 200
    assert got.json()["id"] == str(task.pk)
    assert got.json()["title"] == "Before"
    assert (put.status_code, put.json()["title"]) == (200, "Put")
    assert (patched.status_code, patched.json()["title"], patched.json()["priority"]) == (200, "Put", "high")
    assert deleted.status_code == 204
    assert not Task.objects.filter(pk=task.pk).exists()
    assert auth_client.get(detail(task, slash)).status_code == 404


def test_put_accepts_a_partial_body_and_keeps_the_other_fields(auth_client, user):
    # given
    task = TaskFactory(
        user=user,
        title="Essay",
        description="outline first",
        priority="high",
        tags=["writing"],
        due_date=datetime(2030, 1, 2, 9, 0, tzinfo=UTC),
    )
    # when
    response = auth_client.put(detail(task), {"completed": True})
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["completed"] is True
    assert (body["title"], body["description"], body["priority"], body["tags"], body["due_date"]) == (
        "Essay",
        "outline first",
        "high",
        ["writing"],
        "2030-01-02T09:00:00Z",
    )
    task.refresh_from_db()
    assert task.completed is True
    assert task.title == "Essay"


def test_completing_sets_completed_at_and_reopening_clears_it(user):
    # given
    task = TaskFactory(user=user)
    # when
    with time_machine.travel(datetime(2030, 5, 1, 8, 30, tzinfo=UTC), tick=False):
        completed = client_for(user).put(detail(task, slash=False), {"completed": True})
    with time_machine.travel(datetime(2030, 5, 2, 8, 30, tzinfo=UTC), tick=False):
        again = client_for(user).patch(detail(task), {"completed": True, "title": "Still done"})
        reopened = client_for(user).patch(detail(task), {"completed": False})
    # then
    assert completed.json()["completed_at"] == "2030-05-01T08:30:00Z"
    assert again.json()["completed_at"] == "2030-05-01T08:30:00Z"
    assert reopened.json()["completed"] is False
    assert reopened.json()["completed_at"] is None
    task.refresh_from_db()
    assert task.completed_at is None


def test_create_completed_task_stamps_completed_at(user):
    # given
    client = client_for(user)
    # when
    with time_machine.travel(datetime(2030, 5, 1, 8, 30, tzinfo=UTC), tick=False):
        response = client_for(user).post("/api/tasks/", {"title": "Done already", "completed": True})
    # then
    assert response.status_code == 201
    assert response.json()["completed"] is True
    assert response.json()["completed_at"] == "2030-05-01T08:30:00Z"
    assert client.get(f"/api/tasks/{response.json()['id']}").json()["completed_at"] == "2030-05-01T08:30:00Z"


def test_completed_at_id_and_timestamps_are_not_set_by_the_client(auth_client, user):
    # given
    task = TaskFactory(user=user)
    forged = {"completed_at": "2001-01-01T00:00:00Z", "created_at": "2001-01-01T00:00:00Z", "id": str(uuid.uuid4())}
    # when
    created = auth_client.post("/api/tasks/", {"title": "T", **forged})
    patched = auth_client.patch(detail(task), forged)
    # then
    assert created.status_code == 201
    assert created.json()["completed_at"] is None
    assert created.json()["id"] != forged["id"]
    assert not created.json()["created_at"].startswith("2001")
    assert patched.status_code == 200
    task.refresh_from_db()
    assert task.completed_at is None
    assert task.created_at.year != 2001


# --- cross-field rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start_date": "2030-01-02T09:00:00Z", "due_date": "2030-01-01T09:00:00Z"}, "due_date"),
        ({"reminder_enabled": True}, "reminder_time"),
        ({"reminder_enabled": True, "reminder_time": None}, "reminder_time"),
        ({"recurrence": "FREQ=DAILY"}, "recurrence"),
    ],
    ids=["due-before-start", "reminder-without-time", "reminder-time-null", "recurrence-without-due-date"],
)
def test_inconsistent_fields_are_a_400_naming_the_field(auth_client, body, field):
    # when
    response = auth_client.post("/api/tasks/", {"title": "T", **body})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not Task.objects.exists()


def test_due_date_equal_to_start_date_is_accepted(auth_client):
    # when
    response = auth_client.post(
        "/api/tasks/", {"title": "T", "start_date": "2030-01-01T09:00:00Z", "due_date": "2030-01-01T09:00:00Z"}
    )
    # then
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_date": "2030-01-03T09:00:00Z"}, "due_date"),
        ({"reminder_enabled": True}, "reminder_time"),
        ({"due_date": None}, "recurrence"),
    ],
    ids=["start-after-due", "reminder-without-time", "recurring-without-due-date"],
)
def test_an_update_that_breaks_a_cross_field_rule_is_a_400_and_changes_nothing(auth_client, user, change, field):
    # given
    due = datetime(2030, 1, 2, 9, 0, tzinfo=UTC)
    task = TaskFactory(user=user, due_date=due, recurrence="FREQ=DAILY")
    # when
    response = auth_client.put(detail(task), change)
    # then
    assert response.status_code == 400
    assert set(response.json()) == {field}
    task.refresh_from_db()
    assert (task.due_date, task.start_date, task.reminder_enabled) == (due, None, False)


# --- filters -----------------------------------------------------------------------------------


def test_filter_by_completed(auth_client, user):
    # given
    TaskFactory(user=user, title="open")
    TaskFactory(user=user, title="done", completed=True)
    # when
    done = auth_client.get("/api/tasks/?completed=true")
    still_open = auth_client.get("/api/tasks/?completed=false")
    # then
    assert titles(done) == ["done"]
    assert titles(still_open) == ["open"]


def test_filter_by_one_priority_or_several_comma_separated(auth_client, user):
    # given
    for priority in ("low", "medium", "high"):
        TaskFactory(user=user, title=priority, priority=priority)
    # when
    high = auth_client.get("/api/tasks/?priority=high")
    high_or_low = auth_client.get("/api/tasks/?priority=high,low")
    # then
    assert titles(high) == ["high"]
    assert sorted(titles(high_or_low)) == ["high", "low"]


def test_filter_by_an_unknown_priority_is_a_400(auth_client, user):
    # given
    TaskFactory(user=user)
    # when
    response = auth_client.get("/api/tasks/?priority=urgent")
    # then
    assert response.status_code == 400
    assert "priority" in response.json()


def test_filter_by_tags_finds_tasks_having_any_of_them(auth_client, user, other_user):
    # given
    TaskFactory(user=user, title="a", tags=["urgent", "dev"])
    TaskFactory(user=user, title="b", tags=["exam"])
    TaskFactory(user=user, title="c", tags=["reading"])
    TaskFactory(user=user, title="none", tags=[])
    TaskFactory(user=other_user, title="theirs", tags=["urgent"])
    # when
    response = auth_client.get("/api/tasks/?tags=urgent,exam")
    one = auth_client.get("/api/tasks/?tags=Dev")
    # then
    assert sorted(titles(response)) == ["a", "b"]
    assert titles(one) == ["a"]


def test_filter_tag_matches_a_whole_tag_not_a_part(auth_client, user):
    # given
    TaskFactory(user=user, title="development", tags=["development"])
    # when
    response = auth_client.get("/api/tasks/?tags=dev")
    # then
    assert titles(response) == []


def due_range_titles(user, due_range: str) -> set[str]:
    return set(titles(client_for(user).get(f"/api/tasks/?due_date_range={due_range}&page_size=100")))


def test_due_date_range_uses_the_users_own_calendar_day():
    # given: 02:00 UTC on June 15 is still 22:00 on June 14 in New York
    user = UserFactory(timezone="America/New_York")

    def local(*args):
        return datetime(*args, tzinfo=NEW_YORK)

    TaskFactory(user=user, title="today-early", due_date=local(2025, 6, 14, 0, 0))
    TaskFactory(user=user, title="today-late", due_date=local(2025, 6, 14, 23, 59))
    TaskFactory(user=user, title="tomorrow", due_date=local(2025, 6, 15, 10, 0))
    TaskFactory(user=user, title="yesterday", due_date=local(2025, 6, 13, 23, 59))
    TaskFactory(user=user, title="yesterday-done", due_date=local(2025, 6, 13, 12, 0), completed=True)
    TaskFactory(user=user, title="today-done", due_date=local(2025, 6, 14, 12, 0), completed=True)
    TaskFactory(user=user, title="no-due-date")
    # when
    with time_machine.travel(datetime(2025, 6, 15, 2, 0, tzinfo=UTC), tick=False):
        buckets = {name: due_range_titles(user, name) for name in ("today", "upcoming", "overdue")}
    # then
    assert buckets == {
        "today": {"today-early", "today-late", "today-done"},
        "upcoming": {"tomorrow"},
        "overdue": {"yesterday"},
    }


@pytest.mark.parametrize(
    ("now", "due", "expected"),
    [
        # spring forward: March 30, 2025 in Berlin lasts 23 hours, 23:00 UTC Mar 29 to 22:00 UTC Mar 30
        ((2025, 3, 30, 12, 0), (2025, 3, 30, 0, 30), "today"),
        ((2025, 3, 30, 12, 0), (2025, 3, 30, 23, 30), "today"),
        ((2025, 3, 30, 12, 0), (2025, 3, 31, 0, 30), "upcoming"),
        ((2025, 3, 30, 12, 0), (2025, 3, 29, 23, 30), "overdue"),
        # fall back: October 26, 2025 in Berlin lasts 25 hours, 22:00 UTC Oct 25 to 23:00 UTC Oct 26
        ((2025, 10, 26, 12, 0), (2025, 10, 26, 0, 30), "today"),
        ((2025, 10, 26, 12, 0), (2025, 10, 26, 23, 30), "today"),
        ((2025, 10, 27, 0, 30), (2025, 10, 26, 23, 30), "overdue"),
        ((2025, 10, 26, 12, 0), (2025, 10, 25, 23, 30), "overdue"),
        ((2025, 10, 25, 12, 0), (2025, 10, 26, 0, 30), "upcoming"),
    ],
)
def test_due_date_range_follows_the_local_day_across_dst_changes(now, due, expected):
    # given
    user = UserFactory(timezone="Europe/Berlin")
    TaskFactory(user=user, title="the task", due_date=datetime(*due, tzinfo=BERLIN))
    # when
    with time_machine.travel(datetime(*now, tzinfo=BERLIN), tick=False):
        buckets = {name: due_range_titles(user, name) for name in ("today", "upcoming", "overdue")}
    # then
    assert buckets == {name: ({"the task"} if name == expected else set()) for name in buckets}


def test_unknown_due_date_range_is_a_400(auth_client):
    # when
    response = auth_client.get("/api/tasks/?due_date_range=someday")
    # then
    assert response.status_code == 400
    assert "due_date_range" in response.json()


def test_search_looks_in_title_and_description_ignoring_case(auth_client, user, other_user):
    # given
    TaskFactory(user=user, title="Revise Linear algebra")
    TaskFactory(user=user, title="Homework", description="linear regression exercises")
    TaskFactory(user=user, title="Essay", description="about history")
    TaskFactory(user=other_user, title="linear too")
    # when
    response = auth_client.get("/api/tasks/?search=LINEAR")
    # then
    assert sorted(titles(response)) == ["Homework", "Revise Linear algebra"]


def test_filters_combine(auth_client, user):
    # given
    TaskFactory(user=user, title="match", priority="high", tags=["exam"])
    TaskFactory(user=user, title="done", priority="high", tags=["exam"], completed=True)
    TaskFactory(user=user, title="low", priority="low", tags=["exam"])
    TaskFactory(user=user, title="untagged", priority="high")
    # when
    response = auth_client.get("/api/tasks/?completed=false&priority=high&tags=exam")
    # then
    assert titles(response) == ["match"]


# --- ordering ----------------------------------------------------------------------------------


def test_ordering_by_priority_ranks_low_medium_high(auth_client, user):
    # given
    for title in ("medium", "high", "low"):
        TaskFactory(user=user, title=title, priority=title)
    # when
    ascending = auth_client.get("/api/tasks/?ordering=priority")
    descending = auth_client.get("/api/tasks/?ordering=-priority")
    # then
    assert titles(ascending) == ["low", "medium", "high"]
    assert titles(descending) == ["high", "medium", "low"]


def test_ordering_by_due_date(auth_client, user):
    # given
    TaskFactory(user=user, title="later", due_date=datetime(2030, 1, 3, tzinfo=UTC))
    TaskFactory(user=user, title="first", due_date=datetime(2030, 1, 1, tzinfo=UTC))
    TaskFactory(user=user, title="middle", due_date=datetime(2030, 1, 2, tzinfo=UTC))
    # when
    ascending = auth_client.get("/api/tasks/?ordering=due_date")
    descending = auth_client.get("/api/tasks/?ordering=-due_date")
    # then
    assert titles(ascending) == ["first", "middle", "later"]
    assert titles(descending) == ["later", "middle", "first"]


def test_ordering_by_created_at_and_newest_first_by_default(auth_client, user):
    # given
    for day, title in ((2, "second"), (1, "first"), (3, "third")):
        with time_machine.travel(datetime(2030, 1, day, tzinfo=UTC), tick=False):
            TaskFactory(user=user, title=title)
    # when
    default = auth_client.get("/api/tasks/")
    ascending = auth_client.get("/api/tasks/?ordering=created_at")
    descending = auth_client.get("/api/tasks/?ordering=-created_at")
    # then
    assert titles(default) == ["third", "second", "first"]
    assert titles(ascending) == ["first", "second", "third"]
    assert titles(descending) == ["third", "second", "first"]


# --- activity ----------------------------------------------------------------------------------


def test_completing_a_task_is_recorded_as_an_activity_once(
    auth_client, user, activities, django_capture_on_commit_callbacks
):
    # given
    task = TaskFactory(user=user)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        auth_client.patch(detail(task), {"title": "Renamed"})
        completed = auth_client.put(detail(task), {"completed": True})
        auth_client.put(detail(task), {"completed": True})
    # then
    assert completed.status_code == 200
    assert len(activities) == 1
    assert activities[0]["kind"] == TASK_COMPLETED == "task_completed"
    assert activities[0]["obj"].pk == task.pk
    assert activities[0]["user"] == user
    assert activities[0]["occurred_at"] == Task.objects.get(pk=task.pk).completed_at


def test_a_rejected_completion_records_no_activity(auth_client, user, activities, django_capture_on_commit_callbacks):
    # given
    task = TaskFactory(user=user)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.put(detail(task), {"completed": True, "reminder_enabled": True})
    # then
    assert response.status_code == 400
    assert activities == []
    task.refresh_from_db()
    assert task.completed is False


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/tasks/"),
        ("post", "/api/tasks/"),
        ("get", "/api/tasks/{id}"),
        ("put", "/api/tasks/{id}"),
        ("patch", "/api/tasks/{id}/"),
        ("delete", "/api/tasks/{id}"),
    ],
)
def test_tasks_are_401_without_a_token(api_client, user, method, path):
    # given
    task = TaskFactory(user=user, title="Private")
    # when
    response = getattr(api_client, method)(path.format(id=task.pk), {"title": "Hijacked"})
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    task.refresh_from_db()
    assert task.title == "Private"
    assert Task.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_users_task_is_404_and_untouched(auth_client, other_user, method):
    # given
    task = TaskFactory(user=other_user, title="Theirs")
    # when
    response = getattr(auth_client, method)(detail(task), {"title": "Mine now", "completed": True})
    # then
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    task.refresh_from_db()
    assert (task.title, task.completed) == ("Theirs", False)


@pytest.mark.parametrize(
    "path", ["/api/tasks/00000000-0000-4000-8000-000000000000", "/api/tasks/not-a-uuid", "/api/tasks/123"]
)
def test_unknown_or_malformed_task_id_is_404(auth_client, path):
    # when
    response = auth_client.get(path)
    # then
    assert response.status_code == 404
    assert "detail" in response.json()


# --- query counts ------------------------------------------------------------------------------


def list_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_task_list_costs_the_same_queries_for_1_and_30_tasks(auth_client, user):
    # given
    TaskFactory(user=user, tags=["a"])
    one = list_queries(auth_client, "/api/tasks/?page_size=50")
    TaskFactory.create_batch(29, user=user, tags=["a", "b"])
    # when
    thirty = list_queries(auth_client, "/api/tasks/?page_size=50")
    # then
    assert auth_client.get("/api/tasks/?page_size=50").json()["count"] == 30
    assert thirty == one
    assert one <= 3


def test_the_plain_list_answers_what_the_filtered_path_answers(auth_client, user, other_user):
    # given: the plain list (page parameters only) is read from a compiled query
    # (learnflow.views.CompiledListMixin); a search for nothing takes the queryset's path
    for number in range(23):
        TaskFactory(
            user=user,
            tags=["exam", str(number)] if number % 3 else [],
            completed=number % 4 == 0,
            priority=("low", "medium", "high")[number % 3],
            due_date=datetime(2026, 3, 1 + number, 9, tzinfo=UTC) if number % 2 else None,
            recurrence="FREQ=WEEKLY" if number % 5 == 0 else "",
            description=f"notes {number}",
        )
    TaskFactory(user=other_user)
    queries = ("", "?page_size=10", "?page_size=10&page=3", "?page=2", "?page_size=5&page=6", "?page=0", "?page=x")
    for query in queries:
        plain = auth_client.get(f"/api/tasks/{query}")
        searched = auth_client.get(f"/api/tasks/{query}{'&' if query else '?'}search=")
        # then: the same status and body, but for the links, which carry the search
        assert plain.status_code == searched.status_code, query
        assert without_parameter(plain, "search") == without_parameter(searched, "search"), query

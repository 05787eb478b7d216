"""Dates from outside are in the years 1900 to 2200 (``learnflow.dates``): every query parameter and
body field answers a 400 naming itself outside that range, and nothing in it reaches a 5xx, in any
timezone from UTC-12 to UTC+14."""

from datetime import UTC, datetime

import django_filters
import pytest
from rest_framework import serializers

from accounts.tests.factories import UserFactory
from learnflow import dates
from learnflow.testing import client_for
from tasks.models import Task
from tasks.tests.factories import GoalFactory, TaskFactory

pytestmark = pytest.mark.django_db

WEST, EAST = "Etc/GMT+12", "Etc/GMT-14"


def client_in(tz: str):
    return client_for(UserFactory(timezone=tz))


def assert_refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    assert set(response.json()) == {field}


# --- query parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "tz"),
    [
        ("/api/daily-summary?date=9999-12-31", "UTC"),
        ("/api/daily-summary?date=9999-12-31", EAST),
        ("/api/daily-summary?date=0001-01-01", EAST),
        ("/api/daily-summary?date=0001-01-01", WEST),
        ("/api/weekly-summary?week_start=9999-12-31", "UTC"),
        ("/api/weekly-summary?week_start=0001-01-01", EAST),
        ("/api/streaks/calendar/me?month=9999-12", "UTC"),
        ("/api/streaks/calendar/me?month=0001-01", "UTC"),
        ("/api/study-sessions/?date_to=9999-12-31", "UTC"),
        ("/api/study-sessions/?date_from=0001-01-01", EAST),
        ("/api/study-sessions/analytics/by-group?date_from=0001-01-01", "UTC"),
        ("/api/study-sessions/analytics/by-group?date_to=2201-01-01", "UTC"),
    ],
)
def test_a_date_parameter_outside_the_years_1900_to_2200_is_a_400_naming_it(path, tz):
    # when
    response = client_in(tz).get(path)
    # then
    assert_refused(response, path.split("?")[1].split("=")[0])


@pytest.mark.parametrize("tz", [WEST, EAST])
@pytest.mark.parametrize(
    "path",
    [
        "/api/daily-summary?date=1900-01-01",
        "/api/daily-summary?date=2200-12-31",
        "/api/weekly-summary?week_start=1900-01-01",
        "/api/weekly-summary?week_start=2200-12-31",
        "/api/streaks/calendar/me?month=1900-01",
        "/api/streaks/calendar/me?month=2200-12",
        "/api/study-sessions/?date_from=1900-01-01&date_to=2200-12-31",
        "/api/study-sessions/analytics/by-group?date_from=1900-01-01&date_to=2200-12-31",
    ],
)
def test_the_first_and_last_days_of_the_range_answer_in_every_timezone(path, tz):
    # when
    response = client_in(tz).get(path)
    # then
    assert response.status_code == 200, response.content


# --- body fields --------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["start_date", "due_date", "reminder_time"])
@pytest.mark.parametrize(
    "value", ["0001-01-02T00:00:00Z", "1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "9999-12-31T00:00:00Z"]
)
def test_a_task_date_outside_the_range_is_a_400_naming_it(field, value):
    # given
    client = client_in("UTC")
    # when
    response = client.post("/api/tasks/", {"title": "x", field: value, "reminder_enabled": field == "reminder_time"})
    # then
    assert_refused(response, field)
    assert not Task.objects.exists()


def test_an_instant_that_overflows_on_its_way_to_utc_is_the_same_400():
    # given: year 1 at +05:00 is in year 0 in UTC, which Python cannot represent
    client = client_in(EAST)
    # when
    response = client.post("/api/tasks/", {"title": "x", "due_date": "0001-01-01T00:00:00+05:00"})
    # then
    assert_refused(response, "due_date")
    assert response.json()["due_date"] == [dates.OUT_OF_RANGE_DATETIME]


def test_the_range_is_counted_in_utc():
    # given
    client = client_in(WEST)
    # when: the same local clock time, on either side of 1900-01-01T00:00Z
    inside = client.post("/api/tasks/", {"title": "x", "due_date": "1900-01-01T00:00:00-12:00"})
    outside = client.post("/api/tasks/", {"title": "x", "due_date": "1900-01-01T00:00:00+14:00"})
    # then
    assert inside.status_code == 201, inside.content
    assert_refused(outside, "due_date")


def test_a_task_update_outside_the_range_is_a_400_and_keeps_the_date():
    # given
    user = UserFactory()
    task = TaskFactory(user=user, due_date=datetime(2030, 1, 1, 9, tzinfo=UTC))
    # when
    response = client_for(user).patch(f"/api/tasks/{task.pk}", {"due_date": "9999-12-31T00:00:00Z"})
    # then
    assert_refused(response, "due_date")
    task.refresh_from_db()
    assert task.due_date == datetime(2030, 1, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_goal_deadline_outside_the_range_is_a_400_naming_it(value):
    # given
    user = UserFactory()
    goal = GoalFactory(user=user)
    client = client_for(user)
    # when
    created = client.post("/api/goals/", {"goal_name": "Read", "category": "Primary", "deadline": value})
    changed = client.patch(f"/api/goals/{goal.number}", {"deadline": value})
    # then
    assert_refused(created, "deadline")
    assert_refused(changed, "deadline")


@pytest.mark.parametrize("tz", [WEST, EAST])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00", "9999-12-31T23:59:59Z"])
def test_a_manual_log_starting_outside_the_range_is_a_400_naming_started_at(tz, value):
    # when
    response = client_in(tz).post("/api/study-sessions/", {"topic": "x", "duration_minutes": 30, "started_at": value})
    # then
    assert_refused(response, "started_at")


@pytest.mark.parametrize("tz", [WEST, EAST])
def test_a_manual_log_on_the_first_day_of_the_range_is_kept_in_every_timezone(tz):
    # when
    response = client_in(tz).post(
        "/api/study-sessions/", {"topic": "x", "duration_minutes": 30, "started_at": "1900-01-01T00:00:00Z"}
    )
    # then
    assert response.status_code == 201, response.content


# --- the timezone change that moves reminders --------------------------------------------------


def test_a_reminder_far_in_the_future_cannot_be_set():
    # given
    client = client_in("UTC")
    # when
    response = client.post(
        "/api/tasks/", {"title": "x", "reminder_enabled": True, "reminder_time": "9999-12-31T12:00:00Z"}
    )
    # then
    assert_refused(response, "reminder_time")


@pytest.mark.parametrize("reminder", [datetime(9999, 12, 31, 12, tzinfo=UTC), datetime(2200, 12, 31, 23, tzinfo=UTC)])
def test_changing_timezone_never_fails_on_a_far_reminder(reminder):
    # given: the last hour of the range, and a year-9999 reminder stored before the range was enforced
    # (at UTC+14 it shows a wall-clock time in year 10000)
    user = UserFactory(timezone=EAST)
    TaskFactory(user=user, reminder_enabled=True, reminder_time=reminder)
    # when
    response = client_for(user).patch("/api/users/me/", {"timezone": WEST}, format="json")
    # then
    assert response.status_code == 200, response.content


# --- one rule for every serializer and filter ---------------------------------------------------


def _project_subclasses(base) -> list[type]:
    import learnflow.urls  # noqa: F401  (loads every app's serializers and filters)

    found, todo = [], [base]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"accounts", "tasks", "focus", "challenges", "community", "analytics"}:
            found.append(cls)
    return found


def test_every_model_serializer_maps_model_dates_to_the_range_checked_fields():
    offenders = [
        cls.__qualname__
        for cls in _project_subclasses(serializers.ModelSerializer)
        if not issubclass(cls, dates.ModelSerializerDates)
    ]
    assert offenders == []


def test_every_declared_date_field_is_range_checked():
    offenders = [
        f"{cls.__qualname__}.{name}"
        for cls in _project_subclasses(serializers.Serializer)
        for name, field in getattr(cls, "_declared_fields", {}).items()
        if isinstance(field, serializers.DateField | serializers.DateTimeField)
        and not isinstance(field, dates.DateField | dates.DateTimeField)
    ]
    assert offenders == []


def test_every_date_filter_is_range_checked():
    offenders = [
        f"{cls.__qualname__}.{name}"
        for cls in _project_subclasses(django_filters.FilterSet)
        for name, item in cls.base_filters.items()
        if isinstance(item, django_filters.DateFilter) and not isinstance(item, dates.DateFilter)
    ]
    assert offenders == []

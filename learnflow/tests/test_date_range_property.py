"""Every date and datetime parameter and field, fed years 1 to 9999 with every UTC offset, by users in
timezones from UTC-12 to UTC+14: never a 5xx, and outside the years 1900 to 2200 a 400 naming it.

Examples are bounded and derandomized (the same cases each run), with the range's edges always tried.
"""

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from learnflow import dates
from learnflow.testing import client_for
from tasks.tests.factories import GoalFactory, TaskFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ZONES = st.sampled_from(
    ["Etc/GMT+12", "Etc/GMT-14", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York", "Asia/Kolkata", "UTC"]
)
EDGES = [date(1, 1, 1), date(1899, 12, 31), date(1900, 1, 1), date(2200, 12, 31), date(2201, 1, 1), date(9999, 12, 31)]
DAYS = st.one_of(st.sampled_from(EDGES), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
# "" is a naive time (read as UTC); the offsets run from the farthest west to the farthest east.
OFFSETS = st.sampled_from(["Z", "", "-12:00", "+14:00", "+05:30", "-03:00"])
CLOCKS = st.one_of(st.sampled_from([datetime.min.time(), datetime.max.time().replace(microsecond=0)]), st.times())


def iso(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def instant_in_range(text: str) -> bool:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return dates.datetime_in_range(value)
    except OverflowError:
        return False


def as_instant(day: date, clock, offset: str) -> str:
    return f"{iso(day)}T{clock.isoformat()}{offset}"


def client_in(tz: str):
    user = UserFactory(timezone=tz)
    return user, client_for(user)


def check(response, field: str, in_range: bool) -> None:
    assert response.status_code < 500, response.content
    if in_range:
        if response.status_code == 400:
            refused = response.json().get(field, [])
            assert dates.OUT_OF_RANGE not in refused and dates.OUT_OF_RANGE_DATETIME not in refused, refused
    else:
        assert response.status_code == 400, response.content
        assert field in response.json()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/daily-summary", "date"),
        ("/api/weekly-summary", "week_start"),
        ("/api/study-sessions/", "date_from"),
        ("/api/study-sessions/", "date_to"),
        ("/api/study-sessions/analytics/by-group", "date_from"),
        ("/api/study-sessions/analytics/by-group", "date_to"),
    ],
)
@EXAMPLES
@given(day=DAYS, tz=ZONES)
def test_date_parameters(path, name, day, tz):
    _, client = client_in(tz)
    check(client.get(path, {name: iso(day)}), name, dates.date_in_range(day))


@EXAMPLES
@given(day=DAYS, tz=ZONES)
def test_month_parameter(day, tz):
    _, client = client_in(tz)
    month = f"{day.year:04d}-{day.month:02d}"
    check(client.get("/api/streaks/calendar/me", {"month": month}), "month", dates.date_in_range(day.replace(day=1)))


@pytest.mark.parametrize("field", ["start_date", "due_date", "reminder_time"])
@EXAMPLES
@given(day=DAYS, clock=CLOCKS, offset=OFFSETS, tz=ZONES, moved_to=ZONES)
def test_task_datetimes(field, day, clock, offset, tz, moved_to):
    user, client = client_in(tz)
    value = as_instant(day, clock, offset)
    in_range = instant_in_range(value)
    body = {"title": "x", field: value, "reminder_enabled": field == "reminder_time"}
    if field == "due_date":
        body["recurrence"] = "FREQ=DAILY"
    created = client.post("/api/tasks/", body, format="json")
    check(created, field, in_range)
    existing = TaskFactory(user=user, due_date=None)
    check(client.patch(f"/api/tasks/{existing.pk}", {field: value}, format="json"), field, in_range)
    if created.status_code == 201:
        completed = client.put(f"/api/tasks/{created.json()['id']}", {"completed": True}, format="json")
        assert completed.status_code == 200, completed.content
        moved = client.patch("/api/users/me/", {"timezone": moved_to}, format="json")
        assert moved.status_code == 200, moved.content


@EXAMPLES
@given(day=DAYS, tz=ZONES)
def test_recurrence_until(day, tz):
    _, client = client_in(tz)
    rule = f"FREQ=DAILY;UNTIL={day.year:04d}{day.month:02d}{day.day:02d}"
    response = client.post(
        "/api/tasks/", {"title": "x", "due_date": "2030-01-01T09:00:00Z", "recurrence": rule}, format="json"
    )
    assert response.status_code < 500, response.content
    assert (response.status_code == 400) is not dates.date_in_range(day)


@EXAMPLES
@given(day=DAYS, tz=ZONES)
def test_goal_deadline(day, tz):
    user, client = client_in(tz)
    created = client.post("/api/goals/", {"goal_name": "g", "category": "Primary", "deadline": iso(day)}, format="json")
    check(created, "deadline", dates.date_in_range(day))
    changed = client.patch(f"/api/goals/{GoalFactory(user=user).number}", {"deadline": iso(day)}, format="json")
    check(changed, "deadline", dates.date_in_range(day))


@EXAMPLES
@example(day=date(1, 1, 1), clock=datetime.min.time(), offset="Z", tz="Etc/GMT+12")
@example(day=date(1900, 1, 1), clock=datetime.min.time(), offset="+14:00", tz="Etc/GMT-14")
@given(day=DAYS, clock=CLOCKS, offset=OFFSETS, tz=ZONES)
def test_manual_log_started_at(day, clock, offset, tz):
    _, client = client_in(tz)
    value = as_instant(day, clock, offset)
    response = client.post(
        "/api/study-sessions/", {"topic": "x", "duration_minutes": 30, "started_at": value}, format="json"
    )
    check(response, "started_at", instant_in_range(value))

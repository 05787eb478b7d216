"""Recurring tasks: the RRULE subset, the next occurrence, and completing a recurring task exactly once."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.rrule import _iterinfo
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.tests.factories import UserFactory
from learnflow import events
from learnflow.testing import client_for
from tasks import services
from tasks.models import Task
from tasks.recurrence import next_occurrence, recurrence_normalize
from tasks.tests.factories import TaskFactory

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

pytestmark = pytest.mark.django_db


def detail(task) -> str:
    return f"/api/tasks/{task.pk}"


# --- recurrence_normalize ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "normalized"),
    [
        ("FREQ=DAILY", "FREQ=DAILY"),
        ("freq=daily", "FREQ=DAILY"),
        ("  RRULE:FREQ=WEEKLY  ", "FREQ=WEEKLY"),
        ("FREQ=WEEKLY;BYDAY=FR,MO,WE", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("BYDAY=TU;INTERVAL=2;FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("FREQ=DAILY;BYDAY=SU,SA", "FREQ=DAILY;BYDAY=SA,SU"),
        ("UNTIL=20251231;FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20251231"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "FREQ=MONTHLY;BYMONTHDAY=1,15"),
        ("FREQ=DAILY;INTERVAL=365", "FREQ=DAILY;INTERVAL=365"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_recurrence_normalize_gives_the_canonical_form(rule, normalized):
    assert recurrence_normalize(rule) == normalized


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY",
        "FREQ=HOURLY",
        "INTERVAL=2",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=366",
        "FREQ=DAILY;INTERVAL=two",
        "FREQ=DAILY;INTERVAL=-1",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;BYDAY=MO,MO",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=MONTHLY;BYDAY=MO",
        "FREQ=WEEKLY;BYMONTHDAY=1",
        "FREQ=MONTHLY;BYMONTHDAY=0",
        "FREQ=MONTHLY;BYMONTHDAY=32",
        "FREQ=MONTHLY;BYMONTHDAY=-32",
        "FREQ=MONTHLY;BYMONTHDAY=first",
        "FREQ=DAILY;UNTIL=2025-12-31",
        "FREQ=DAILY;UNTIL=20250231",
        "FREQ=DAILY;UNTIL=20251231T000000Z",
        "FREQ=DAILY;COUNT=3",
        "FREQ=DAILY;BYHOUR=9",
        "FREQ=DAILY;FREQ=WEEKLY",
        "FREQ=DAILY;",
        "FREQ",
        "FREQ=",
        "FREQ=DAILY;INTERVAL=" + "0" * 180 + "1",
    ],
)
def test_recurrence_normalize_refuses_what_is_outside_the_subset(rule):
    with pytest.raises(ValidationError):
        recurrence_normalize(rule)


# --- next_occurrence ---------------------------------------------------------------------------


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rule", "after", "expected"),
    [
        ("FREQ=DAILY", utc(2025, 1, 1, 9), utc(2025, 1, 2, 9)),
        ("FREQ=DAILY;INTERVAL=3", utc(2025, 1, 1, 9), utc(2025, 1, 4, 9)),
        ("FREQ=WEEKLY", utc(2025, 1, 1, 9), utc(2025, 1, 8, 9)),
        # 2025-01-03 is a Friday: the next weekday is Monday the 6th
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", utc(2025, 1, 3, 9), utc(2025, 1, 6, 9)),
        ("FREQ=DAILY;BYDAY=SA,SU", utc(2025, 1, 1, 9), utc(2025, 1, 4, 9)),
        # every other Tuesday, anchored on Tuesday 2025-01-07
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", utc(2025, 1, 7, 9), utc(2025, 1, 21, 9)),
        ("FREQ=MONTHLY;BYMONTHDAY=15", utc(2025, 1, 15, 9), utc(2025, 2, 15, 9)),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", utc(2025, 1, 31, 9), utc(2025, 2, 28, 9)),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", utc(2025, 2, 28, 9), utc(2025, 3, 31, 9)),
        ("FREQ=MONTHLY;BYMONTHDAY=31", utc(2025, 1, 31, 9), utc(2025, 3, 31, 9)),
        ("FREQ=MONTHLY", utc(2025, 1, 20, 9), utc(2025, 2, 20, 9)),
        ("FREQ=DAILY;UNTIL=20250102", utc(2025, 1, 1, 9), utc(2025, 1, 2, 9)),
        ("FREQ=DAILY;UNTIL=20250102", utc(2025, 1, 2, 9), None),
        ("FREQ=DAILY;UNTIL=20241231", utc(2025, 1, 1, 9), None),
    ],
)
def test_next_occurrence_follows_the_rule(rule, after, expected):
    # when
    upcoming = next_occurrence(rule, after=after, not_before=after, tz=ZoneInfo("UTC"))
    # then
    assert upcoming == expected


@pytest.mark.parametrize(
    ("after_local", "expected_local", "expected_utc"),
    [
        # the last Sunday of March: CET (+1) becomes CEST (+2)
        ((2025, 3, 29, 9, 0), (2025, 3, 30, 9, 0), utc(2025, 3, 30, 7)),
        ((2025, 3, 30, 9, 0), (2025, 3, 31, 9, 0), utc(2025, 3, 31, 7)),
        # the last Sunday of October: CEST (+2) becomes CET (+1)
        ((2025, 10, 25, 9, 0), (2025, 10, 26, 9, 0), utc(2025, 10, 26, 8)),
        ((2025, 10, 26, 9, 0), (2025, 10, 27, 9, 0), utc(2025, 10, 27, 8)),
    ],
)
def test_next_occurrence_keeps_the_local_wall_clock_time_across_dst(after_local, expected_local, expected_utc):
    # given
    after = datetime(*after_local, tzinfo=BERLIN)
    # when
    upcoming = next_occurrence("FREQ=DAILY", after=after, not_before=after, tz=BERLIN)
    # then
    assert upcoming == expected_utc
    assert upcoming.astimezone(BERLIN).replace(tzinfo=None) == datetime(*expected_local)


def test_an_occurrence_in_the_autumn_fold_that_passed_once_is_due_at_its_second_reading():
    # given: daily at 02:30 Berlin; on 26 October 2025 02:30 comes at 00:30 UTC (CEST) and again at
    # 01:30 UTC (CET); the task is completed at 01:15 UTC, between the two
    due = datetime(2025, 10, 25, 2, 30, tzinfo=BERLIN)
    # when
    upcoming = next_occurrence("FREQ=DAILY", after=due, not_before=utc(2025, 10, 26, 1, 15), tz=BERLIN)
    # then: later than now, still at 02:30 on the clock (it was 00:30 UTC, already past)
    assert upcoming == utc(2025, 10, 26, 1, 30)
    assert upcoming.astimezone(BERLIN).replace(tzinfo=None) == datetime(2025, 10, 26, 2, 30)


def test_an_occurrence_in_the_spring_gap_is_due_the_gaps_length_later():
    # given: daily at 02:30 Berlin; 30 March 2025 has no 02:30 (02:00 CET jumps to 03:00 CEST)
    due = datetime(2025, 3, 29, 2, 30, tzinfo=BERLIN)
    # when
    upcoming = next_occurrence("FREQ=DAILY", after=due, not_before=due, tz=BERLIN)
    # then
    assert upcoming.astimezone(BERLIN).replace(tzinfo=None) == datetime(2025, 3, 30, 3, 30)


def test_next_occurrence_skips_the_occurrences_missed_while_overdue():
    # given
    due = utc(2025, 1, 1, 9)
    # when
    completed_late = next_occurrence("FREQ=DAILY", after=due, not_before=utc(2025, 1, 5, 12), tz=ZoneInfo("UTC"))
    completed_early_that_day = next_occurrence(
        "FREQ=DAILY", after=due, not_before=utc(2025, 1, 5, 8), tz=ZoneInfo("UTC")
    )
    # then
    assert completed_late == utc(2025, 1, 6, 9)
    assert completed_early_that_day == utc(2025, 1, 5, 9)


def test_next_occurrence_of_a_weekly_rule_completed_late_stays_on_its_weekdays():
    # given: due Monday 2025-01-06, completed Thursday 2025-01-16
    due = utc(2025, 1, 6, 9)
    # when
    upcoming = next_occurrence(
        "FREQ=WEEKLY;BYDAY=MO,WE", after=due, not_before=utc(2025, 1, 16, 10), tz=ZoneInfo("UTC")
    )
    # then
    assert upcoming == utc(2025, 1, 20, 9)


def test_until_is_the_last_local_day_in_the_users_timezone():
    # given: 23:00 on Jan 31 in New York is already Feb 1 in UTC
    due = datetime(2025, 1, 31, 23, 0, tzinfo=NEW_YORK)
    # when
    last = next_occurrence("FREQ=DAILY;UNTIL=20250201", after=due, not_before=due, tz=NEW_YORK)
    after_last = next_occurrence("FREQ=DAILY;UNTIL=20250201", after=last, not_before=last, tz=NEW_YORK)
    # then
    assert last == datetime(2025, 2, 1, 23, 0, tzinfo=NEW_YORK)
    assert after_last is None


# --- the rule through the API ------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY",
        "FREQ=DAILY;COUNT=3",
        "FREQ=MONTHLY;BYDAY=MO",
        "FREQ=DAILY;UNTIL=2025-01-01",
        "daily",
        "FREQ=DAILY;UNTIL=00010101",
        "FREQ=DAILY;UNTIL=22010101",
    ],
)
def test_an_invalid_rule_is_a_400_naming_recurrence(auth_client, rule):
    # when
    response = auth_client.post("/api/tasks/", {"title": "T", "due_date": "2030-01-01T09:00:00Z", "recurrence": rule})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"recurrence"}
    assert not Task.objects.exists()


def test_an_invalid_rule_in_an_update_is_a_400_and_keeps_the_old_rule(auth_client, user):
    # given
    task = TaskFactory(user=user, due_date=utc(2030, 1, 1, 9), recurrence="FREQ=DAILY")
    # when
    response = auth_client.patch(detail(task), {"recurrence": "FREQ=WEEKLY;BYDAY=XX"})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"recurrence"}
    task.refresh_from_db()
    assert task.recurrence == "FREQ=DAILY"


def test_the_rule_is_stored_normalized(auth_client):
    # when
    response = auth_client.post(
        "/api/tasks/",
        {"title": "Gym", "due_date": "2030-01-07T18:00:00Z", "recurrence": "rrule:byday=fr,mo;freq=weekly"},
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["recurrence"] == "FREQ=WEEKLY;BYDAY=MO,FR"
    assert Task.objects.get().recurrence == "FREQ=WEEKLY;BYDAY=MO,FR"


def test_a_blank_rule_removes_the_recurrence(auth_client, user):
    # given
    task = TaskFactory(user=user, due_date=utc(2030, 1, 1, 9), recurrence="FREQ=DAILY")
    # when
    response = auth_client.patch(detail(task), {"recurrence": ""})
    completed = auth_client.put(detail(task), {"completed": True})
    # then
    assert response.json()["recurrence"] == ""
    assert completed.status_code == 200
    assert Task.objects.count() == 1


# --- completing a recurring task ---------------------------------------------------------------


def complete(user, task, at: datetime):
    with time_machine.travel(at, tick=False):
        response = client_for(user).put(detail(task), {"completed": True})
    assert response.status_code == 200, response.content
    return response


def next_of(task) -> Task:
    return Task.objects.get(previous=task)


def test_completing_a_recurring_task_creates_the_next_occurrence_with_its_fields():
    # given
    user = UserFactory()
    task = TaskFactory(
        user=user,
        title="Flashcards",
        description="20 cards",
        priority="high",
        tags=["spanish"],
        start_date=utc(2030, 1, 1, 8),
        due_date=utc(2030, 1, 1, 9),
        reminder_enabled=True,
        reminder_time=utc(2030, 1, 1, 8, 45),
        recurrence="FREQ=DAILY",
    )
    # when
    complete(user, task, utc(2030, 1, 1, 8, 50))
    # then
    upcoming = next_of(task)
    assert upcoming.pk != task.pk
    assert upcoming.user == user
    assert (upcoming.title, upcoming.description, upcoming.priority, upcoming.tags, upcoming.recurrence) == (
        "Flashcards",
        "20 cards",
        "high",
        ["spanish"],
        "FREQ=DAILY",
    )
    assert upcoming.due_date == utc(2030, 1, 2, 9)
    assert upcoming.start_date == utc(2030, 1, 2, 8)
    assert upcoming.reminder_enabled is True
    assert upcoming.reminder_time == utc(2030, 1, 2, 8, 45)
    assert upcoming.reminder_sent_at is None
    assert (upcoming.completed, upcoming.completed_at) == (False, None)
    listed = client_for(user).get("/api/tasks/?completed=false").json()["results"]
    assert [(t["id"], t["due_date"]) for t in listed] == [(str(upcoming.pk), "2030-01-02T09:00:00Z")]


def test_a_task_without_a_rule_creates_no_next_occurrence():
    # given
    user = UserFactory()
    task = TaskFactory(user=user, due_date=utc(2030, 1, 1, 9))
    # when
    complete(user, task, utc(2030, 1, 1, 10))
    # then
    assert Task.objects.count() == 1


def test_double_submits_create_the_next_occurrence_once():
    # given
    user = UserFactory()
    task = TaskFactory(user=user, due_date=utc(2030, 1, 1, 9), recurrence="FREQ=DAILY")
    # when
    complete(user, task, utc(2030, 1, 1, 10))
    complete(user, task, utc(2030, 1, 1, 10))
    with time_machine.travel(utc(2030, 1, 1, 10), tick=False):
        client_for(user).patch(detail(task), {"completed": True})
    # then
    assert Task.objects.count() == 2
    assert next_of(task).due_date == utc(2030, 1, 2, 9)


def test_a_retried_service_call_with_a_stale_task_creates_the_next_occurrence_once():
    # given
    task = TaskFactory(due_date=utc(2030, 1, 1, 9), recurrence="FREQ=DAILY")
    stale = Task.objects.get(pk=task.pk)
    # when
    with time_machine.travel(utc(2030, 1, 1, 10), tick=False):
        services.task_update(task=task, data={"completed": True})
        services.task_update(task=stale, data={"completed": True})
    # then
    assert Task.objects.count() == 2
    task.refresh_from_db()
    assert task.completed_at == utc(2030, 1, 1, 10)


def test_uncompleting_and_completing_again_does_not_create_a_second_occurrence():
    # given
    user = UserFactory()
    task = TaskFactory(user=user, due_date=utc(2030, 1, 1, 9), recurrence="FREQ=DAILY")
    complete(user, task, utc(2030, 1, 1, 10))
    # when
    with time_machine.travel(utc(2030, 1, 3, 10), tick=False):
        reopened = client_for(user).put(detail(task), {"completed": False})
    complete(user, task, utc(2030, 1, 3, 11))
    # then
    assert reopened.json()["completed"] is False
    assert Task.objects.count() == 2
    assert next_of(task).due_date == utc(2030, 1, 2, 9)


@pytest.mark.parametrize(
    ("due_local", "next_local", "next_utc"),
    [
        ((2025, 3, 29, 9, 0), (2025, 3, 30, 9, 0), utc(2025, 3, 30, 7)),
        ((2025, 3, 30, 9, 0), (2025, 3, 31, 9, 0), utc(2025, 3, 31, 7)),
        ((2025, 10, 25, 9, 0), (2025, 10, 26, 9, 0), utc(2025, 10, 26, 8)),
        ((2025, 10, 26, 9, 0), (2025, 10, 27, 9, 0), utc(2025, 10, 27, 8)),
    ],
    ids=["before-spring-forward", "after-spring-forward", "before-fall-back", "after-fall-back"],
)
def test_a_daily_task_stays_at_9_local_across_dst(due_local, next_local, next_utc):
    # given
    user = UserFactory(timezone="Europe/Berlin")
    due = datetime(*due_local, tzinfo=BERLIN)
    task = TaskFactory(user=user, due_date=due, recurrence="FREQ=DAILY")
    # when
    complete(user, task, due - timedelta(minutes=30))
    # then
    upcoming = next_of(task)
    assert upcoming.due_date == next_utc
    assert upcoming.due_date.astimezone(BERLIN).replace(tzinfo=None) == datetime(*next_local)


def test_a_daily_series_keeps_9_local_through_the_whole_dst_week():
    # given
    user = UserFactory(timezone="Europe/Berlin")
    task = TaskFactory(user=user, due_date=datetime(2025, 3, 28, 9, 0, tzinfo=BERLIN), recurrence="FREQ=DAILY")
    local_due_times = []
    # when
    for _ in range(4):
        complete(user, task, task.due_date)
        task = next_of(task)
        local_due_times.append(task.due_date.astimezone(BERLIN).strftime("%a %d %H:%M"))
    # then
    assert local_due_times == ["Sat 29 09:00", "Sun 30 09:00", "Mon 31 09:00", "Tue 01 09:00"]


def test_completing_late_skips_the_missed_occurrences():
    # given
    user = UserFactory(timezone="Europe/Berlin")
    task = TaskFactory(user=user, due_date=datetime(2030, 1, 1, 9, 0, tzinfo=BERLIN), recurrence="FREQ=DAILY")
    # when
    complete(user, task, datetime(2030, 1, 5, 12, 0, tzinfo=BERLIN))
    # then
    assert next_of(task).due_date == datetime(2030, 1, 6, 9, 0, tzinfo=BERLIN)
    assert Task.objects.count() == 2


def test_until_ends_the_series():
    # given
    user = UserFactory()
    task = TaskFactory(user=user, due_date=utc(2030, 1, 1, 9), recurrence="FREQ=DAILY;UNTIL=20300102")
    # when
    complete(user, task, utc(2030, 1, 1, 8))
    last = next_of(task)
    complete(user, last, utc(2030, 1, 2, 8))
    # then
    assert last.due_date == utc(2030, 1, 2, 9)
    assert not Task.objects.filter(previous=last).exists()
    assert Task.objects.count() == 2


def test_changing_the_rule_affects_only_future_occurrences():
    # given: Wednesday 2030-01-02, daily
    user = UserFactory()
    first = TaskFactory(user=user, due_date=utc(2030, 1, 2, 9), recurrence="FREQ=DAILY")
    complete(user, first, utc(2030, 1, 2, 8))
    second = next_of(first)
    # when: the open occurrence (Thursday 2030-01-03) switches to Mondays
    with time_machine.travel(utc(2030, 1, 2, 12), tick=False):
        changed = client_for(user).patch(detail(second), {"recurrence": "FREQ=WEEKLY;BYDAY=MO"})
    complete(user, second, utc(2030, 1, 3, 8))
    # then
    assert changed.json()["recurrence"] == "FREQ=WEEKLY;BYDAY=MO"
    first.refresh_from_db()
    assert first.recurrence == "FREQ=DAILY"
    assert second.due_date == utc(2030, 1, 3, 9)
    third = next_of(second)
    assert third.due_date == utc(2030, 1, 7, 9)
    assert third.recurrence == "FREQ=WEEKLY;BYDAY=MO"


def test_changing_the_rule_of_a_completed_task_leaves_its_next_occurrence_alone():
    # given
    user = UserFactory()
    first = TaskFactory(user=user, due_date=utc(2030, 1, 2, 9), recurrence="FREQ=DAILY")
    complete(user, first, utc(2030, 1, 2, 8))
    # when
    with time_machine.travel(utc(2030, 1, 2, 12), tick=False):
        response = client_for(user).patch(detail(first), {"recurrence": "FREQ=MONTHLY"})
    # then
    assert response.status_code == 200
    second = next_of(first)
    assert (second.due_date, second.recurrence) == (utc(2030, 1, 3, 9), "FREQ=DAILY")
    assert Task.objects.count() == 2


# --- two completions at the same moment --------------------------------------------------------


def run_at_once(*targets):
    """Run each target in its own thread (and its own database connection), released together."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_service_completions_are_one_completion():
    # given
    task = TaskFactory(due_date=utc(2030, 1, 1, 9), recurrence="FREQ=DAILY")
    activities = []

    def record(**payload):
        activities.append(payload["kind"])

    def finish():
        services.task_update(task=Task.objects.get(pk=task.pk), data={"completed": True})

    events.subscribe(events.ACTIVITY, record)
    # when
    try:
        run_at_once(*[finish] * 4)
    finally:
        events._handlers[events.ACTIVITY].remove(record)
    # then
    assert Task.objects.filter(previous=task).count() == 1
    assert Task.objects.count() == 2
    assert Task.objects.get(pk=task.pk).completed is True
    assert activities == ["task_completed"]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_api_completions_create_one_next_occurrence():
    # given
    user = UserFactory()
    task = TaskFactory(user=user, due_date=utc(2030, 1, 1, 9), recurrence="FREQ=DAILY")
    statuses = []

    def finish():
        statuses.append(client_for(user).put(detail(task), {"completed": True}, format="json").status_code)

    # when
    run_at_once(finish, finish)
    # then
    assert statuses == [200, 200]
    assert Task.objects.filter(previous=task).count() == 1
    assert Task.objects.count() == 2


# --- bounded work, whatever the anchor -----------------------------------------------------------


@pytest.fixture
def periods_walked(monkeypatch):
    """Every day, week or month dateutil steps through while looking for an occurrence."""
    walked: list[tuple] = []
    for name in ("ddayset", "wdayset", "mdayset"):
        original = getattr(_iterinfo, name)

        def counting(self, *args, _original=original):
            walked.append(args)
            return _original(self, *args)

        monkeypatch.setattr(_iterinfo, name, counting)
    return walked


def test_a_due_date_in_year_1_is_a_400_naming_it(auth_client):
    # when
    response = auth_client.post(
        "/api/tasks/", {"title": "x", "due_date": "0001-01-02T00:00:00Z", "recurrence": "FREQ=DAILY"}
    )
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"due_date"}
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("rule", "due", "expected"),
    [
        ("FREQ=DAILY", utc(1900, 1, 2, 9), utc(2026, 12, 3, 9)),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR", utc(1900, 1, 1, 9), utc(2026, 12, 14, 9)),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", utc(1900, 1, 31, 9), utc(2026, 12, 31, 9)),
        ("FREQ=MONTHLY;INTERVAL=5", utc(1900, 3, 31, 9), utc(2028, 7, 31, 9)),
    ],
)
def test_completing_a_series_anchored_long_ago_takes_a_few_steps(periods_walked, rule, due, expected):
    # given: now is 2026-12-02 10:00 UTC, 46 000 days after the anchor (every 5th month from March
    # skips the 30-day months until July 2028)
    user = UserFactory(timezone="UTC")
    task = TaskFactory(user=user, due_date=due, recurrence=rule)
    # when
    complete(user, task, utc(2026, 12, 2, 10))
    # then
    assert next_of(task).due_date == expected
    assert len(periods_walked) <= 8


@pytest.mark.parametrize(
    ("rule", "due"),
    [
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", utc(2030, 1, 1, 9)),
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31", utc(2030, 4, 30, 9)),
        ("FREQ=MONTHLY;INTERVAL=24;BYMONTHDAY=29", utc(2029, 2, 1, 9)),
    ],
)
def test_a_rule_that_never_occurs_ends_the_series_without_searching(periods_walked, rule, due):
    # given: a Tuesday every 7 days is never a Monday; April has no 31st; odd years no 29 February
    user = UserFactory(timezone="UTC")
    task = TaskFactory(user=user, due_date=due, recurrence=rule)
    # when
    complete(user, task, due)
    # then
    assert not Task.objects.filter(previous=task).exists()
    assert periods_walked == []


def test_a_29_february_every_4_years_is_found_across_2100():
    # when: 2100 is not a leap year
    upcoming = next_occurrence(
        "FREQ=MONTHLY;INTERVAL=48;BYMONTHDAY=29", after=utc(2096, 2, 29, 9), not_before=utc(2096, 3, 1), tz=UTC
    )
    # then
    assert upcoming == utc(2104, 2, 29, 9)


def test_the_series_ends_with_the_date_range():
    # when
    last = next_occurrence("FREQ=DAILY", after=utc(2200, 12, 30, 9), not_before=utc(2200, 12, 30, 10), tz=UTC)
    beyond = next_occurrence("FREQ=DAILY", after=last, not_before=last, tz=UTC)
    # then
    assert last == utc(2200, 12, 31, 9)
    assert beyond is None


def test_a_reminder_that_would_move_past_the_range_is_left_off():
    # given
    user = UserFactory(timezone="UTC")
    task = TaskFactory(
        user=user,
        due_date=utc(2030, 1, 1, 9),
        reminder_enabled=True,
        reminder_time=utc(2200, 12, 31, 9),
        recurrence="FREQ=MONTHLY",
    )
    # when
    complete(user, task, utc(2030, 1, 1, 10))
    # then
    upcoming = next_of(task)
    assert upcoming.due_date == utc(2030, 2, 1, 9)
    assert (upcoming.reminder_enabled, upcoming.reminder_time) == (False, None)

"""Task reminders (``runjob task_reminders``) and goal reminders (``runjob goal_reminders``): each sent
once, to the inbox and by email, whatever the retries, failures and concurrent runs."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

import accounts.services
from accounts.choices import NotificationKind
from accounts.models import Notification
from accounts.tests.factories import UserFactory
from learnflow.testing import at_once, client_for
from tasks.jobs import send_goal_reminders, send_task_reminders
from tasks.models import Goal, Task
from tasks.tests.factories import GoalFactory, ProgressFactory, TaskFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
REMINDER_AT = datetime(2030, 1, 10, 8, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def reminder_task(**fields) -> Task:
    fields.setdefault("reminder_time", REMINDER_AT)
    return TaskFactory(reminder_enabled=True, **fields)


def run_task_reminders(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return send_task_reminders()


def reminders_of(user, kind=NotificationKind.TASK_REMINDER) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind))


# --- task reminders ----------------------------------------------------------------------------


def test_a_due_reminder_is_sent_to_the_inbox_and_by_email(mailoutbox):
    # given
    user = UserFactory(email="ada@example.com")
    task = reminder_task(user=user, title="Submit the lab report", due_date=utc(2030, 1, 10, 17))
    # when
    sent = run_task_reminders(REMINDER_AT + timedelta(minutes=1))
    # then
    assert sent == 1
    [notification] = reminders_of(user)
    assert notification.title == "Reminder: Submit the lab report"
    assert "Submit the lab report" in notification.body
    assert "2030-01-10 17:00" in notification.body
    assert notification.data == {"task_id": str(task.pk)}
    [email] = mailoutbox
    assert email.to == ["ada@example.com"]
    assert email.subject == "Reminder: Submit the lab report"
    task.refresh_from_db()
    assert task.reminder_sent_at == REMINDER_AT + timedelta(minutes=1)
    inbox = client_for(user).get("/api/notifications/").json()["results"]
    assert [(n["kind"], n["title"]) for n in inbox] == [("task_reminder", "Reminder: Submit the lab report")]


def test_runjob_task_reminders_sends_the_due_reminders(mailoutbox):
    # given
    task = reminder_task(reminder_time=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    # when
    call_command("runjob", "task_reminders", stdout=out)
    # then
    assert "task_reminders: 1" in out.getvalue()
    assert len(reminders_of(task.user)) == 1
    assert len(mailoutbox) == 1


def test_running_twice_sends_nothing_new(mailoutbox):
    # given
    user = UserFactory()
    reminder_task(user=user)
    run_task_reminders(REMINDER_AT)
    # when
    again = run_task_reminders(REMINDER_AT + timedelta(minutes=5))
    # then
    assert again == 0
    assert len(reminders_of(user)) == 1
    assert len(mailoutbox) == 1


def test_a_reminder_in_the_future_is_not_sent_until_its_time(mailoutbox):
    # given
    user = UserFactory()
    task = reminder_task(user=user)
    # when
    early = run_task_reminders(REMINDER_AT - timedelta(seconds=1))
    on_time = run_task_reminders(REMINDER_AT)
    # then
    assert early == 0
    assert on_time == 1
    assert len(reminders_of(user)) == 1
    assert len(mailoutbox) == 1
    task.refresh_from_db()
    assert task.reminder_sent_at == REMINDER_AT


@pytest.mark.parametrize(
    "fields",
    [{"completed": True}, {"reminder_enabled": False}],
    ids=["completed-task", "reminder-disabled"],
)
def test_no_reminder_for_a_completed_task_or_a_disabled_reminder(mailoutbox, fields):
    # given
    user = UserFactory()
    task = TaskFactory(user=user, reminder_time=REMINDER_AT, **{"reminder_enabled": True, **fields})
    # when
    sent = run_task_reminders(REMINDER_AT + timedelta(minutes=1))
    # then
    assert sent == 0
    assert reminders_of(user) == []
    assert mailoutbox == []
    task.refresh_from_db()
    assert task.reminder_sent_at is None


def test_completing_a_task_before_its_reminder_cancels_it(mailoutbox):
    # given
    user = UserFactory()
    task = reminder_task(user=user)
    with time_machine.travel(REMINDER_AT - timedelta(hours=1), tick=False):
        client_for(user).put(f"/api/tasks/{task.pk}", {"completed": True})
    # when
    sent = run_task_reminders(REMINDER_AT + timedelta(minutes=1))
    # then
    assert sent == 0
    assert mailoutbox == []


def test_changing_the_reminder_time_rearms_a_sent_reminder(mailoutbox):
    # given
    user = UserFactory()
    task = reminder_task(user=user)
    run_task_reminders(REMINDER_AT)
    later = REMINDER_AT + timedelta(hours=3)
    # when
    with time_machine.travel(REMINDER_AT + timedelta(minutes=10), tick=False):
        response = client_for(user).patch(f"/api/tasks/{task.pk}", {"reminder_time": later.isoformat()})
    task.refresh_from_db()
    rearmed = task.reminder_sent_at
    before_new_time = run_task_reminders(later - timedelta(minutes=1))
    at_new_time = run_task_reminders(later)
    # then
    assert response.status_code == 200
    assert rearmed is None
    assert (before_new_time, at_new_time) == (0, 1)
    assert len(reminders_of(user)) == 2
    assert len(mailoutbox) == 2
    task.refresh_from_db()
    assert task.reminder_sent_at == later


def test_an_unrelated_change_does_not_rearm_a_sent_reminder(mailoutbox):
    # given
    user = UserFactory()
    task = reminder_task(user=user)
    run_task_reminders(REMINDER_AT)
    # when
    with time_machine.travel(REMINDER_AT + timedelta(minutes=10), tick=False):
        client_for(user).patch(f"/api/tasks/{task.pk}", {"title": "Renamed", "reminder_enabled": True})
    again = run_task_reminders(REMINDER_AT + timedelta(minutes=20))
    # then
    assert again == 0
    assert len(mailoutbox) == 1


def test_a_reminder_more_than_12_hours_late_is_marked_sent_without_notifying(mailoutbox, settings):
    # given
    settings.LEARNFLOW_REMINDER_MAX_LATENESS_HOURS = 12
    user = UserFactory()
    stale = reminder_task(user=user, title="stale", reminder_time=REMINDER_AT - timedelta(hours=12, minutes=1))
    late = reminder_task(user=user, title="late", reminder_time=REMINDER_AT - timedelta(hours=11, minutes=59))
    # when
    sent = run_task_reminders(REMINDER_AT)
    again = run_task_reminders(REMINDER_AT + timedelta(minutes=1))
    # then
    assert (sent, again) == (1, 0)
    assert [n.title for n in reminders_of(user)] == ["Reminder: late"]
    assert [email.subject for email in mailoutbox] == ["Reminder: late"]
    stale.refresh_from_db()
    late.refresh_from_db()
    assert stale.reminder_sent_at == REMINDER_AT
    assert late.reminder_sent_at == REMINDER_AT


def test_a_failing_email_leaves_the_reminder_pending_for_the_next_run(mailoutbox, monkeypatch):
    # given
    user = UserFactory()
    task = reminder_task(user=user)

    def broken_send_mail(**kwargs):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr(accounts.services, "send_mail", broken_send_mail)
    # when
    failed = run_task_reminders(REMINDER_AT)
    task.refresh_from_db()
    pending = task.reminder_sent_at
    left_behind = reminders_of(user)
    monkeypatch.undo()
    retried = run_task_reminders(REMINDER_AT + timedelta(minutes=1))
    # then
    assert failed == 0
    assert pending is None
    assert left_behind == []
    assert retried == 1
    assert len(reminders_of(user)) == 1
    assert len(mailoutbox) == 1
    task.refresh_from_db()
    assert task.reminder_sent_at == REMINDER_AT + timedelta(minutes=1)


def test_one_failing_email_does_not_hold_back_the_others(mailoutbox, monkeypatch):
    # given
    unlucky = UserFactory(email="unlucky@example.com")
    lucky = UserFactory(email="lucky@example.com")
    reminder_task(user=unlucky)
    reminder_task(user=lucky)
    real_send_mail = accounts.services.send_mail

    def send_mail(**kwargs):
        if kwargs["recipient_list"] == ["unlucky@example.com"]:
            raise ConnectionRefusedError("mailbox unavailable")
        return real_send_mail(**kwargs)

    monkeypatch.setattr(accounts.services, "send_mail", send_mail)
    # when
    sent = run_task_reminders(REMINDER_AT)
    # then
    assert sent == 1
    assert [email.to for email in mailoutbox] == [["lucky@example.com"]]
    assert reminders_of(unlucky) == []
    assert len(reminders_of(lucky)) == 1
    assert Task.objects.filter(reminder_sent_at__isnull=True).get().user == unlucky


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_exactly_once(mailoutbox):
    # given
    users = UserFactory.create_batch(3)
    for user in users:
        for _ in range(2):
            reminder_task(user=user, reminder_time=timezone.now() - timedelta(minutes=5))
    # when
    results = at_once(send_task_reminders)
    # then: a run that found the other one under way did nothing (None: learnflow.celery)
    assert sum(sent or 0 for sent in results) == 6
    assert Notification.objects.filter(kind=NotificationKind.TASK_REMINDER).count() == 6
    assert len(mailoutbox) == 6
    assert sorted(email.to[0] for email in mailoutbox) == sorted(user.email for user in users for _ in range(2))
    assert not Task.objects.filter(reminder_sent_at__isnull=True).exists()


def test_a_reminder_keeps_its_local_time_when_the_user_changes_timezone():
    # given: 09:00 in Berlin on January 10
    user = UserFactory(timezone="Europe/Berlin")
    task = reminder_task(user=user, reminder_time=datetime(2030, 1, 10, 9, 0, tzinfo=BERLIN))
    # when
    with time_machine.travel(utc(2030, 1, 5, 12), tick=False):
        response = client_for(user).patch("/api/users/me/", {"timezone": "America/New_York"})
        shown = client_for(user).get(f"/api/tasks/{task.pk}").json()
    # then
    assert response.status_code == 200
    assert response.json()["timezone"] == "America/New_York"
    task.refresh_from_db()
    assert task.reminder_time == datetime(2030, 1, 10, 9, 0, tzinfo=NEW_YORK)
    assert shown["reminder_time"] == "2030-01-10T14:00:00Z"


def test_a_timezone_change_leaves_sent_and_past_reminders_alone():
    # given
    user = UserFactory(timezone="Europe/Berlin")
    sent = reminder_task(user=user, reminder_time=utc(2030, 1, 10, 8))
    run_task_reminders(utc(2030, 1, 10, 8))
    past = reminder_task(user=user, reminder_time=utc(2030, 1, 10, 11))
    # when
    with time_machine.travel(utc(2030, 1, 10, 12), tick=False):
        client_for(user).patch("/api/users/me/", {"timezone": "America/New_York"})
    # then
    sent.refresh_from_db()
    past.refresh_from_db()
    assert sent.reminder_time == utc(2030, 1, 10, 8)
    assert past.reminder_time == utc(2030, 1, 10, 11)


def test_a_moved_reminder_is_sent_at_the_new_local_time(mailoutbox):
    # given
    user = UserFactory(timezone="Europe/Berlin")
    reminder_task(user=user, reminder_time=datetime(2030, 1, 10, 9, 0, tzinfo=BERLIN))
    with time_machine.travel(utc(2030, 1, 5, 12), tick=False):
        client_for(user).patch("/api/users/me/", {"timezone": "America/New_York"})
    # when
    at_berlin_nine = run_task_reminders(datetime(2030, 1, 10, 9, 0, tzinfo=BERLIN))
    at_new_york_nine = run_task_reminders(datetime(2030, 1, 10, 9, 0, tzinfo=NEW_YORK))
    # then
    assert (at_berlin_nine, at_new_york_nine) == (0, 1)
    assert len(mailoutbox) == 1


# --- goal reminders ----------------------------------------------------------------------------


GOAL_CREATED = utc(2030, 3, 1, 9)


def run_goal_reminders(at: datetime) -> str:
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command("runjob", "goal_reminders", stdout=out)
    return out.getvalue()


def quiet_goal(**fields) -> Goal:
    with time_machine.travel(GOAL_CREATED, tick=False):
        return GoalFactory(**fields)


def test_a_goal_without_progress_for_7_days_gets_a_reminder(mailoutbox):
    # given
    user = UserFactory(email="grace@example.com")
    goal = quiet_goal(user=user, goal_name="Pass the calculus final")
    # when
    too_soon = run_goal_reminders(GOAL_CREATED + timedelta(days=6, hours=23))
    due = run_goal_reminders(GOAL_CREATED + timedelta(days=7))
    # then
    assert "goal_reminders: 0" in too_soon
    assert "goal_reminders: 1" in due
    [notification] = reminders_of(user, NotificationKind.GOAL_REMINDER)
    assert notification.title == "Keep going: Pass the calculus final"
    assert "7 days" in notification.body
    assert notification.data == {"goal": goal.number}
    [email] = mailoutbox
    assert (email.to, email.subject) == (["grace@example.com"], "Keep going: Pass the calculus final")


def test_a_goal_is_reminded_at_most_once_per_7_days(mailoutbox):
    # given
    user = UserFactory()
    quiet_goal(user=user)
    run_goal_reminders(GOAL_CREATED + timedelta(days=7))
    # when
    same_day = run_goal_reminders(GOAL_CREATED + timedelta(days=7, hours=6))
    three_days_later = run_goal_reminders(GOAL_CREATED + timedelta(days=10))
    seven_days_later = run_goal_reminders(GOAL_CREATED + timedelta(days=14))
    # then
    assert "goal_reminders: 0" in same_day
    assert "goal_reminders: 0" in three_days_later
    assert "goal_reminders: 1" in seven_days_later
    assert len(reminders_of(user, NotificationKind.GOAL_REMINDER)) == 2
    assert len(mailoutbox) == 2


def test_a_complete_goal_gets_no_reminder(mailoutbox):
    # given
    user = UserFactory()
    quiet_goal(user=user, is_complete=True)
    # when
    output = run_goal_reminders(GOAL_CREATED + timedelta(days=30))
    # then
    assert "goal_reminders: 0" in output
    assert reminders_of(user, NotificationKind.GOAL_REMINDER) == []
    assert mailoutbox == []


def test_a_goal_with_recent_progress_gets_no_reminder_until_it_goes_quiet(mailoutbox):
    # given
    user = UserFactory()
    goal = quiet_goal(user=user)
    with time_machine.travel(GOAL_CREATED + timedelta(days=5), tick=False):
        ProgressFactory(goal=goal)
    # when
    recent = run_goal_reminders(GOAL_CREATED + timedelta(days=8))
    quiet_again = run_goal_reminders(GOAL_CREATED + timedelta(days=12))
    # then
    assert "goal_reminders: 0" in recent
    assert "goal_reminders: 1" in quiet_again
    [notification] = reminders_of(user, NotificationKind.GOAL_REMINDER)
    assert "7 days" in notification.body


def test_goal_reminders_go_to_each_goals_owner(mailoutbox):
    # given
    first, second = UserFactory(), UserFactory()
    quiet_goal(user=first, goal_name="first's goal")
    quiet_goal(user=second, goal_name="second's goal")
    with time_machine.travel(GOAL_CREATED + timedelta(days=1), tick=False):
        GoalFactory(user=second, goal_name="new goal")
    # when
    send_count = None
    with time_machine.travel(GOAL_CREATED + timedelta(days=7), tick=False):
        send_count = send_goal_reminders()
    # then
    assert send_count == 2
    assert [n.title for n in reminders_of(first, NotificationKind.GOAL_REMINDER)] == ["Keep going: first's goal"]
    assert [n.title for n in reminders_of(second, NotificationKind.GOAL_REMINDER)] == ["Keep going: second's goal"]
    assert sorted(email.to[0] for email in mailoutbox) == sorted([first.email, second.email])

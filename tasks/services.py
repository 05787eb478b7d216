"""Writes for tasks and goals."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from learnflow import events
from learnflow.dates import MAX_DATETIME, datetime_in_range
from learnflow.timeutils import rewall, user_zone, zone

from .choices import GoalCategory
from .models import Goal, GoalSequence, Progress, Task
from .recurrence import next_occurrence, recurrence_normalize
from .summaries import summary_invalidate

TASK_FIELDS = frozenset(
    {
        "title", "description", "start_date", "due_date", "completed", "priority", "tags",
        "reminder_enabled", "reminder_time", "recurrence",
    }
)  # fmt: skip
GOAL_FIELDS = frozenset({"goal_name", "category", "deadline", "is_complete"})
PROGRESS_FIELDS = frozenset({"progress", "logged_hours", "total_hours"})
TASK_COMPLETED = "task_completed"


def _refuse_unknown(data: dict, allowed: frozenset) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({field: ["This field cannot be set."] for field in sorted(unknown)})


def _task_check(task: Task) -> None:
    """Rules between fields: a due date not before the start, a time for an enabled reminder, a due
    date for a recurring task (the rule is anchored on it)."""
    errors = {}
    if task.start_date and task.due_date and task.due_date < task.start_date:
        errors["due_date"] = ["The due date cannot be before the start date."]
    if task.reminder_enabled and task.reminder_time is None:
        errors["reminder_time"] = ["Set a reminder time to enable the reminder."]
    if task.recurrence and task.due_date is None:
        errors["recurrence"] = ["A recurring task needs a due date."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def task_create(*, user, **fields) -> Task:
    _refuse_unknown(fields, TASK_FIELDS)
    completed = fields.pop("completed", False)
    task = Task(user=user, **fields)
    task.recurrence = recurrence_normalize(task.recurrence or "")
    _task_check(task)
    task.save()
    if completed:
        return task_update(task=task, data={"completed": True})
    return task


@transaction.atomic
def task_update(*, task: Task, data: dict) -> Task:
    """Change a task. The row is locked first, so two simultaneous completions of the same task are
    one completion: one ``completed_at``, one next occurrence, one activity."""
    _refuse_unknown(data, TASK_FIELDS)
    locked = Task.objects.select_for_update().get(pk=task.pk)
    was_completed = locked.completed
    reminder_before = (locked.reminder_enabled, locked.reminder_time)
    for field, value in data.items():
        setattr(locked, field, value)
    locked.recurrence = recurrence_normalize(locked.recurrence or "")
    _task_check(locked)
    if (locked.reminder_enabled, locked.reminder_time) != reminder_before:
        locked.reminder_sent_at = None
    now = timezone.now()
    if locked.completed and not was_completed:
        locked.completed_at = now
    elif not locked.completed:
        locked.completed_at = None
    locked.save()
    if locked.completed and not was_completed:
        _task_after_completion(locked, now=now)
    return locked


def _task_after_completion(task: Task, *, now) -> None:
    if task.recurrence and task.due_date:
        _task_next_occurrence(task, now=now)
    events.activity_recorded(user=task.user, kind=TASK_COMPLETED, obj=task, occurred_at=task.completed_at)


def _task_next_occurrence(task: Task, *, now) -> Task | None:
    """The next task of a recurring series, created at most once per task (``previous`` is unique).
    It keeps the rule, the fields and the start and reminder offsets from the due date; missed
    occurrences are skipped, so a late completion schedules the next future one. A reminder that
    would move past the date range (years 1900 to 2200) is left off."""
    due = next_occurrence(task.recurrence, after=task.due_date, not_before=now, tz=user_zone(task.user))
    if due is None:
        return None
    shift = due - task.due_date
    reminder = task.reminder_time + shift if task.reminder_time else None
    if reminder is not None and not datetime_in_range(reminder):
        reminder = None
    upcoming, _ = Task.objects.get_or_create(
        previous=task,
        defaults={
            "user": task.user,
            "title": task.title,
            "description": task.description,
            "priority": task.priority,
            "tags": task.tags,
            "recurrence": task.recurrence,
            "due_date": due,
            "start_date": task.start_date + shift if task.start_date else None,
            "reminder_enabled": task.reminder_enabled and reminder is not None,
            "reminder_time": reminder,
        },
    )
    return upcoming


def task_delete(*, task: Task) -> None:
    task.delete()


def task_reminders_follow_timezone(*, user, old: str, new: str) -> int:
    """Pending reminders keep their local wall-clock time when the user moves to another timezone.
    A reminder stored beyond the date range (before the range was enforced) is left alone."""
    pending = list(
        Task.objects.filter(
            user=user,
            reminder_enabled=True,
            reminder_sent_at__isnull=True,
            completed=False,
            reminder_time__gt=timezone.now(),
            reminder_time__lte=MAX_DATETIME,
        )
    )
    for task in pending:
        task.reminder_time = rewall(task.reminder_time, zone(old), zone(new))
    Task.objects.bulk_update(pending, ["reminder_time"])
    return len(pending)


@transaction.atomic
def goal_create(
    *, user, goal_name: str, category: str = GoalCategory.PRIMARY, deadline=None, is_complete: bool = False
) -> Goal:
    """A new goal takes the user's next number; the counter row's lock orders simultaneous creations."""
    GoalSequence.objects.get_or_create(user=user)
    GoalSequence.objects.filter(user=user).update(last_number=F("last_number") + 1)
    number = GoalSequence.objects.values_list("last_number", flat=True).get(user=user)
    return Goal.objects.create(
        user=user, number=number, goal_name=goal_name, category=category, deadline=deadline, is_complete=is_complete
    )


@transaction.atomic
def goal_update(*, goal: Goal, data: dict) -> Goal:
    _refuse_unknown(data, GOAL_FIELDS)
    for field, value in data.items():
        setattr(goal, field, value)
    goal.save(update_fields=[*data, "updated_at"])
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal) -> None:
    summary_invalidate(user_id=goal.user_id)
    goal.delete()


def _progress_check(entry: Progress) -> None:
    errors = {}
    if entry.logged_hours is None or entry.logged_hours < timedelta(0):
        errors["logged_hours"] = ["Logged time must be zero or more (HH:MM:SS)."]
    if entry.total_hours is None or entry.total_hours <= timedelta(0):
        errors["total_hours"] = ["Total time must be more than zero (HH:MM:SS)."]
    if errors:
        raise ValidationError(errors)
    entry.is_complete = entry.logged_hours >= entry.total_hours


@transaction.atomic
def progress_create(*, goal: Goal, logged_hours, total_hours, progress: str = "") -> Progress:
    """Log progress: the entry takes the goal's next number and marks the goal active now."""
    entry = Progress(goal=goal, progress=progress, logged_hours=logged_hours, total_hours=total_hours)
    _progress_check(entry)
    now = timezone.now()
    Goal.objects.filter(pk=goal.pk).update(last_progress_number=F("last_progress_number") + 1, last_progress_at=now)
    entry.number = Goal.objects.values_list("last_progress_number", flat=True).get(pk=goal.pk)
    entry.save()
    goal.last_progress_at = now
    summary_invalidate(user_id=goal.user_id)
    return entry


@transaction.atomic
def progress_update(*, entry: Progress, data: dict) -> Progress:
    _refuse_unknown(data, PROGRESS_FIELDS)
    for field, value in data.items():
        setattr(entry, field, value)
    _progress_check(entry)
    entry.save()
    Goal.objects.filter(pk=entry.goal_id).update(last_progress_at=timezone.now())
    summary_invalidate(user_id=entry.goal.user_id)
    return entry


@transaction.atomic
def progress_delete(*, entry: Progress) -> None:
    summary_invalidate(user_id=entry.goal.user_id)
    entry.delete()

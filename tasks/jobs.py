"""Celery tasks of tasks: reminders.

Each run takes only what is due and not yet sent, in batches locked with SKIP LOCKED, so two workers
running at once split the work instead of sending twice; the notification's dedupe key guards a
retried run. A reminder whose sending fails stays pending and is tried again by the next run.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.choices import NotificationKind
from accounts.services import notification_create

from .models import Goal, Task

logger = logging.getLogger(__name__)
BATCH = 200


def _drain(pending: models.QuerySet, handle: Callable[[models.Model], int], mark: str, now) -> int:
    """Lock due rows batch by batch in pk order (``pk > last``: memory stays flat and each row is
    tried at most once per run, so a run always ends; a failed one waits for the next run),
    ``handle`` each and stamp ``mark`` on the ones handled. Rows another run holds are skipped
    (SKIP LOCKED): two runs at once split the work."""
    done, last = 0, None
    while True:
        with transaction.atomic():
            batch = list(
                (pending.filter(pk__gt=last) if last is not None else pending)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .order_by("pk")[:BATCH]
            )
            if not batch:
                return done
            last = batch[-1].pk
            handled = []
            for row in batch:
                try:
                    done += handle(row)
                except Exception:
                    logger.exception("%s %s: sending failed; the next run tries again", row._meta.label, row.pk)
                    continue
                setattr(row, mark, now)
                handled.append(row)
            type(batch[0]).objects.bulk_update(handled, [mark])


@shared_task(name="tasks.send_task_reminders")
def send_task_reminders() -> int:
    """Send every due task reminder once: an inbox notification and an email. A reminder more than
    ``LEARNFLOW_REMINDER_MAX_LATENESS_HOURS`` late (downtime, or set in the past) is marked sent
    without notifying: a reminder that late no longer helps."""
    now = timezone.now()
    oldest = now - timedelta(hours=settings.LEARNFLOW_REMINDER_MAX_LATENESS_HOURS)

    def remind(task: Task) -> int:
        if task.reminder_time < oldest:
            return 0
        due = f" It is due {task.due_date:%Y-%m-%d %H:%M} UTC." if task.due_date else ""
        _, created = notification_create(
            user=task.user,
            kind=NotificationKind.TASK_REMINDER,
            title=f"Reminder: {task.title}",
            body=f"You asked to be reminded about “{task.title}”.{due}",
            data={"task_id": str(task.pk)},
            dedupe_key=f"task-reminder:{task.pk}:{task.reminder_time.isoformat()}",
            email=True,
        )
        return int(created)

    pending = Task.objects.filter(
        reminder_enabled=True, reminder_sent_at__isnull=True, completed=False, reminder_time__lte=now
    )
    return _drain(pending, remind, "reminder_sent_at", now)


@shared_task(name="tasks.send_goal_reminders")
def send_goal_reminders() -> int:
    """Remind about each unfinished goal with no progress for 7 days, at most once per 7 days."""
    now = timezone.now()
    quiet_since = now - timedelta(days=7)

    def remind(goal: Goal) -> int:
        days = (now - (goal.last_progress_at or goal.created_at)).days
        _, created = notification_create(
            user=goal.user,
            kind=NotificationKind.GOAL_REMINDER,
            title=f"Keep going: {goal.goal_name}",
            body=f"You have not logged progress on “{goal.goal_name}” for {days} days.",
            data={"goal": goal.number},
            dedupe_key=f"goal-reminder:{goal.pk}:{now:%Y-%m-%d}",
            email=True,
        )
        return int(created)

    pending = (
        Goal.objects.filter(is_complete=False)
        .annotate(active_at=Coalesce(F("last_progress_at"), F("created_at")))
        .filter(active_at__lte=quiet_since)
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=quiet_since))
    )
    return _drain(pending, remind, "last_reminded_at", now)

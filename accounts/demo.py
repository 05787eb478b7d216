"""Demo data that accounts contributes to ``seed_demo``."""

from django.utils import timezone

from learnflow import bulk

from .choices import NotificationKind
from .models import Notification

_SAMPLES = (
    (NotificationKind.SYSTEM, "Your weekly review is ready", "See what went well and what to try next week."),
    (NotificationKind.TASK_REMINDER, "Reminder: revise chapter 3", "Due today at 18:00."),
    (NotificationKind.CHALLENGE, "Challenge completed: Focus Master", "You earned 100 points."),
)


def seed_notifications(*, user_ids, rng) -> int:
    """A few inbox entries per demo user, some already read."""
    rows = []
    for user_id in user_ids:
        for kind, title, body in rng.sample(_SAMPLES, k=rng.randint(1, len(_SAMPLES))):
            read_at = timezone.now() if rng.random() < 0.5 else None
            rows.append(Notification(user_id=user_id, kind=kind, title=title, body=body, read_at=read_at))
    return bulk.copy_objects(rows)

"""Demo data that focus contributes to ``seed_demo``: two weeks of timed sessions (about twenty per
user), a few manual logs and evening reflections."""

import uuid
from datetime import timedelta

from django.utils import timezone

from learnflow import bulk

from .choices import ProductivityRating, SessionSource, SessionStatus, SessionType
from .models import ShutdownReflection, StudySession

_TOPICS = ("Linear algebra", "Organic chemistry", "Spanish vocabulary", "Algorithms", "European history", "Essay")
_SESSION_FIELDS = (
    "id", "user_id", "session_type", "topic", "notes", "started_at", "local_date", "ended_at",
    "planned_duration", "duration_seconds", "status", "source", "verified",
)  # fmt: skip
_RATINGS = tuple(ProductivityRating)


def seed_sessions(*, user_ids, rng) -> int:
    now = timezone.now()
    sessions, reflections = [], []
    focus, completed, stopped = SessionType.FOCUS.value, SessionStatus.COMPLETED.value, SessionStatus.STOPPED.value
    timer, manual = SessionSource.TIMER.value, SessionSource.MANUAL.value
    for user_id in user_ids:
        for day in range(14):
            if rng.random() < 0.35:
                continue
            start = (now - timedelta(days=day)).replace(hour=rng.randint(7, 18), minute=0, second=0, microsecond=0)
            if start >= now:
                start -= timedelta(days=1)
            for _ in range(rng.randint(1, 4)):
                minutes = rng.choice((25, 25, 30, 45, 50))
                done = rng.random() < 0.85
                duration = minutes if done else rng.randint(5, minutes - 2)
                end = start + timedelta(minutes=duration)
                sessions.append(
                    (uuid.uuid4(), user_id, focus, rng.choice(_TOPICS), "", start, start.date(), end,
                     minutes, duration * 60, completed if done else stopped, timer, True)
                )  # fmt: skip
                start = end + timedelta(minutes=5)
            if rng.random() < 0.2:
                sessions.append(
                    (uuid.uuid4(), user_id, focus, rng.choice(_TOPICS), "Reviewed my notes from class.", start,
                     start.date(), start + timedelta(minutes=60), None, 3600, completed, manual, False)
                )  # fmt: skip
            if rng.random() < 0.6:
                reflections.append(
                    ShutdownReflection(
                        user_id=user_id,
                        productivity_rating=rng.choice(_RATINGS),
                        mindful_disconnect_completed=[rng.random() < 0.7 for _ in range(4)],
                        local_date=start.date(),
                    )
                )
    count = bulk.copy_rows(StudySession, _SESSION_FIELDS, sessions)
    return count + bulk.copy_objects(reflections)

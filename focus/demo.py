"""Demo data that focus contributes to ``seed_demo``: two weeks of timed sessions, a few manual logs
and evening reflections."""

from datetime import timedelta

from django.utils import timezone

from .choices import ProductivityRating, SessionSource, SessionStatus, SessionType
from .models import ShutdownReflection, StudySession

_TOPICS = ("Linear algebra", "Organic chemistry", "Spanish vocabulary", "Algorithms", "European history", "Essay")


def seed_sessions(*, user_ids, rng, progress) -> int:
    now = timezone.now()
    sessions, reflections = [], []
    for user_id in user_ids:
        for day in range(14):
            if rng.random() < 0.35:
                continue
            start = (now - timedelta(days=day)).replace(hour=rng.randint(7, 18), minute=0, second=0, microsecond=0)
            if start >= now:
                start -= timedelta(days=1)
            for _ in range(rng.randint(1, 4)):
                minutes = rng.choice((25, 25, 30, 45, 50))
                completed = rng.random() < 0.85
                duration = minutes if completed else rng.randint(5, minutes - 2)
                sessions.append(
                    StudySession(
                        user_id=user_id,
                        session_type=SessionType.FOCUS,
                        topic=rng.choice(_TOPICS),
                        started_at=start,
                        local_date=start.date(),
                        ended_at=start + timedelta(minutes=duration),
                        planned_duration=minutes,
                        duration_seconds=duration * 60,
                        status=SessionStatus.COMPLETED if completed else SessionStatus.STOPPED,
                        source=SessionSource.TIMER,
                        verified=True,
                    )
                )
                start += timedelta(minutes=duration + 5)
            if rng.random() < 0.2:
                sessions.append(
                    StudySession(
                        user_id=user_id,
                        topic=rng.choice(_TOPICS),
                        notes="Reviewed my notes from class.",
                        started_at=start,
                        local_date=start.date(),
                        ended_at=start + timedelta(minutes=60),
                        duration_seconds=3600,
                        status=SessionStatus.COMPLETED,
                        source=SessionSource.MANUAL,
                        verified=False,
                    )
                )
            if rng.random() < 0.6:
                reflections.append(
                    ShutdownReflection(
                        user_id=user_id,
                        productivity_rating=rng.choice(list(ProductivityRating)),
                        mindful_disconnect_completed=[rng.random() < 0.7 for _ in range(4)],
                        local_date=start.date(),
                    )
                )
        progress.update(1)
    StudySession.objects.bulk_create(sessions, batch_size=2000)
    ShutdownReflection.objects.bulk_create(reflections, batch_size=2000)
    return len(sessions) + len(reflections)

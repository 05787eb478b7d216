"""Celery tasks of challenges. Each loads fresh rows and is safe to run twice. The activity handlers
do this work in the request and queue a job only when that failed; the job retries."""

from celery import shared_task
from django.contrib.auth import get_user_model

from focus.models import ShutdownReflection
from learnflow import events

from .achievements import achievements_check, challenges_refresh_for_user
from .services import shutdown_day_award, weekly_reset


@shared_task(name="challenges.refresh_progress", **events.REPAIR_JOB_OPTIONS)
def refresh_progress(user_id: str) -> int:
    """Repair what the request's refresh could not do: the user's progress in this week's joined
    challenges, then their achievements (see ``challenges_refresh_for_user``)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    return challenges_refresh_for_user(user=user) if user else 0


@shared_task(name="challenges.check_achievements", **events.REPAIR_JOB_OPTIONS)
def check_achievements(user_id: str) -> list[str]:
    user = get_user_model().objects.filter(pk=user_id).first()
    return [a.code for a in achievements_check(user=user)] if user else []


@shared_task(name="challenges.award_shutdown_day", **events.REPAIR_JOB_OPTIONS)
def award_shutdown_day(reflection_id: str) -> bool:
    reflection = ShutdownReflection.objects.select_related("user").filter(pk=reflection_id).first()
    return bool(reflection and shutdown_day_award(reflection=reflection))


@shared_task(name="challenges.weekly_reset")
def run_weekly_reset() -> dict:
    return weekly_reset()

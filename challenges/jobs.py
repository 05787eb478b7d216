"""Celery tasks of challenges. Each loads fresh rows and is safe to run twice."""

from celery import shared_task
from django.contrib.auth import get_user_model

from focus.models import ShutdownReflection

from .achievements import achievements_check
from .services import participations_refresh_for_user, shutdown_day_award, weekly_reset


@shared_task(name="challenges.refresh_progress")
def refresh_progress(user_id: str) -> int:
    """Derive the user's progress in this week's joined challenges again, then check achievements
    (a completed challenge may unlock one)."""
    refreshed = participations_refresh_for_user(user_id=user_id)
    check_achievements(user_id)
    return refreshed


@shared_task(name="challenges.check_achievements")
def check_achievements(user_id: str) -> list[str]:
    user = get_user_model().objects.filter(pk=user_id).first()
    return [a.code for a in achievements_check(user=user)] if user else []


@shared_task(name="challenges.award_shutdown_day")
def award_shutdown_day(reflection_id: str) -> bool:
    reflection = ShutdownReflection.objects.select_related("user").filter(pk=reflection_id).first()
    return bool(reflection and shutdown_day_award(reflection=reflection))


@shared_task(name="challenges.weekly_reset")
def run_weekly_reset() -> dict:
    return weekly_reset()

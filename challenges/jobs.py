"""Celery tasks of challenges. Each loads fresh rows and is safe to run twice."""

from celery import shared_task

from focus.models import ShutdownReflection

from .services import participations_refresh_for_user, shutdown_day_award, weekly_reset


@shared_task(name="challenges.refresh_progress")
def refresh_progress(user_id: str) -> int:
    """Derive the user's progress in this week's joined challenges again."""
    return participations_refresh_for_user(user_id=user_id)


@shared_task(name="challenges.award_shutdown_day")
def award_shutdown_day(reflection_id: str) -> bool:
    reflection = ShutdownReflection.objects.select_related("user").filter(pk=reflection_id).first()
    return bool(reflection and shutdown_day_award(reflection=reflection))


@shared_task(name="challenges.weekly_reset")
def run_weekly_reset() -> dict:
    return weekly_reset()

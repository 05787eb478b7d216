"""Celery tasks of accounts. Each takes ids, loads fresh rows and can run twice without harm."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from .choices import NotificationKind
from .models import User
from .services import data_export_build, data_exports_purge, notification_create, notifications_purge


@shared_task(name="accounts.welcome_user", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def welcome_user(user_id: str) -> bool:
    """Welcome a new user in their inbox and by email, once (the notification's dedupe key)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    _, created = notification_create(
        user=user,
        kind=NotificationKind.WELCOME,
        title="Welcome to LearnFlow",
        body=(
            f"Hi {user.full_name or user.username}, your account is ready. Plan today's tasks, start a "
            "focus session and join this week's challenges."
        ),
        dedupe_key="welcome",
        email=True,
    )
    return created


@shared_task(name="accounts.flush_expired_tokens")
def flush_expired_tokens() -> int:
    """Delete expired refresh tokens (their blacklist rows go with them); returns the tokens deleted."""
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    _, per_model = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return per_model.get(OutstandingToken._meta.label, 0)


@shared_task(name="accounts.purge_old_notifications")
def purge_old_notifications() -> int:
    cutoff = timezone.now() - timedelta(days=settings.LEARNFLOW_NOTIFICATION_RETENTION_DAYS)
    return notifications_purge(older_than=cutoff)


@shared_task(name="accounts.build_data_export", autoretry_for=(DatabaseError,), retry_backoff=5, max_retries=5)
def build_data_export(export_id: str) -> str | None:
    """Build one requested data export; a second run (a retry, a redelivery) finds it claimed."""
    export = data_export_build(export_id=export_id)
    return export.status if export else None


@shared_task(name="accounts.purge_data_exports")
def purge_data_exports() -> dict[str, int]:
    """Delete expired data exports and fail those a lost job left pending or running."""
    return data_exports_purge()

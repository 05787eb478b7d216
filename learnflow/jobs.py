"""Periodic jobs of the shared pieces (``learnflow.schedules`` says when they run)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from learnflow import files


@shared_task(name="learnflow.sweep_orphaned_files")
def sweep_orphaned_files() -> dict[str, int]:
    """Delete stored files no row refers to any more, once they are older than the grace
    (``LEARNFLOW_ORPHAN_GRACE_SECONDS``); answers how many went under each prefix."""
    older_than = timezone.now() - timedelta(seconds=settings.LEARNFLOW_ORPHAN_GRACE_SECONDS)
    return files.orphans_sweep(older_than=older_than)


@shared_task(name="learnflow.outbox_relay")
def outbox_relay() -> dict[str, int]:
    """Publish the outbox jobs whose publishing after commit failed (see ``learnflow.outbox``)."""
    from .outbox import outbox_relay as relay

    return relay()


@shared_task(
    name="learnflow.cache_invalidate",
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=12,
)
def cache_invalidate(keys: list[str]) -> None:
    """Retry an invalidation that failed while the cache was down (``learnflow.cache``)."""
    from .cache import cache_delete_strict

    cache_delete_strict(keys)

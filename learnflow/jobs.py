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

"""Resource progress: each user's own, self-reported status, percentage and notes on a resource.

The server keeps status and percentage consistent and stamps the times: ``completed`` is 100% and
sets ``completed_at`` (kept on repeats); ``not_started`` is 0% and clears both stamps; the first
move away from ``not_started`` sets ``started_at``; leaving ``completed`` clears ``completed_at``.
A percentage sent alone moves the status: 100 completes, anything above 0 starts a resource that
was not started, and anything below 100 reopens a completed one. A status and a percentage that
contradict each other (``completed`` at 40%) are refused, naming ``progress_percentage``.

Progress is kept on resources the user can see and never on folders. Progress on a resource the
user can no longer see (deleted, or in a group they left) is kept but not listed or counted.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from .choices import ProgressStatus, ResourceType
from .models import Resource, ResourceProgress
from .resources import RECENT_DAYS, resources_visible

DONE = 100


def _trackable(resource: Resource) -> None:
    if resource.resource_type == ResourceType.FOLDER:
        raise ValidationError({"resource": ["Progress is kept on resources, not on folders."]})


def _status_for(progress: ResourceProgress, percentage: int) -> str:
    """The status a percentage sent alone implies."""
    if percentage == DONE:
        return ProgressStatus.COMPLETED
    reopened = progress.status == ProgressStatus.COMPLETED
    started = percentage > 0 and progress.status == ProgressStatus.NOT_STARTED
    if reopened or started:
        return ProgressStatus.IN_PROGRESS
    return progress.status


def _apply(progress: ResourceProgress, *, status: str | None, percentage: int | None, now) -> None:
    if status is None and percentage is not None:
        status = _status_for(progress, percentage)
    if status == ProgressStatus.NOT_STARTED:
        if percentage not in (None, 0):
            raise ValidationError({"progress_percentage": ["A resource not started is at 0%."]})
        progress.progress_percentage, progress.started_at, progress.completed_at = 0, None, None
    elif status == ProgressStatus.COMPLETED:
        if percentage not in (None, DONE):
            raise ValidationError({"progress_percentage": ["A completed resource is at 100%."]})
        progress.progress_percentage = DONE
        progress.started_at = progress.started_at or now
        if progress.status != ProgressStatus.COMPLETED:
            progress.completed_at = now
    elif status is not None:
        if percentage is not None:
            progress.progress_percentage = percentage
        progress.started_at = progress.started_at or now
        progress.completed_at = None
    if status is not None:
        progress.status = status


def progress_of(*, user, resource: Resource) -> ResourceProgress:
    """The user's progress on the resource; an unsaved ``not_started`` one when there is none."""
    return ResourceProgress.objects.filter(user=user, resource=resource).first() or ResourceProgress(
        user=user, resource=resource
    )


@transaction.atomic
def progress_update(
    *, user, resource: Resource, status: str | None = None, progress_percentage: int | None = None, notes=None
) -> ResourceProgress:
    """Record the user's progress on a resource (any of status, percentage and notes)."""
    _trackable(resource)
    progress, _ = ResourceProgress.objects.select_for_update().get_or_create(user=user, resource=resource)
    _apply(progress, status=status, percentage=progress_percentage, now=timezone.now())
    if notes is not None:
        progress.notes = notes
    progress.save()
    return progress


@transaction.atomic
def progress_mark_started(*, user, resource: Resource) -> ResourceProgress:
    """Start a resource; on one already completed this starts over at 0%. Repeating it changes
    nothing."""
    _trackable(resource)
    progress, _ = ResourceProgress.objects.select_for_update().get_or_create(user=user, resource=resource)
    if progress.status == ProgressStatus.IN_PROGRESS:
        return progress
    if progress.status == ProgressStatus.COMPLETED:
        progress.status, progress.progress_percentage = ProgressStatus.NOT_STARTED, 0
        progress.started_at = progress.completed_at = None
    _apply(progress, status=ProgressStatus.IN_PROGRESS, percentage=None, now=timezone.now())
    progress.save()
    return progress


def progress_mark_completed(*, user, resource: Resource) -> ResourceProgress:
    """Complete a resource (100%); repeating it keeps the first ``completed_at``."""
    return progress_update(user=user, resource=resource, status=ProgressStatus.COMPLETED)


def progress_reset(*, user, resource: Resource) -> None:
    """Forget the user's progress on the resource (nothing to forget is fine too)."""
    ResourceProgress.objects.filter(user=user, resource=resource).delete()


def progress_list(*, user) -> QuerySet[ResourceProgress]:
    """The user's progress on resources they can still see, most recently updated first ("continue
    where you left off")."""
    return (
        ResourceProgress.objects.filter(user=user, resource__in=resources_visible(user=user))
        .select_related("resource")
        .order_by("-updated_at", "-id")
    )


def progress_stats(*, user) -> dict:
    """Counts by status, the completion rate (completed of tracked, in percent), the average
    percentage and how many were completed in the last 7 days; one query."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    row = progress_list(user=user).aggregate(
        total_tracked=Count("pk"),
        average_progress=Avg("progress_percentage"),
        completed_last_7_days=Count("pk", filter=Q(completed_at__gte=since)),
        **{status: Count("pk", filter=Q(status=status)) for status in ProgressStatus.values},
    )
    total = row["total_tracked"]
    row["average_progress"] = round(row["average_progress"] or 0, 1)
    row["completion_rate"] = round(100 * row[ProgressStatus.COMPLETED] / total, 1) if total else 0.0
    return row

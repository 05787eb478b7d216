"""The transactional outbox: every Celery job LearnFlow queues goes through ``outbox_enqueue``.

A write that queues a job stores an ``OutboxJob`` row in its own transaction and publishes it after
commit. A broker that is down then costs nothing but a delay: the write still answers 2xx, the row
stays pending, and the ``outbox_relay`` periodic job publishes it once the broker answers again
(``LEARNFLOW_OUTBOX_RELAY_AFTER_SECONDS`` after it was written). A job can be published twice (the
relay beside a slow publish, or a mark of "sent" lost to a database failure), so jobs are idempotent,
as every LearnFlow job is (unique rows, state predicates).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import OutboxJob

logger = logging.getLogger(__name__)


def _task_name(task) -> str:
    return task if isinstance(task, str) else task.name


def outbox_enqueue(task, *args, eta: datetime | None = None) -> OutboxJob:
    """Queue ``task(*args)`` (a Celery task or its name; JSON arguments) to run after the current
    transaction commits, and not before ``eta`` if given. Never raises for a broker that is down."""
    job = OutboxJob.objects.create(task=_task_name(task), args=list(args), eta=eta)
    transaction.on_commit(lambda: _send_after_commit(job))
    return job


def _publish(job: OutboxJob) -> None:
    from .celery import app

    if app.conf.task_always_eager:
        app.tasks[job.task].apply_async(args=job.args, eta=job.eta)
    else:
        app.send_task(job.task, args=job.args, eta=job.eta)


def _send_after_commit(job: OutboxJob) -> None:
    """The write is committed and its answer is a success: nothing here may raise."""
    try:
        outbox_send(job)
    except Exception:
        logger.exception("could not record the outcome of publishing %s; the relay will publish it", job)


def outbox_send(job: OutboxJob) -> bool:
    """Publish one job and mark it sent; on failure count the attempt. Returns whether it was sent."""
    try:
        _publish(job)
    except Exception as exc:  # noqa: BLE001 - whatever publishing raised, the relay publishes it later
        logger.warning("could not publish %s (%s); the outbox relay will", job, exc)
        job.attempts += 1
        job.last_error = f"{exc.__class__.__name__}: {exc}"[:500]
        OutboxJob.objects.filter(pk=job.pk).update(attempts=job.attempts, last_error=job.last_error)
        return False
    job.sent_at = timezone.now()
    OutboxJob.objects.filter(pk=job.pk).update(sent_at=job.sent_at)
    return True


def outbox_relay(*, batch_size: int = 200) -> dict[str, int]:
    """Publish the jobs still pending ``LEARNFLOW_OUTBOX_RELAY_AFTER_SECONDS`` after they were written
    (oldest first, rows locked with ``skip_locked`` so two relays never publish the same job), stopping
    at the first failure (the broker is down again); delete sent jobs older than
    ``LEARNFLOW_OUTBOX_KEEP_SENT_HOURS``. Returns how many were sent and purged."""
    now = timezone.now()
    older_than = now - timedelta(seconds=settings.LEARNFLOW_OUTBOX_RELAY_AFTER_SECONDS)
    sent, last_pk = 0, 0
    while True:
        with transaction.atomic():
            jobs = list(
                OutboxJob.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, created_at__lte=older_than, pk__gt=last_pk)
                .order_by("pk")[:batch_size]
            )
            for job in jobs:
                if not outbox_send(job):
                    return {"sent": sent, "purged": _purge_sent(now)}
                sent += 1
        if len(jobs) < batch_size:
            break
        last_pk = jobs[-1].pk
    return {"sent": sent, "purged": _purge_sent(now)}


def _purge_sent(now: datetime) -> int:
    cutoff = now - timedelta(hours=settings.LEARNFLOW_OUTBOX_KEEP_SENT_HOURS)
    deleted, _ = OutboxJob.objects.filter(sent_at__lt=cutoff).delete()
    return deleted

"""Celery tasks of focus: abandoned timers and AI session summaries."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from learnflow import ai
from learnflow.outbox import outbox_enqueue

from .choices import SummaryStatus
from .models import StudySession
from .rooms.jobs import end_room_phase, sweep_rooms  # noqa: F401  (Celery finds tasks in ``jobs``)
from .services import focus_sessions_close_abandoned, study_session_summary_store

logger = logging.getLogger(__name__)


@shared_task(name="focus.close_abandoned_sessions")
def close_abandoned_sessions() -> int:
    """Close timer sessions left running long past their planned end (see the service)."""
    return focus_sessions_close_abandoned()


@shared_task(bind=True, name="focus.summarize_session", max_retries=None)
def summarize_session(self, session_id: str) -> str:
    """Write a session's AI summary. Passing failures (429, 5xx, timeouts) retry with exponential
    backoff up to ``LEARNFLOW_AI_MAX_RETRIES`` times, then the summary is marked failed; malformed
    output fails at once. The session itself is never changed otherwise, and a rerun of a summary
    that is already ready does nothing."""
    session = StudySession.objects.filter(pk=session_id).first()
    if session is None or session.ai_summary_status == SummaryStatus.READY or not session.notes.strip():
        return "skipped"
    facts = ai.SessionFacts(
        topic=session.topic,
        minutes=session.duration_minutes or 0,
        notes=session.notes,
        session_type=session.session_type,
        verified=session.verified,
        started_at=session.started_at,
    )
    try:
        summary = ai.summarize_session(facts)
    except ai.AIUnavailable as exc:
        if self.request.retries >= settings.LEARNFLOW_AI_MAX_RETRIES:
            logger.warning("summary of session %s failed after retries: %s", session_id, exc)
            study_session_summary_store(session_id=session_id, notes=session.notes, summary=None)
            return "failed"
        countdown = min(600, settings.LEARNFLOW_AI_RETRY_BASE_SECONDS * 2**self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from exc
    except ai.AIError as exc:
        logger.warning("summary of session %s failed: %s", session_id, exc)
        study_session_summary_store(session_id=session_id, notes=session.notes, summary=None)
        return "failed"
    study_session_summary_store(session_id=session_id, notes=session.notes, summary=summary)
    return "ready"


@shared_task(name="focus.backfill_summaries")
def backfill_summaries(limit: int = 200) -> int:
    """Queue summaries that are failed, or pending for more than ten minutes (a lost job)."""
    stale = timezone.now() - timedelta(minutes=10)
    ids = list(
        StudySession.objects.filter(
            Q(ai_summary_status=SummaryStatus.FAILED) | Q(ai_summary_status=SummaryStatus.PENDING, updated_at__lt=stale)
        )
        .exclude(notes="")
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
    with transaction.atomic():
        StudySession.objects.filter(pk__in=ids).update(
            ai_summary_status=SummaryStatus.PENDING, updated_at=timezone.now()
        )
        for session_id in ids:
            outbox_enqueue(summarize_session, str(session_id))
    return len(ids)

"""Writes for analytics: AI weekly reviews, on demand and stored."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from learnflow import ai

from .models import WeeklyReview
from .selectors import counted_minutes, local_week_bounds, week_facts

logger = logging.getLogger(__name__)


def _review(facts: ai.WeekFacts, *, timeout: float) -> tuple[dict, str]:
    """The AI's review, or the offline writer's when the AI is off or fails: a review is always given."""
    if not ai.ai_enabled():
        return ai.offline_week_review(facts), WeeklyReview.Source.OFFLINE
    try:
        return ai.review_week(facts, timeout=timeout), WeeklyReview.Source.AI
    except ai.AIError as exc:
        logger.warning("weekly review by AI failed, using the offline writer: %s", exc)
        return ai.offline_week_review(facts), WeeklyReview.Source.OFFLINE


def weekly_review_now(*, user) -> dict:
    """Review the last 7 days (now minus 7 days to now) inside a request, with the short request
    timeout: a slow or failing AI gives the offline review rather than a slow answer."""
    end = timezone.now()
    start = end - timedelta(days=7)
    previous = counted_minutes(user=user, start=start - timedelta(days=7), end=start)
    facts = week_facts(user=user, start=start, end=end, previous_minutes=previous)
    review, source = _review(facts, timeout=settings.LEARNFLOW_AI_REQUEST_TIMEOUT_SECONDS)
    return {**review, "generated_by": source, "period_start": start, "period_end": end}


def weekly_review_store(*, user, monday: date) -> WeeklyReview | None:
    """Write the stored review of the local week starting ``monday``, once: a rerun (or a second
    worker) finds it and does nothing. Returns the new review, or ``None`` if it existed."""
    if WeeklyReview.objects.filter(user=user, week_start=monday).exists():
        return None
    start, end = local_week_bounds(user=user, monday=monday)
    previous_start, _ = local_week_bounds(user=user, monday=monday - timedelta(days=7))
    facts = week_facts(
        user=user, start=start, end=end, previous_minutes=counted_minutes(user=user, start=previous_start, end=start)
    )
    review, source = _review(facts, timeout=settings.LEARNFLOW_AI_TIMEOUT_SECONDS)
    try:
        with transaction.atomic():
            return WeeklyReview.objects.create(
                user=user, week_start=monday, week_end=monday + timedelta(days=6), generated_by=source, **review
            )
    except IntegrityError:
        return None

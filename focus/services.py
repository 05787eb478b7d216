"""Writes for focus sessions and study logs.

The verified-time rule lives in ``focus_session_end``: the server measures a timer session, and one
completed before its planned end (minus the grace) is recorded as stopped.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from learnflow import events
from learnflow.exceptions import Conflict
from learnflow.outbox import outbox_enqueue
from learnflow.timeutils import local_now, user_zone

from . import selectors
from .choices import SessionSource, SessionStatus, SessionType, SummaryStatus
from .models import StudySession
from .rooms import selectors as room_selectors

FOCUS_COMPLETED = "focus_completed"
BREAK_COMPLETED = "break_completed"
SESSION_LOGGED = "session_logged"
MAX_PLANNED_MINUTES = 240
MAX_MANUAL_MINUTES = 24 * 60


def _check_task(user, task) -> None:
    if task is not None and task.user_id != user.pk:
        raise ValidationError({"task": ["No such task."]})


def _check_group(user, group) -> None:
    """A session's group is one of the user's active groups (``selectors.session_group_choices``)."""
    if group is not None and not selectors.session_group_choices(user=user).filter(pk=group.pk).exists():
        raise ValidationError({"group": ["No such group."]})


def focus_session_start(
    *,
    user,
    duration_minutes: int,
    session_type: str = SessionType.FOCUS,
    topic: str = "",
    task=None,
    group=None,
) -> StudySession:
    """Start the timer. A second active session is refused with a conflict, also when two starts
    race: the partial unique constraint lets only one of them commit. Ending it keeps its group.
    While present in a focus room whose timer is under way, the room times the user's focus, so a
    personal focus timer is refused (409): time is never counted twice."""
    _check_task(user, task)
    _check_group(user, group)
    if session_type == SessionType.FOCUS and room_selectors.in_running_room(user=user):
        raise Conflict("You are focusing in a room whose timer runs: leave the room to start your own timer.")
    if StudySession.objects.filter(user=user, status=SessionStatus.ACTIVE).exists():
        raise Conflict("An active session already exists: complete or stop it first.")
    try:
        with transaction.atomic():
            now = timezone.now()
            return StudySession.objects.create(
                user=user,
                session_type=session_type,
                topic=topic,
                task=task,
                group=group,
                started_at=now,
                local_date=local_now(user_zone(user), now).date(),
                planned_duration=duration_minutes,
                status=SessionStatus.ACTIVE,
                source=SessionSource.TIMER,
                verified=True,
            )
    except IntegrityError:
        raise Conflict("An active session already exists: complete or stop it first.") from None


def completion_grace(planned: timedelta) -> timedelta:
    """How early a timer may be completed and still count as completed: ``LEARNFLOW_FOCUS_GRACE_SECONDS``
    (60), but never more than a tenth of the plan, so a one-minute timer needs 54 seconds, not none."""
    return min(timedelta(seconds=settings.LEARNFLOW_FOCUS_GRACE_SECONDS), planned / 10)


@transaction.atomic
def focus_session_end(*, session: StudySession, complete: bool, notes: str | None = None) -> StudySession:
    """End the timer. A session counts at most its planned time: the timer rang at the planned end,
    and minutes after it are not timed focus, whether the user then completes or stops. Completing
    more than the grace (``completion_grace``) before the planned end, or stopping, records the
    session as ``stopped`` with the time elapsed. Either way the duration is the server's
    ``ended_at - started_at``."""
    locked = StudySession.objects.select_for_update().get(pk=session.pk)
    if locked.status != SessionStatus.ACTIVE:
        raise Conflict(f"This session has already ended ({locked.status}).")
    now = timezone.now()
    elapsed = now - locked.started_at
    planned = timedelta(minutes=locked.planned_duration or 0)
    if complete and elapsed >= planned - completion_grace(planned):
        locked.status = SessionStatus.COMPLETED
        locked.ended_at = locked.started_at + min(elapsed, planned)
    else:
        locked.status = SessionStatus.STOPPED
        locked.ended_at = locked.started_at + min(elapsed, planned)
    locked.duration_seconds = int((locked.ended_at - locked.started_at).total_seconds())
    if notes is not None:
        locked.notes = notes
    locked.save()
    _after_end(locked)
    if locked.notes.strip():
        study_session_request_summary(session=locked)
    return locked


def _after_end(session: StudySession) -> None:
    """A completed verified session is news for challenges, achievements and streaks."""
    if session.status == SessionStatus.COMPLETED and session.verified:
        kind = FOCUS_COMPLETED if session.session_type == SessionType.FOCUS else BREAK_COMPLETED
        events.activity_recorded(user=session.user, kind=kind, obj=session, occurred_at=session.ended_at)


def focus_sessions_close_abandoned(*, now=None) -> int:
    """Close timer sessions left active long past their planned end (a closed tab) as ``stopped``,
    ending them at the planned end: the most the timer can vouch for. Safe to run twice."""
    now = now or timezone.now()
    overdue_by = timedelta(minutes=settings.LEARNFLOW_FOCUS_ABANDON_AFTER_MINUTES)
    closed = 0
    candidates = StudySession.objects.filter(status=SessionStatus.ACTIVE, started_at__lt=now - overdue_by)
    with transaction.atomic():
        for session in candidates.select_for_update(skip_locked=True).order_by("pk"):
            planned_end = session.started_at + timedelta(minutes=session.planned_duration or 0)
            if planned_end + overdue_by > now:
                continue
            session.status = SessionStatus.STOPPED
            session.ended_at = planned_end
            session.duration_seconds = int((planned_end - session.started_at).total_seconds())
            session.save(update_fields=["status", "ended_at", "duration_seconds", "updated_at"])
            closed += 1
    return closed


@transaction.atomic
def study_session_log(
    *, user, topic: str, duration_minutes: int, notes: str = "", started_at=None, task=None, group=None
) -> StudySession:
    """Log a session by hand. It counts in personal stats but is not verified."""
    _check_task(user, task)
    _check_group(user, group)
    now = timezone.now()
    duration = timedelta(minutes=duration_minutes)
    started_at = started_at or now - duration
    if started_at + duration > now + timedelta(minutes=1):
        raise ValidationError({"started_at": ["A logged session cannot end in the future."]})
    session = StudySession.objects.create(
        user=user,
        session_type=SessionType.FOCUS,
        topic=topic,
        notes=notes,
        task=task,
        group=group,
        started_at=started_at,
        local_date=local_now(user_zone(user), started_at).date(),
        ended_at=started_at + duration,
        planned_duration=None,
        duration_seconds=int(duration.total_seconds()),
        status=SessionStatus.COMPLETED,
        source=SessionSource.MANUAL,
        verified=False,
    )
    if notes.strip():
        study_session_request_summary(session=session)
    events.activity_recorded(user=user, kind=SESSION_LOGGED, obj=session, occurred_at=session.ended_at)
    return session


@transaction.atomic
def study_session_update(*, session: StudySession, data: dict) -> StudySession:
    """Change a session's topic, notes or group. A new group must be one of the user's active groups;
    the group it already has stays acceptable even if the user has left it since."""
    unknown = set(data) - {"topic", "notes", "group"}
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in sorted(unknown)})
    if "group" in data and getattr(data["group"], "pk", None) != session.group_id:
        _check_group(session.user, data["group"])
    notes_changed = "notes" in data and data["notes"] != session.notes
    for field, value in data.items():
        setattr(session, field, value)
    session.save(update_fields=[*data, "updated_at"])
    if notes_changed and session.status != SessionStatus.ACTIVE:
        if session.notes.strip():
            study_session_request_summary(session=session)
        else:
            StudySession.objects.filter(pk=session.pk).update(ai_summary="", ai_summary_status=SummaryStatus.NONE)
            session.ai_summary, session.ai_summary_status = "", SummaryStatus.NONE
    return session


def study_session_request_summary(*, session: StudySession) -> None:
    """Mark the session's summary pending and have a worker write it after commit. The request that
    ended or logged the session answers at once; a failing AI never touches the session itself."""
    from .jobs import summarize_session

    StudySession.objects.filter(pk=session.pk).update(
        ai_summary_status=SummaryStatus.PENDING, updated_at=timezone.now()
    )
    session.ai_summary_status = SummaryStatus.PENDING
    outbox_enqueue(summarize_session, str(session.pk))


def study_session_summary_store(*, session_id, notes: str, summary: str | None) -> bool:
    """Store a summary (or ``None``: failed) written from ``notes``; a summary of notes the user has
    since changed is dropped, since a newer job is on its way. Returns whether it was stored."""
    if summary is None:
        values = {"ai_summary_status": SummaryStatus.FAILED}
    else:
        values = {"ai_summary": summary, "ai_summary_status": SummaryStatus.READY}
    return bool(StudySession.objects.filter(pk=session_id, notes=notes).update(**values))


def study_session_delete(*, session: StudySession) -> None:
    session.delete()

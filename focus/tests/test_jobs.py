"""Focus's periodic jobs and commands: closing abandoned timers, requeueing lost summaries, and the
``study_sessions`` section of ``export_user_data``."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from focus.models import StudySession
from focus.tests.factories import StudySessionFactory
from learnflow import events
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def start(user, when: datetime = T0, minutes: int = 30):
    with at(when):
        return client_for(user).post("/api/focus-sessions/start", {"duration_minutes": minutes}, format="json")


def started(user, when: datetime = T0, minutes: int = 30) -> StudySession:
    response = start(user, when, minutes)
    assert response.status_code == 201, response.content
    return StudySession.objects.get(pk=response.json()["session_id"])


def run_job(name: str, when: datetime) -> str:
    out = StringIO()
    with at(when):
        call_command("runjob", name, stdout=out)
    return out.getvalue()


# --- abandoned timers ----------------------------------------------------------------------------


def test_a_session_abandoned_past_planned_end_plus_the_window_is_stopped_at_its_planned_end(user, settings):
    # given: a 30-minute timer, 91 minutes later (planned 30 + window 60, plus one)
    settings.LEARNFLOW_FOCUS_ABANDON_AFTER_MINUTES = 60
    session = started(user)
    # when
    output = run_job("close_abandoned_sessions", T0 + timedelta(minutes=91))
    # then
    assert "close_abandoned_sessions: 1" in output
    session.refresh_from_db()
    assert (session.status, session.ended_at, session.duration_seconds) == ("stopped", T0 + timedelta(minutes=30), 1800)
    with at(T0 + timedelta(minutes=92)):
        shown = client_for(user).get(f"/api/study-sessions/{session.pk}").json()
    assert (shown["status"], shown["duration_minutes"], shown["ended_at"]) == ("stopped", 30, "2026-05-04T09:30:00Z")


def test_a_session_within_the_window_is_left_running(user, other_user, settings):
    # given: a 30-minute timer 89 minutes old, and a 120-minute timer 100 minutes old
    settings.LEARNFLOW_FOCUS_ABANDON_AFTER_MINUTES = 60
    short = started(user, T0)
    long = started(other_user, T0 - timedelta(minutes=11), minutes=120)
    # when
    output = run_job("close_abandoned_sessions", T0 + timedelta(minutes=89))
    # then
    assert "close_abandoned_sessions: 0" in output
    assert list(StudySession.objects.filter(pk__in=[short.pk, long.pk]).values_list("status", flat=True)) == [
        "active",
        "active",
    ]
    assert StudySession.objects.filter(ended_at__isnull=False).count() == 0


def test_the_window_comes_from_settings(user, settings):
    settings.LEARNFLOW_FOCUS_ABANDON_AFTER_MINUTES = 10
    session = started(user)
    run_job("close_abandoned_sessions", T0 + timedelta(minutes=41))
    session.refresh_from_db()
    assert (session.status, session.duration_seconds) == ("stopped", 1800)


def test_closing_abandoned_sessions_twice_changes_nothing_more(user, other_user, settings):
    # given: one abandoned timer and one ended long ago
    settings.LEARNFLOW_FOCUS_ABANDON_AFTER_MINUTES = 60
    session = started(user)
    done = StudySessionFactory(user=other_user, started_at=T0 - timedelta(days=1))
    run_job("close_abandoned_sessions", T0 + timedelta(hours=3))
    first = StudySession.objects.get(pk=session.pk)
    # when
    output = run_job("close_abandoned_sessions", T0 + timedelta(hours=5))
    # then
    assert "close_abandoned_sessions: 0" in output
    again = StudySession.objects.get(pk=session.pk)
    assert (again.status, again.ended_at, again.duration_seconds, again.updated_at) == (
        first.status,
        first.ended_at,
        first.duration_seconds,
        first.updated_at,
    )
    done_again = StudySession.objects.get(pk=done.pk)
    assert (done_again.status, done_again.updated_at) == ("completed", done.updated_at)


def test_after_an_abandoned_session_is_closed_the_user_can_start_again(user):
    # given
    started(user)
    assert start(user, T0 + timedelta(hours=2)).status_code == 409
    run_job("close_abandoned_sessions", T0 + timedelta(hours=2))
    # when
    response = start(user, T0 + timedelta(hours=2, minutes=1))
    # then
    assert response.status_code == 201, response.content
    assert StudySession.objects.filter(user=user, status="active").count() == 1


def test_a_closed_abandoned_session_earns_no_activity(user, django_capture_on_commit_callbacks):
    # given
    calls = []

    def handler(**payload):
        calls.append(payload)

    started(user)
    events.subscribe(events.ACTIVITY, handler)
    try:
        # when
        with django_capture_on_commit_callbacks(execute=True):
            run_job("close_abandoned_sessions", T0 + timedelta(hours=3))
    finally:
        events._handlers[events.ACTIVITY].remove(handler)
    # then
    assert calls == []
    assert StudySession.objects.get().status == "stopped"


# --- lost summaries ------------------------------------------------------------------------------


def test_runjob_ai_summaries_requeues_summaries_pending_for_over_ten_minutes(
    user, settings, django_capture_on_commit_callbacks
):
    # given: no AI key (the offline writer); one summary lost 11 minutes ago, one asked for 5 minutes ago
    settings.OPENAI_API_KEY = ""
    with at(T0 - timedelta(minutes=11)):
        lost = StudySessionFactory(user=user, topic="Topology", notes="Open sets.", ai_summary_status="pending")
    with at(T0 - timedelta(minutes=5)):
        fresh = StudySessionFactory(user=user, topic="Algebra", notes="Groups.", ai_summary_status="pending")
    # when: the job commits the pending mark with the queued summary (the outbox)
    with django_capture_on_commit_callbacks(execute=True):
        output = run_job("ai_summaries", T0)
    # then
    assert "ai_summaries: 1" in output
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.ai_summary_status == "ready"
    assert "Topology" in lost.ai_summary
    assert (fresh.ai_summary_status, fresh.ai_summary) == ("pending", "")


# --- export --------------------------------------------------------------------------------------


def test_export_user_data_holds_only_the_users_study_sessions(user, other_user):
    # given
    timed = StudySessionFactory(user=user, topic="Mine, timed", started_at=T0 - timedelta(days=2))
    logged = StudySessionFactory(user=user, manual=True, topic="Mine, logged", started_at=T0 - timedelta(days=1))
    StudySessionFactory(user=other_user, topic="Someone else's")
    out = StringIO()
    # when
    call_command("export_user_data", user.username, stdout=out)
    # then
    document = json.loads(out.getvalue())
    sessions = document["study_sessions"]
    assert [s["id"] for s in sessions] == [str(timed.pk), str(logged.pk)]
    assert [(s["topic"], s["source"], s["verified"]) for s in sessions] == [
        ("Mine, timed", "timer", True),
        ("Mine, logged", "manual", False),
    ]
    assert sessions[0]["duration_seconds"] == 1800
    assert "Someone else's" not in out.getvalue()


def test_export_of_a_user_without_sessions_has_an_empty_section(user, other_user):
    StudySessionFactory(user=other_user)
    out = StringIO()
    call_command("export_user_data", str(user.pk), stdout=out)
    assert json.loads(out.getvalue())["study_sessions"] == []

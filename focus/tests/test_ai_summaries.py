"""AI session summaries: the real openai client against a local OpenAI-compatible server, and the
offline writer when no key is set."""

import pytest
from django.core.management import call_command

from focus.choices import SummaryStatus
from focus.models import StudySession
from learnflow import ai
from learnflow.testing import wait_for

pytestmark = pytest.mark.django_db

LOG = {"topic": "Django ORM", "duration_minutes": 40, "notes": "Studied select_related and prefetch_related joins."}


def _log(client, django_capture_on_commit_callbacks, **body):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/study-sessions/", {**LOG, **body}, format="json")
    assert response.status_code == 201
    return StudySession.objects.get(pk=response.json()["id"])


def test_logging_with_notes_answers_pending_and_a_worker_writes_the_summary(
    auth_client, fake_openai, django_capture_on_commit_callbacks
):
    # given
    fake_openai.reply = {"summary": "You compared select_related with prefetch_related. Review joins next."}
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = auth_client.post("/api/study-sessions/", LOG, format="json")
    # then: the API answers at once with a pending summary
    assert response.status_code == 201
    assert response.json()["ai_summary_status"] == "pending"
    assert StudySession.objects.get(pk=response.json()["id"]).ai_summary == ""
    for callback in callbacks:
        callback()
    session = StudySession.objects.get(pk=response.json()["id"])
    assert session.ai_summary_status == SummaryStatus.READY
    assert session.ai_summary == "You compared select_related with prefetch_related. Review joins next."
    sent = fake_openai.requests[0]
    assert sent["model"] == "test-model"
    assert sent["response_format"] == {"type": "json_object"}
    assert "prefetch_related" in sent["messages"][1]["content"]


def test_a_session_without_notes_gets_no_summary(auth_client, fake_openai, django_capture_on_commit_callbacks):
    session = _log(auth_client, django_capture_on_commit_callbacks, notes="")
    assert session.ai_summary_status == SummaryStatus.NONE
    assert fake_openai.requests == []


def test_malformed_model_output_marks_the_summary_failed_and_keeps_the_session(
    auth_client, fake_openai, django_capture_on_commit_callbacks
):
    fake_openai.reply = "this is not JSON"
    session = _log(auth_client, django_capture_on_commit_callbacks)
    assert session.ai_summary_status == SummaryStatus.FAILED
    assert session.ai_summary == ""
    assert session.topic == "Django ORM"
    assert len(fake_openai.requests) == 1


def test_a_json_answer_without_the_summary_key_is_malformed(
    auth_client, fake_openai, django_capture_on_commit_callbacks
):
    fake_openai.reply = {"text": "wrong key"}
    assert _log(auth_client, django_capture_on_commit_callbacks).ai_summary_status == SummaryStatus.FAILED


@pytest.mark.slow
@pytest.mark.parametrize("reply", [429, 500, ("sleep", 2)], ids=["rate-limited", "server-error", "timeout"])
def test_passing_failures_are_retried_by_the_worker_then_marked_failed(
    celery_worker, auth_client, fake_openai, settings, reply
):
    # given: every attempt fails; retries wait no time here (LEARNFLOW_AI_MAX_RETRIES is 2 in tests)
    settings.LEARNFLOW_AI_RETRY_BASE_SECONDS = 0
    fake_openai.reply = reply
    # when
    response = auth_client.post("/api/study-sessions/", LOG, format="json")
    # then: the API answered at once; first try plus two retries, and the session is intact
    assert response.json()["ai_summary_status"] == "pending"
    session = StudySession.objects.get(pk=response.json()["id"])
    assert wait_for(lambda: StudySession.objects.get(pk=session.pk).ai_summary_status == SummaryStatus.FAILED)
    assert len(fake_openai.requests) == 3
    assert StudySession.objects.filter(pk=session.pk, topic="Django ORM", duration_seconds=40 * 60).exists()


@pytest.mark.slow
def test_a_retry_that_succeeds_stores_the_summary(celery_worker, auth_client, fake_openai, settings):
    # given: the first attempt is rate-limited, the retry answers
    settings.LEARNFLOW_AI_RETRY_BASE_SECONDS = 0
    fake_openai.queue = [429]
    fake_openai.reply = {"summary": "Second time lucky."}
    # when
    response = auth_client.post("/api/study-sessions/", LOG, format="json")
    # then
    session_id = response.json()["id"]
    assert wait_for(lambda: StudySession.objects.get(pk=session_id).ai_summary_status == SummaryStatus.READY)
    assert StudySession.objects.get(pk=session_id).ai_summary == "Second time lucky."
    assert len(fake_openai.requests) == 2


def test_summary_text_is_cleaned_and_length_limited(auth_client, fake_openai, django_capture_on_commit_callbacks):
    fake_openai.reply = {"summary": "Bell\x07 and " + "x" * 5000}
    summary = _log(auth_client, django_capture_on_commit_callbacks).ai_summary
    assert "\x07" not in summary
    assert len(summary) == ai.SUMMARY_MAX_CHARS
    assert summary.endswith("…")


def test_editing_notes_asks_for_a_new_summary(auth_client, fake_openai, django_capture_on_commit_callbacks):
    # given
    fake_openai.reply = {"summary": "First."}
    session = _log(auth_client, django_capture_on_commit_callbacks)
    fake_openai.reply = {"summary": "About migrations."}
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.patch(f"/api/study-sessions/{session.pk}", {"notes": "Migrations."}, format="json")
    # then
    assert response.status_code == 200
    session.refresh_from_db()
    assert (session.ai_summary_status, session.ai_summary) == (SummaryStatus.READY, "About migrations.")


def test_a_summary_of_outdated_notes_is_dropped(user):
    # given: a job summarized notes that the user changed meanwhile
    from focus.services import study_session_summary_store

    session = StudySession.objects.create(
        user=user, started_at="2026-11-20T10:00:00Z", notes="new notes", ai_summary_status=SummaryStatus.PENDING
    )
    # when
    stored = study_session_summary_store(session_id=session.pk, notes="old notes", summary="About old notes.")
    # then
    session.refresh_from_db()
    assert stored is False
    assert (session.ai_summary, session.ai_summary_status) == ("", SummaryStatus.PENDING)


def test_without_a_key_the_offline_writer_summarizes_from_the_users_own_data(
    auth_client, settings, django_capture_on_commit_callbacks
):
    # given
    settings.OPENAI_API_KEY = ""
    # when
    session = _log(
        auth_client,
        django_capture_on_commit_callbacks,
        notes="Serializers validate input. Serializers shape output for the viewsets.",
    )
    # then
    assert session.ai_summary_status == SummaryStatus.READY
    assert session.ai_summary.startswith("40-minute logged session on Django ORM.")
    assert "Serializers validate input." in session.ai_summary
    assert "serializers" in session.ai_summary


def test_runjob_ai_summaries_requeues_failed_summaries(user, fake_openai, django_capture_on_commit_callbacks):
    # given
    session = StudySession.objects.create(
        user=user,
        topic="SQL",
        notes="Window functions.",
        started_at="2026-11-20T10:00:00Z",
        ended_at="2026-11-20T10:30:00Z",
        duration_seconds=1800,
        status="completed",
        ai_summary_status=SummaryStatus.FAILED,
    )
    fake_openai.reply = {"summary": "Window functions rank rows."}
    # when: the job commits the pending marks with the queued summaries (the outbox)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("runjob", "ai_summaries")
    # then
    session.refresh_from_db()
    assert (session.ai_summary_status, session.ai_summary) == (SummaryStatus.READY, "Window functions rank rows.")


def test_with_the_ai_provider_down_the_summary_fails_and_the_session_is_kept(
    auth_client, settings, django_capture_on_commit_callbacks
):
    # given: an AI key, but nothing listens where the provider should be
    from learnflow.testing import free_port

    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"
    settings.LEARNFLOW_AI_TIMEOUT_SECONDS = 0.5
    settings.LEARNFLOW_AI_MAX_RETRIES = 0
    # when
    session = _log(auth_client, django_capture_on_commit_callbacks)
    # then
    assert session.ai_summary_status == SummaryStatus.FAILED
    assert (session.topic, session.duration_seconds, session.notes) == ("Django ORM", 40 * 60, LOG["notes"])


def test_staff_retry_a_failed_summary_from_the_admin(
    admin_client, user, fake_openai, django_capture_on_commit_callbacks
):
    # given: one session whose summary failed, one without notes, one already summarized
    failed = StudySession.objects.create(
        user=user, topic="SQL", notes="Window functions.", started_at="2026-11-20T10:00:00Z",
        ended_at="2026-11-20T10:30:00Z", duration_seconds=1800, status="completed",
        ai_summary_status=SummaryStatus.FAILED,
    )  # fmt: skip
    bare = StudySession.objects.create(
        user=user, topic="Rest", started_at="2026-11-20T11:00:00Z", ended_at="2026-11-20T11:30:00Z",
        duration_seconds=1800, status="completed", ai_summary_status=SummaryStatus.FAILED,
    )  # fmt: skip
    ready = StudySession.objects.create(
        user=user, topic="ORM", notes="Joins.", started_at="2026-11-20T12:00:00Z", ended_at="2026-11-20T12:30:00Z",
        duration_seconds=1800, status="completed", ai_summary_status=SummaryStatus.READY, ai_summary="Joins.",
    )  # fmt: skip
    fake_openai.reply = {"summary": "Window functions rank rows."}
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/focus/studysession/",
            {"action": "retry_summary", "_selected_action": [str(failed.pk), str(bare.pk), str(ready.pk)]},
        )
    # then
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.ai_summary_status, failed.ai_summary) == (SummaryStatus.READY, "Window functions rank rows.")
    assert StudySession.objects.get(pk=bare.pk).ai_summary_status == SummaryStatus.FAILED
    assert StudySession.objects.get(pk=ready.pk).ai_summary == "Joins."
    assert len(fake_openai.requests) == 1

"""Stats and weekly reviews through the API; the AI path runs the real openai client against a local
OpenAI-compatible server."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from analytics.models import WeeklyReview
from focus.models import StudySession
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


def session(user, *, topic="SQL", minutes=30, started=NOW - timedelta(hours=2), **extra):
    fields = {
        "session_type": "focus",
        "status": "completed",
        "source": "timer",
        "verified": True,
        "ended_at": started + timedelta(minutes=minutes),
        "duration_seconds": minutes * 60,
        **extra,
    }
    return StudySession.objects.create(user=user, topic=topic, started_at=started, **fields)


def test_stats_count_completed_focus_and_manual_logs_but_not_breaks_or_stopped(auth_client, user, other_user):
    # given
    session(user, topic="SQL", minutes=30)
    session(user, topic="SQL", minutes=50)
    session(user, topic="Django", minutes=40, source="manual", verified=False)
    session(user, topic="SQL", minutes=10, session_type="break")
    session(user, topic="Rust", minutes=20, status="stopped")
    session(other_user, topic="Rust", minutes=300)
    # when
    response = auth_client.get("/api/stats")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "total_sessions": 3,
        "total_minutes": 120,
        "average_duration": 40.0,
        "most_frequent_topic": "SQL",
    }


def test_stats_of_a_new_user_are_zero(auth_client):
    assert auth_client.get("/api/stats/").json() == {
        "total_sessions": 0,
        "total_minutes": 0,
        "average_duration": 0.0,
        "most_frequent_topic": None,
    }


def test_stats_cost_the_same_queries_for_1_and_40_sessions(user):
    client = client_for(user)
    session(user)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/stats")
    for _ in range(39):
        session(user, topic="Other")
    with CaptureQueriesContext(connection) as many:
        client.get("/api/stats")
    assert len(one) == len(many)


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/api/stats"), ("post", "/api/weekly-review"), ("get", "/api/weekly-reviews/")]
)
def test_analytics_need_a_token(api_client, method, path):
    assert getattr(api_client, method)(path).status_code == 401


def test_weekly_review_offline_is_written_from_the_last_7_days(user, settings):
    # given: no AI key; two sessions this week, one older than 7 days
    settings.OPENAI_API_KEY = ""
    session(user, topic="SQL", minutes=45, started=NOW - timedelta(days=1))
    session(user, topic="Django", minutes=30, started=NOW - timedelta(days=3))
    session(user, topic="Old", minutes=300, started=NOW - timedelta(days=9))
    # when
    with time_machine.travel(NOW, tick=False):
        response = client_for(user).post("/api/weekly-review")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["generated_by"] == "offline"
    assert body["weekly_summary"].startswith("You studied 75 minutes in 2 sessions on 2 of 7 days")
    assert "Most time went to SQL (45 min)" in body["weekly_summary"]
    assert "Old" not in body["weekly_summary"] + body["patterns"] + body["recommendations"]
    assert body["period_end"] == "2026-11-18T12:00:00Z"


def test_weekly_review_uses_the_ai_when_configured(auth_client, user, fake_openai):
    # given
    session(user, topic="Graphs", minutes=60, started=datetime.now(UTC) - timedelta(days=1))
    fake_openai.reply = {"weekly_summary": "Graphs all week.", "patterns": "Evenings.", "recommendations": "Rest."}
    # when
    body = auth_client.post("/api/weekly-review/").json()
    # then
    assert (body["weekly_summary"], body["patterns"], body["recommendations"]) == (
        "Graphs all week.",
        "Evenings.",
        "Rest.",
    )
    assert body["generated_by"] == "ai"
    assert "Graphs" in fake_openai.requests[0]["messages"][1]["content"]


@pytest.mark.parametrize("reply", [500, 429, "not json", {"weekly_summary": "only one key"}, ("sleep", 2)])
def test_a_failing_ai_gives_the_offline_review_not_an_error(auth_client, user, fake_openai, settings, reply):
    # given
    settings.LEARNFLOW_AI_REQUEST_TIMEOUT_SECONDS = 0.5
    fake_openai.reply = reply
    # when
    response = auth_client.post("/api/weekly-review")
    # then
    assert response.status_code == 200
    assert response.json()["generated_by"] == "offline"
    assert response.json()["weekly_summary"].startswith("No study sessions were recorded")


@pytest.mark.parametrize("provider", ["down", "slow"])
def test_weekly_review_answers_within_its_timeout_when_the_ai_is_down_or_slow(
    auth_client, fake_openai, settings, provider
):
    # given: the provider refuses connections, or answers after 5 s; the request's AI timeout is 1 s
    import time

    from learnflow.testing import free_port

    settings.LEARNFLOW_AI_REQUEST_TIMEOUT_SECONDS = 1
    if provider == "down":
        settings.OPENAI_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"
    fake_openai.reply = ("sleep", 5)
    # when
    started = time.monotonic()
    response = auth_client.post("/api/weekly-review")
    elapsed = time.monotonic() - started
    # then: the offline review, within the timeout (plus the request's own work)
    assert response.status_code == 200
    assert response.json()["generated_by"] == "offline"
    assert elapsed < 1 + 1.5


def test_weekly_review_is_throttled_by_tier(auth_client, settings):
    settings.OPENAI_API_KEY = ""
    settings.LEARNFLOW_TIER_THROTTLE_RATES = {
        **settings.LEARNFLOW_TIER_THROTTLE_RATES,
        "ai": {"free": "2/day", "premium": "5/day"},
    }
    assert [auth_client.post("/api/weekly-review").status_code for _ in range(3)] == [200, 200, 429]


@time_machine.travel(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), tick=False)  # Monday morning
def test_runjob_weekly_reviews_stores_last_local_week_once_per_user(settings):
    # given: a Berlin user who studied last week, one who studied nothing, one who studied 3 weeks ago
    settings.OPENAI_API_KEY = ""
    berlin = UserFactory(timezone="Europe/Berlin")
    idle = UserFactory()
    old = UserFactory()
    session(berlin, topic="Chemistry", minutes=50, started=datetime(2026, 11, 19, 10, 0, tzinfo=UTC))
    monday_local = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # Sunday in UTC, Monday 00:30 in Berlin
    session(berlin, topic="Chemistry", minutes=25, started=monday_local)
    session(old, started=datetime(2026, 11, 1, 10, 0, tzinfo=UTC))
    # when
    call_command("runjob", "weekly_reviews")
    call_command("runjob", "weekly_reviews")
    # then: the Sunday-night UTC session is Monday in Berlin, so outside last week
    reviews = WeeklyReview.objects.all()
    assert [(r.user_id, str(r.week_start), str(r.week_end)) for r in reviews] == [
        (berlin.pk, "2026-11-16", "2026-11-22")
    ]
    assert reviews[0].weekly_summary.startswith("You studied 50 minutes in 1 session on 1 of 7 days")
    assert not WeeklyReview.objects.filter(user__in=[idle, old]).exists()


def test_stored_reviews_list_only_the_callers_newest_first(user, other_user):
    # given
    for monday in ("2026-11-02", "2026-11-09"):
        WeeklyReview.objects.create(
            user=user, week_start=monday, week_end=monday, weekly_summary="s", patterns="p", recommendations="r",
            generated_by="offline",
        )  # fmt: skip
    theirs = WeeklyReview.objects.create(
        user=other_user, week_start="2026-11-09", week_end="2026-11-15", weekly_summary="x", patterns="x",
        recommendations="x", generated_by="ai",
    )  # fmt: skip
    client = client_for(user)
    # when
    body = client.get("/api/weekly-reviews/").json()
    # then
    assert [r["week_start"] for r in body["results"]] == ["2026-11-09", "2026-11-02"]
    assert client.get(f"/api/weekly-reviews/{theirs.pk}/").status_code == 404

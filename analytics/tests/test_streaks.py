"""Study streaks on the user's local days, through the API, with time travel."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from analytics.models import Streak
from analytics.streaks import streak_refresh
from focus.models import StudySession
from focus.services import study_session_log
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

STREAK_KEYS = {
    "current_streak", "longest_streak", "last_active_date", "streak_start_date", "days_until_break", "active_today",
}  # fmt: skip


@pytest.fixture
def study(django_capture_on_commit_callbacks):
    """Log a session by hand at ``when``; after commit the activity refreshes the stored streak."""

    def log(user, when: datetime, minutes: int = 30):
        with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
            study_session_log(
                user=user, topic="Math", duration_minutes=minutes, started_at=when - timedelta(minutes=minutes)
            )

    return log


def streak_at(user, when: datetime) -> dict:
    with time_machine.travel(when, tick=False):
        return client_for(user).get("/api/streaks/me").json()


@pytest.fixture
def berliner(db):
    return UserFactory(timezone="Europe/Berlin")


def test_consecutive_local_days_make_a_streak(berliner, study):
    # given: three evenings in a row, and one more after a gap
    for day in (10, 11, 12):
        study(berliner, datetime(2026, 11, day, 18, 0, tzinfo=UTC))
    study(berliner, datetime(2026, 11, 14, 18, 0, tzinfo=UTC))
    # when
    body = streak_at(berliner, datetime(2026, 11, 14, 20, 0, tzinfo=UTC))
    # then
    assert set(body) >= STREAK_KEYS
    assert (body["current_streak"], body["longest_streak"]) == (1, 3)
    assert (body["last_active_date"], body["streak_start_date"]) == ("2026-11-14", "2026-11-14")
    assert (body["active_today"], body["days_until_break"]) == (True, 1)


def test_a_streak_survives_until_the_end_of_the_next_local_day(berliner, study):
    for day in (10, 11):
        study(berliner, datetime(2026, 11, day, 9, 0, tzinfo=UTC))
    tomorrow = streak_at(berliner, datetime(2026, 11, 12, 22, 30, tzinfo=UTC))  # 23:30 in Berlin
    broken = streak_at(berliner, datetime(2026, 11, 12, 23, 30, tzinfo=UTC))  # 00:30 on the 13th in Berlin
    assert (tomorrow["current_streak"], tomorrow["active_today"], tomorrow["days_until_break"]) == (2, False, 0)
    assert (broken["current_streak"], broken["longest_streak"], broken["streak_start_date"]) == (0, 2, None)


def test_a_late_evening_counts_for_the_local_day_not_the_utc_day(berliner, study):
    # 22:30 UTC on the 10th is 23:30 in Berlin on the 10th; 23:30 UTC is 00:30 on the 11th
    study(berliner, datetime(2026, 11, 10, 22, 30, tzinfo=UTC))
    study(berliner, datetime(2026, 11, 10, 23, 30, tzinfo=UTC))
    body = streak_at(berliner, datetime(2026, 11, 11, 12, 0, tzinfo=UTC))
    assert (body["current_streak"], body["streak_start_date"]) == (2, "2026-11-10")


def test_a_streak_across_the_spring_dst_change(berliner, study):
    for day in (28, 29, 30):  # 2026-03-29 has 23 hours in Berlin
        study(berliner, datetime(2026, 3, day, 21, 45, tzinfo=UTC))
    body = streak_at(berliner, datetime(2026, 3, 30, 22, 30, tzinfo=UTC))
    assert (body["current_streak"], body["last_active_date"]) == (3, "2026-03-30")


def test_past_days_stay_put_when_the_user_changes_timezone(berliner, study):
    # given: 23:30 in Berlin on the 10th and on the 11th
    study(berliner, datetime(2026, 11, 10, 22, 30, tzinfo=UTC))
    study(berliner, datetime(2026, 11, 11, 22, 30, tzinfo=UTC))
    # when: the user moves to New York (where those instants were the 10th and 11th too, 17:30)
    # and then to Tokyo, where they were the 11th and 12th
    berliner.timezone = "Asia/Tokyo"
    berliner.save()
    call_command("runjob", "recompute_streaks")
    body = streak_at(berliner, datetime(2026, 11, 12, 1, 0, tzinfo=UTC))  # the 12th in Tokyo
    # then: the days are the ones the user lived, the 10th and the 11th
    assert (body["current_streak"], body["streak_start_date"], body["last_active_date"]) == (
        2,
        "2026-11-10",
        "2026-11-11",
    )


def test_stopped_timers_and_breaks_do_not_count_but_manual_logs_do(berliner, study):
    StudySession.objects.create(
        user=berliner, session_type="focus", status="stopped", source="timer", verified=True,
        started_at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC), duration_seconds=600,
    )  # fmt: skip
    StudySession.objects.create(
        user=berliner, session_type="break", status="completed", source="timer", verified=True,
        started_at=datetime(2026, 11, 11, 9, 0, tzinfo=UTC), duration_seconds=300,
    )  # fmt: skip
    study(berliner, datetime(2026, 11, 12, 9, 0, tzinfo=UTC))
    call_command("runjob", "recompute_streaks")
    body = streak_at(berliner, datetime(2026, 11, 12, 10, 0, tzinfo=UTC))
    assert (body["current_streak"], body["longest_streak"]) == (1, 1)


def test_reads_never_write(user):
    with time_machine.travel(datetime(2026, 11, 12, 10, 0, tzinfo=UTC), tick=False):
        client = client_for(user)
        for path in ("/api/streaks/me", "/api/streaks/stats/me", "/api/streaks/calendar/me", f"/api/streaks/{user.pk}"):
            assert client.get(path).status_code == 200
    assert not Streak.objects.exists()


def test_recompute_streaks_repairs_a_wrong_row(berliner, study):
    for day in (10, 11):
        study(berliner, datetime(2026, 11, day, 9, 0, tzinfo=UTC))
    Streak.objects.filter(user=berliner).update(current_streak=40, longest_streak=40)
    call_command("runjob", "recompute_streaks")
    row = Streak.objects.get(user=berliner)
    assert (row.current_streak, row.longest_streak) == (2, 2)


def test_calendar_of_a_month_counts_sessions_and_minutes_per_local_day(berliner, other_user, study):
    study(berliner, datetime(2026, 10, 31, 23, 30, tzinfo=UTC), minutes=20)  # 00:30 on Nov 1st in Berlin
    study(berliner, datetime(2026, 11, 1, 9, 0, tzinfo=UTC), minutes=40)
    study(berliner, datetime(2026, 11, 3, 9, 0, tzinfo=UTC), minutes=25)
    study(berliner, datetime(2026, 12, 1, 9, 0, tzinfo=UTC), minutes=60)
    study(other_user, datetime(2026, 11, 1, 9, 0, tzinfo=UTC), minutes=90)
    with time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=UTC), tick=False):
        client = client_for(berliner)
        november = client.get("/api/streaks/calendar/me?month=2026-11").json()
        default = client.get("/api/streaks/calendar/me").json()
        bad = client.get("/api/streaks/calendar/me?month=2026-13")
    assert november == {
        "month": "2026-11",
        "days": [
            {"date": "2026-11-01", "session_count": 2, "minutes": 60},
            {"date": "2026-11-03", "session_count": 1, "minutes": 25},
        ],
    }
    assert default["month"] == "2026-12"
    assert bad.status_code == 400
    assert "month" in bad.json()


def test_stats(berliner, study):
    for day in (1, 2, 3, 10):
        study(berliner, datetime(2026, 11, day, 9, 0, tzinfo=UTC))
    study(berliner, datetime(2026, 11, 10, 15, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 11, 10, 16, 0, tzinfo=UTC), tick=False):
        body = client_for(berliner).get("/api/streaks/stats/me").json()
    assert (body["current_streak"], body["longest_streak"]) == (1, 3)
    assert (body["total_active_days"], body["active_days_last_30"]) == (4, 4)
    assert body["consistency_last_30"] == 13.3
    assert body["average_sessions_per_active_day"] == 1.25
    assert body["first_active_date"] == "2026-11-01"


def test_another_users_streak_is_public_but_limited(berliner, user, study):
    study(berliner, datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 11, 10, 12, 0, tzinfo=UTC), tick=False):
        client = client_for(user)
        body = client.get(f"/api/streaks/{berliner.pk}").json()
        missing = client.get("/api/streaks/00000000-0000-0000-0000-000000000000/")
    assert body == {"current_streak": 1, "longest_streak": 1, "last_active_date": "2026-11-10", "active_today": True}
    assert missing.status_code == 404


def test_my_streaks_include_the_shutdown_streak(berliner):
    for day in (10, 11):
        with time_machine.travel(datetime(2026, 11, day, 16, 0, tzinfo=UTC), tick=False):
            client_for(berliner).post(
                "/api/dashboard/shutdown-reflection", {"productivity_rating": "good"}, format="json"
            )
    body = streak_at(berliner, datetime(2026, 11, 12, 9, 0, tzinfo=UTC))
    assert (body["shutdown"]["current_streak"], body["shutdown"]["active_today"]) == (2, False)


@pytest.mark.parametrize("path", ["/api/streaks/me", "/api/streaks/calendar/me", "/api/streaks/stats/me"])
def test_streaks_need_a_token(api_client, path):
    assert api_client.get(path).status_code == 401


def first_query_index(queries, *fragments: str) -> int:
    return next(i for i, query in enumerate(queries) if all(f in query["sql"] for f in fragments))


def test_the_streak_row_is_locked_before_the_sessions_are_read(berliner, study):
    # given: two refreshes racing write in the order they locked; the later one must also read later
    study(berliner, datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    # when
    with CaptureQueriesContext(connection) as context:
        streak_refresh(user=berliner)
    # then
    locked = first_query_index(context.captured_queries, '"analytics_streak"', "FOR UPDATE")
    read = first_query_index(context.captured_queries, 'FROM "focus_studysession"')
    assert locked < read
    assert Streak.objects.get(user=berliner).current_streak == 1


def test_streak_update_recomputes_a_stale_row_and_answers_it(berliner):
    # given: sessions written without their after-commit refresh (an import, a lost job)
    when = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    for day in range(3):
        with time_machine.travel(when + timedelta(days=day), tick=False):
            study_session_log(user=berliner, topic="Math", duration_minutes=30)
    assert streak_at(berliner, when + timedelta(days=2))["current_streak"] == 0
    # when
    with time_machine.travel(when + timedelta(days=2), tick=False):
        first = client_for(berliner).post("/api/streaks/update")
        again = client_for(berliner).post("/api/streaks/update")
    # then
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["current_streak"] == 3 and first.json()["active_today"] is True
    assert set(first.json()) >= STREAK_KEYS and "shutdown" in first.json()
    assert streak_at(berliner, when + timedelta(days=2)) == first.json()


def test_streak_update_needs_a_token(api_client):
    assert api_client.post("/api/streaks/update").status_code == 401

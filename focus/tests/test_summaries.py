"""The timer's daily and weekly summaries: the user's local days (across midnight and DST changes),
totals of server-timed sessions only, and the user's own sessions only."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.tests.factories import UserFactory
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
DAY_KEYS = {"date", "total_focus_sessions", "total_focus_time", "total_break_time", "focus_sessions"}
WEEK_KEYS = {
    "week_start",
    "week_end",
    "total_focus_sessions",
    "total_focus_time",
    "total_break_time",
    "daily_summaries",
}
TOTALS = ("total_focus_sessions", "total_focus_time", "total_break_time")


def local(tz: ZoneInfo, *args, fold: int = 0) -> datetime:
    """A local wall-clock time as a UTC instant (so differences are real elapsed time)."""
    return datetime(*args, tzinfo=tz, fold=fold).astimezone(UTC)


def ids(sessions) -> list[str]:
    return [str(session.pk) for session in sessions]


def daily(user, day: str | None = None, now: datetime | None = None) -> dict:
    params = {} if day is None else {"date": day}
    with time_machine.travel(now or datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        response = client_for(user).get("/api/daily-summary", params)
    assert response.status_code == 200, response.content
    return response.json()


def weekly(user, day: str | None = None, now: datetime | None = None) -> dict:
    params = {} if day is None else {"week_start": day}
    with time_machine.travel(now or datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        response = client_for(user).get("/api/weekly-summary", params)
    assert response.status_code == 200, response.content
    return response.json()


def totals(summary: dict) -> tuple[int, int, int]:
    return tuple(summary[key] for key in TOTALS)


@pytest.fixture
def berliner():
    return UserFactory(timezone="Europe/Berlin")


@pytest.fixture
def new_yorker():
    return UserFactory(timezone="America/New_York")


# --- daily summary -------------------------------------------------------------------------------


def test_daily_summary_totals_count_ended_timer_sessions_of_the_users_local_day(berliner, other_user):
    # given: Wednesday 2026-05-06 in Berlin (UTC+2)
    def at(*hm):
        return local(BERLIN, 2026, 5, 6, *hm)

    focus_done = StudySessionFactory(user=berliner, started_at=at(9, 0), duration_seconds=1800)
    break_done = StudySessionFactory(user=berliner, session_type="break", started_at=at(9, 30), duration_seconds=300)
    focus_short = StudySessionFactory(user=berliner, started_at=at(11, 0), planned_duration=25, duration_seconds=1500)
    break_stopped = StudySessionFactory(
        user=berliner, session_type="break", status="stopped", started_at=at(11, 25), duration_seconds=120
    )
    focus_stopped = StudySessionFactory(user=berliner, status="stopped", started_at=at(14, 0), duration_seconds=600)
    running = StudySessionFactory(user=berliner, active=True, started_at=at(23, 30))
    StudySessionFactory(user=berliner, manual=True, started_at=at(16, 0), duration_seconds=90 * 60)
    StudySessionFactory(user=other_user, started_at=at(10, 0))
    StudySessionFactory(user=berliner, started_at=local(BERLIN, 2026, 5, 5, 23, 30))
    # when
    summary = daily(berliner, "2026-05-06")
    # then
    assert set(summary) == DAY_KEYS
    assert summary["date"] == "2026-05-05T22:00:00Z"
    assert summary["total_focus_sessions"] == 2
    assert summary["total_focus_time"] == 1800 + 1500 + 600
    assert summary["total_break_time"] == 300 + 120
    assert [s["session_id"] for s in summary["focus_sessions"]] == ids(
        [focus_done, break_done, focus_short, break_stopped, focus_stopped, running]
    )
    first = summary["focus_sessions"][0]
    assert (first["start_time"], first["end_time"], first["actual_duration"], first["status"]) == (
        "2026-05-06T07:00:00Z",
        "2026-05-06T07:30:00Z",
        30,
        "completed",
    )


def test_daily_summary_of_an_empty_day(berliner):
    summary = daily(berliner, "2026-05-06")
    assert summary == {
        "date": "2026-05-05T22:00:00Z",
        "total_focus_sessions": 0,
        "total_focus_time": 0,
        "total_break_time": 0,
        "focus_sessions": [],
    }


def test_manual_logs_are_not_in_the_daily_summary(berliner):
    # given
    StudySessionFactory(user=berliner, manual=True, started_at=local(BERLIN, 2026, 5, 6, 10, 0))
    # when
    summary = daily(berliner, "2026-05-06")
    # then
    assert totals(summary) == (0, 0, 0)
    assert summary["focus_sessions"] == []


def test_a_session_at_half_past_eleven_local_belongs_to_that_local_day_not_the_utc_day(new_yorker):
    # given: 23:30 in New York is 03:30 UTC the next day
    late = StudySessionFactory(user=new_yorker, started_at=local(NEW_YORK, 2026, 3, 10, 23, 30))
    assert late.started_at.astimezone(UTC).date() == date(2026, 3, 11)
    # when
    that_day = daily(new_yorker, "2026-03-10")
    next_day = daily(new_yorker, "2026-03-11")
    # then
    assert that_day["date"] == "2026-03-10T04:00:00Z"
    assert [s["session_id"] for s in that_day["focus_sessions"]] == ids([late])
    assert totals(that_day) == (1, 1800, 0)
    assert next_day["date"] == "2026-03-11T04:00:00Z"
    assert totals(next_day) == (0, 0, 0)


def test_a_session_after_local_midnight_belongs_to_the_new_local_day(berliner):
    # given: 00:30 in Berlin is still the previous day in UTC
    early = StudySessionFactory(user=berliner, started_at=local(BERLIN, 2026, 5, 6, 0, 30))
    # when / then
    assert [s["session_id"] for s in daily(berliner, "2026-05-06")["focus_sessions"]] == ids([early])
    assert daily(berliner, "2026-05-05")["focus_sessions"] == []


def test_daily_summary_defaults_to_the_users_local_today(new_yorker):
    # given: at 03:00 UTC on 2026-03-11 it is still 23:00 on 2026-03-10 in New York
    now = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)
    tonight = StudySessionFactory(user=new_yorker, started_at=datetime(2026, 3, 11, 2, 0, tzinfo=UTC))
    StudySessionFactory(user=new_yorker, started_at=datetime(2026, 3, 10, 2, 0, tzinfo=UTC))
    # when
    summary = daily(new_yorker, now=now)
    # then
    assert summary["date"] == "2026-03-10T04:00:00Z"
    assert [s["session_id"] for s in summary["focus_sessions"]] == ids([tonight])


@pytest.mark.parametrize(
    ("day", "midnight", "hours"),
    [(date(2026, 3, 29), "2026-03-28T23:00:00Z", 23), (date(2026, 10, 25), "2026-10-24T22:00:00Z", 25)],
    ids=["spring-23h", "autumn-25h"],
)
def test_a_dst_day_holds_its_first_and_last_local_half_hour(berliner, day, midnight, hours):
    # given: sessions at 00:30 and 23:30 local on the day, and just outside it on both sides
    def at(d: date, hour: int, minute: int) -> datetime:
        return local(BERLIN, d.year, d.month, d.day, hour, minute)

    first = StudySessionFactory(user=berliner, started_at=at(day, 0, 30))
    last = StudySessionFactory(user=berliner, started_at=at(day, 23, 30))
    StudySessionFactory(user=berliner, started_at=at(day - timedelta(days=1), 23, 30))
    StudySessionFactory(user=berliner, started_at=at(day + timedelta(days=1), 0, 30))
    assert (last.started_at - first.started_at) == timedelta(hours=hours - 1)
    # when
    summary = daily(berliner, day.isoformat())
    # then
    assert summary["date"] == midnight
    assert [s["session_id"] for s in summary["focus_sessions"]] == ids([first, last])
    assert totals(summary) == (2, 3600, 0)


def test_both_passes_of_the_repeated_autumn_hour_count_once_each(berliner):
    # given: 02:30 happens twice in Berlin on 2026-10-25 (CEST, then CET)
    summer = StudySessionFactory(user=berliner, started_at=local(BERLIN, 2026, 10, 25, 2, 30, fold=0))
    winter = StudySessionFactory(user=berliner, started_at=local(BERLIN, 2026, 10, 25, 2, 30, fold=1))
    assert winter.started_at - summer.started_at == timedelta(hours=1)
    # when
    summary = daily(berliner, "2026-10-25")
    # then
    assert [s["session_id"] for s in summary["focus_sessions"]] == ids([summer, winter])
    assert summary["total_focus_sessions"] == 2


@pytest.mark.parametrize("raw", ["2026-13-01", "yesterday", "2026-02-30", "05/06/2026"])
def test_daily_summary_with_a_bad_date_names_date(user, raw):
    response = client_for(user).get("/api/daily-summary", {"date": raw})
    assert response.status_code == 400
    assert list(response.json()) == ["date"]


@pytest.mark.parametrize("path", ["/api/daily-summary/", "/api/weekly-summary/"])
def test_summaries_answer_with_trailing_slash(berliner, path):
    response = client_for(berliner).get(path)
    assert response.status_code == 200
    assert "total_focus_time" in response.json()


@pytest.mark.parametrize("path", ["/api/daily-summary", "/api/weekly-summary"])
def test_summaries_need_a_token(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


# --- weekly summary ------------------------------------------------------------------------------


@pytest.fixture
def dst_week(berliner, other_user):
    """Sessions in Berlin's week Monday 2026-03-23 to Sunday 2026-03-29 (the spring change), and
    some just outside it or not counted."""

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return local(BERLIN, 2026, 3, day, hour, minute)

    sessions = {
        "monday": StudySessionFactory(user=berliner, started_at=at(23, 0, 30)),
        "wednesday_focus": StudySessionFactory(user=berliner, started_at=at(25, 10)),
        "wednesday_break": StudySessionFactory(
            user=berliner, session_type="break", planned_duration=5, started_at=at(25, 10, 30)
        ),
        "wednesday_stopped": StudySessionFactory(
            user=berliner, status="stopped", started_at=at(25, 14), duration_seconds=600
        ),
        "sunday": StudySessionFactory(user=berliner, started_at=at(29, 23, 30)),
    }
    StudySessionFactory(user=berliner, started_at=at(22, 23, 30))
    StudySessionFactory(user=berliner, started_at=at(30, 0, 30))
    StudySessionFactory(user=berliner, manual=True, started_at=at(25, 18))
    StudySessionFactory(user=other_user, started_at=at(25, 10))
    return sessions


def test_weekly_summary_has_seven_local_days_monday_to_sunday(berliner, dst_week):
    # when
    summary = weekly(berliner, "2026-03-23")
    # then
    assert set(summary) == WEEK_KEYS
    assert (summary["week_start"], summary["week_end"]) == ("2026-03-22T23:00:00Z", "2026-03-29T22:00:00Z")
    days = summary["daily_summaries"]
    assert [day["date"] for day in days] == [
        "2026-03-22T23:00:00Z",
        "2026-03-23T23:00:00Z",
        "2026-03-24T23:00:00Z",
        "2026-03-25T23:00:00Z",
        "2026-03-26T23:00:00Z",
        "2026-03-27T23:00:00Z",
        "2026-03-28T23:00:00Z",
    ]
    assert all(set(day) == DAY_KEYS for day in days)
    assert [totals(day) for day in days] == [
        (1, 1800, 0),
        (0, 0, 0),
        (1, 1800 + 600, 300),
        (0, 0, 0),
        (0, 0, 0),
        (0, 0, 0),
        (1, 1800, 0),
    ]
    assert [s["session_id"] for s in days[2]["focus_sessions"]] == ids(
        [dst_week["wednesday_focus"], dst_week["wednesday_break"], dst_week["wednesday_stopped"]]
    )
    assert [s["session_id"] for s in days[6]["focus_sessions"]] == ids([dst_week["sunday"]])


def test_weekly_totals_are_the_sum_of_the_days(berliner, dst_week):
    summary = weekly(berliner, "2026-03-23")
    for key in TOTALS:
        assert summary[key] == sum(day[key] for day in summary["daily_summaries"])
    assert totals(summary) == (3, 1800 * 3 + 600, 300)


def test_each_day_of_the_week_matches_its_daily_summary(berliner, dst_week):
    week = weekly(berliner, "2026-03-23")
    for offset, day in enumerate(week["daily_summaries"]):
        assert day == daily(berliner, (date(2026, 3, 23) + timedelta(days=offset)).isoformat())


@pytest.mark.parametrize("any_day", ["2026-03-25", "2026-03-29"], ids=["wednesday", "sunday"])
def test_any_day_gives_the_week_of_its_monday(berliner, dst_week, any_day):
    assert weekly(berliner, any_day) == weekly(berliner, "2026-03-23")


def test_weekly_summary_defaults_to_the_users_local_week(new_yorker):
    # given: Monday 02:00 UTC is still Sunday 22:00 in New York (the week of the US spring change)
    now = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
    sunday_evening = StudySessionFactory(user=new_yorker, started_at=local(NEW_YORK, 2026, 3, 8, 21, 0))
    # when
    summary = weekly(new_yorker, now=now)
    # then
    assert (summary["week_start"], summary["week_end"]) == ("2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z")
    assert [s["session_id"] for s in summary["daily_summaries"][6]["focus_sessions"]] == ids([sunday_evening])
    assert summary["total_focus_sessions"] == 1


@pytest.mark.parametrize("raw", ["2026-13-01", "yesterday"])
def test_weekly_summary_with_a_bad_date_names_week_start(user, raw):
    response = client_for(user).get("/api/weekly-summary", {"week_start": raw})
    assert response.status_code == 400
    assert list(response.json()) == ["week_start"]

"""Daily, weekly, monthly and all-time analytics and the today / week summaries, through the API: what
counts (completed focus sessions, verified and manual apart and together), local days and hours
across midnight and DST, bad parameters, the caller's own data only, constant query counts."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.tests.factories import UserFactory
from analytics.streaks import streak_refresh
from focus.choices import SessionSource, SessionStatus, SessionType
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for, count_queries

pytestmark = pytest.mark.django_db

DAILY = "/api/study-sessions/analytics/daily"
WEEKLY = "/api/study-sessions/analytics/weekly"
MONTHLY = "/api/study-sessions/analytics/monthly"
COMPREHENSIVE = "/api/study-sessions/analytics/comprehensive"
TODAY = "/api/study-sessions/summary/today"
WEEK = "/api/study-sessions/summary/week"
ENDPOINTS = (DAILY, WEEKLY, MONTHLY, COMPREHENSIVE, TODAY, WEEK)

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday; 13:00 in Berlin


@pytest.fixture
def berliner(db):
    return UserFactory(timezone="Europe/Berlin", daily_focus_goal_minutes=120)


def study(user, at: datetime, minutes: int = 30, topic: str = "SQL", **fields):
    """A completed focus session started at ``at`` (its local date is the user's, as stored by the
    services); ``source="manual"`` or ``"room"``, ``status``, ``session_type`` and ``seconds`` vary it."""
    seconds = fields.pop("seconds", minutes * 60)
    source = fields.pop("source", SessionSource.TIMER)
    return StudySessionFactory(
        user=user,
        started_at=at,
        topic=topic,
        duration_seconds=seconds,
        source=source,
        verified=source != SessionSource.MANUAL,
        **fields,
    )


def get(user, path: str, params=None, *, at: datetime = NOW):
    with time_machine.travel(at, tick=False):
        response = client_for(user).get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def minutes(row: dict) -> tuple:
    return row["session_count"], row["total_minutes"], row["verified_minutes"], row["manual_minutes"]


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Berlin in winter (UTC+1), as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


# -- daily ---------------------------------------------------------------------------------------


def test_a_day_counts_completed_focus_sessions_with_verified_and_manual_minutes_apart(berliner, other_user):
    # given: on 18 November (Berlin): a timer, a room and a manual session
    day = date(2026, 11, 18)
    first = study(berliner, berlin(day, 9, 10), 30, "SQL")
    study(berliner, berlin(day, 9, 40), 45, "SQL", source=SessionSource.ROOM)
    last = study(berliner, berlin(day, 14, 0), 60, "Django", source=SessionSource.MANUAL)
    # and what does not count: a break, a stopped and a running timer, another day, another user
    study(berliner, berlin(day, 10, 30), 5, "SQL", session_type=SessionType.BREAK)
    study(berliner, berlin(day, 11, 0), 20, "SQL", status=SessionStatus.STOPPED)
    study(berliner, berlin(day, 12, 50), 25, "SQL", active=True)
    study(berliner, berlin(day - timedelta(days=1), 9, 0), 90, "SQL")
    study(other_user, berlin(day, 9, 0), 300, "SQL")
    # when
    body = get(berliner, DAILY, {"date": "2026-11-18"})
    # then
    assert (body["date"], body["timezone"]) == ("2026-11-18", "Europe/Berlin")
    assert minutes(body) == (3, 135, 75, 60)
    assert [(row["topic"], *minutes(row)) for row in body["by_topic"]] == [
        ("SQL", 2, 75, 75, 0),
        ("Django", 1, 60, 0, 60),
    ]
    assert [row["hour"] for row in body["by_hour"]] == list(range(24))
    busy = {row["hour"]: minutes(row) for row in body["by_hour"] if row["session_count"]}
    assert busy == {9: (2, 75, 75, 0), 14: (1, 60, 0, 60)}
    assert body["first_session"]["id"] == str(first.pk)
    assert (body["first_session"]["started_at"], body["first_session"]["minutes"]) == ("2026-11-18T08:10:00Z", 30)
    assert (body["last_session"]["id"], body["last_session"]["source"]) == (str(last.pk), "manual")
    assert body["last_session"]["verified"] is False


def test_minutes_are_whole_minutes_of_the_summed_seconds(berliner):
    # given: two timers of 90 seconds: 3 minutes together, though each alone is 1
    day = date(2026, 11, 18)
    study(berliner, berlin(day, 9), seconds=90, topic="")
    study(berliner, berlin(day, 9, 30), seconds=90, topic="")
    # when
    body = get(berliner, DAILY, {"date": "2026-11-18"})
    # then: sessions without a topic are one row with a null topic
    assert minutes(body) == (2, 3, 3, 0)
    assert [(row["topic"], row["total_minutes"]) for row in body["by_topic"]] == [(None, 3)]
    assert body["first_session"]["minutes"] == 1


def test_a_session_at_2330_and_one_at_0030_local_land_on_different_days(berliner):
    # given: 22:30 and 23:30 UTC on the 17th are 23:30 on the 17th and 00:30 on the 18th in Berlin
    study(berliner, datetime(2026, 11, 17, 22, 30, tzinfo=UTC), 20)
    study(berliner, datetime(2026, 11, 17, 23, 30, tzinfo=UTC), 40)
    # when
    evening = get(berliner, DAILY, {"date": "2026-11-17"})
    morning = get(berliner, DAILY, {"date": "2026-11-18"})
    # then
    assert (evening["total_minutes"], morning["total_minutes"]) == (20, 40)
    assert [row["hour"] for row in evening["by_hour"] if row["session_count"]] == [23]
    assert [row["hour"] for row in morning["by_hour"] if row["session_count"]] == [0]


def test_the_day_is_the_local_today_by_default(berliner):
    # given: 23:30 UTC on the 17th is already the 18th in Berlin
    study(berliner, datetime(2026, 11, 17, 23, 5, tzinfo=UTC), 15)
    # when
    body = get(berliner, DAILY, at=datetime(2026, 11, 17, 23, 30, tzinfo=UTC))
    # then
    assert (body["date"], body["total_minutes"]) == ("2026-11-18", 15)


def test_an_autumn_dst_day_has_25_hours_in_24_buckets_by_the_local_clock(berliner):
    # given: on 25 October 2026 Berlin's clocks go back from 03:00 to 02:00, so 02:30 happens twice
    study(berliner, datetime(2026, 10, 24, 22, 30, tzinfo=UTC), 10)  # 00:30 CEST on the 25th
    study(berliner, datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 20)  # 02:30 CEST
    study(berliner, datetime(2026, 10, 25, 1, 30, tzinfo=UTC), 25)  # 02:30 CET, an hour later
    study(berliner, datetime(2026, 10, 25, 22, 50, tzinfo=UTC), 5)  # 23:50 CET on the 25th
    study(berliner, datetime(2026, 10, 25, 23, 10, tzinfo=UTC), 50)  # 00:10 CET on the 26th
    # when
    body = get(berliner, DAILY, {"date": "2026-10-25"})
    # then
    assert len(body["by_hour"]) == 24
    assert {row["hour"]: row["total_minutes"] for row in body["by_hour"] if row["session_count"]} == {
        0: 10,
        2: 45,
        23: 5,
    }
    assert (body["session_count"], body["total_minutes"]) == (4, 60)


def test_a_spring_dst_day_has_23_hours_and_its_skipped_hour_stays_empty(berliner):
    # given: on 29 March 2026 Berlin's clocks jump from 02:00 to 03:00
    study(berliner, datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 10)  # 01:30 CET
    study(berliner, datetime(2026, 3, 29, 1, 30, tzinfo=UTC), 20)  # 03:30 CEST
    study(berliner, datetime(2026, 3, 29, 21, 45, tzinfo=UTC), 30)  # 23:45 CEST
    # when
    body = get(berliner, DAILY, {"date": "2026-03-29"})
    # then
    assert len(body["by_hour"]) == 24
    assert {row["hour"]: row["total_minutes"] for row in body["by_hour"] if row["session_count"]} == {
        1: 10,
        3: 20,
        23: 30,
    }


def test_a_day_keeps_the_local_date_it_was_stored_with_after_a_move(berliner):
    # given: a session stored on the 18th in Berlin; then the user moves to New York
    study(berliner, datetime(2026, 11, 18, 0, 30, tzinfo=UTC), 30)  # 01:30 in Berlin, 19:30 on the 17th in NY
    berliner.timezone = "America/New_York"
    berliner.save(update_fields=["timezone"])
    # when
    day = get(berliner, DAILY, {"date": "2026-11-18"})
    # then: the day stays; the hour is read on the clock of the user's timezone now
    assert day["total_minutes"] == 30
    assert [row["hour"] for row in day["by_hour"] if row["session_count"]] == [19]


def test_a_day_without_study_and_a_future_day_are_zero_days(berliner):
    for when in ("2026-11-10", "2030-01-01", "2200-12-31", "1900-01-01"):
        body = get(berliner, DAILY, {"date": when})
        assert minutes(body) == (0, 0, 0, 0)
        assert (body["by_topic"], body["first_session"], body["last_session"]) == ([], None, None)
        assert len(body["by_hour"]) == 24


# -- weekly --------------------------------------------------------------------------------------


def test_a_week_has_seven_days_totals_best_day_and_change(berliner, other_user):
    # given: Monday 16 and Wednesday 18 November, and 60 minutes the week before
    study(berliner, berlin(date(2026, 11, 16), 8), 30)
    study(berliner, berlin(date(2026, 11, 18), 8), 50)
    study(berliner, berlin(date(2026, 11, 18), 20), 40, "Django", source=SessionSource.MANUAL)
    study(berliner, berlin(date(2026, 11, 22), 23, 30), 10)  # Sunday 23:30: still this week
    study(berliner, berlin(date(2026, 11, 23), 0, 30), 200)  # Monday 00:30: next week
    study(berliner, berlin(date(2026, 11, 15), 23, 30), 60)  # the Sunday before
    study(other_user, berlin(date(2026, 11, 17), 8), 500)
    # when: any day of the week names it
    body = get(berliner, WEEKLY, {"week_start": "2026-11-18"})
    # then
    assert (body["week_start"], body["week_end"]) == ("2026-11-16", "2026-11-22")
    assert [row["date"] for row in body["days"]] == [f"2026-11-{day}" for day in range(16, 23)]
    assert [row["total_minutes"] for row in body["days"]] == [30, 0, 90, 0, 0, 0, 10]
    assert minutes(body["days"][2]) == (2, 90, 50, 40)
    assert minutes(body) == (4, 130, 90, 40)
    assert (body["study_days"], body["average_minutes_per_study_day"]) == (3, 43.3)
    assert (body["best_day"]["date"], body["best_day"]["total_minutes"]) == ("2026-11-18", 90)
    assert (body["previous_week_minutes"], body["change_percent"]) == (60, 116.7)


def test_a_week_after_an_empty_one_has_no_change_percent(berliner):
    study(berliner, berlin(date(2026, 11, 17), 8), 25)
    body = get(berliner, WEEKLY, {"week_start": "2026-11-16"})
    assert (body["previous_week_minutes"], body["change_percent"]) == (0, None)


def test_an_empty_week_has_zero_days_and_no_best_day(berliner):
    body = get(berliner, WEEKLY)
    assert (body["week_start"], len(body["days"]), body["best_day"]) == ("2026-11-16", 7, None)
    assert (body["study_days"], body["average_minutes_per_study_day"], body["change_percent"]) == (0, 0.0, None)


def test_a_week_across_the_autumn_dst_change_still_has_seven_local_days(berliner):
    # given: the week of 19-25 October 2026 ends on the 25-hour Sunday
    study(berliner, datetime(2026, 10, 25, 21, 30, tzinfo=UTC), 30)  # 22:30 CET on Sunday 25th
    study(berliner, datetime(2026, 10, 25, 23, 30, tzinfo=UTC), 45)  # 00:30 CET on Monday 26th
    # when
    body = get(berliner, WEEKLY, {"week_start": "2026-10-25"})
    # then
    assert [row["total_minutes"] for row in body["days"]] == [0, 0, 0, 0, 0, 0, 30]


# -- monthly -------------------------------------------------------------------------------------


def test_a_month_lists_every_day_with_its_best_day_and_best_week_clipped_to_it(berliner, other_user):
    # given: February 2026 starts on a Sunday; its first ISO week is Monday 26 January to 1 February
    study(berliner, berlin(date(2026, 2, 1), 10), 100)
    study(berliner, berlin(date(2026, 2, 2), 10), 60)
    study(berliner, berlin(date(2026, 2, 3), 10), 70, source=SessionSource.MANUAL)
    study(berliner, berlin(date(2026, 2, 4), 10), 60)
    study(berliner, berlin(date(2026, 1, 31), 10), 500)  # January
    study(berliner, berlin(date(2026, 3, 1), 0, 10), 500)  # March, ten minutes past midnight
    study(other_user, berlin(date(2026, 2, 10), 10), 900)
    # when
    body = get(berliner, MONTHLY, {"month": "2026-02"})
    # then
    assert body["month"] == "2026-02"
    assert [row["date"] for row in body["days"]] == [f"2026-02-{day:02}" for day in range(1, 29)]
    assert minutes(body) == (4, 290, 220, 70)
    assert (body["study_days"], body["average_minutes_per_study_day"]) == (4, 72.5)
    assert (body["best_day"]["date"], body["best_day"]["total_minutes"]) == ("2026-02-01", 100)
    assert body["best_week"] == {
        "week_start": "2026-02-02",
        "week_end": "2026-02-08",
        "session_count": 3,
        "total_minutes": 190,
        "verified_minutes": 120,
        "manual_minutes": 70,
    }


def test_a_best_week_at_the_start_of_a_month_is_clipped_to_the_month(berliner):
    study(berliner, berlin(date(2026, 2, 1), 10), 200)
    study(berliner, berlin(date(2026, 1, 30), 10), 300)
    body = get(berliner, MONTHLY, {"month": "2026-02"})
    assert (body["best_week"]["week_start"], body["best_week"]["week_end"]) == ("2026-02-01", "2026-02-01")
    assert body["best_week"]["total_minutes"] == 200


def test_a_month_is_this_local_month_by_default_and_a_leap_february_has_29_days(berliner):
    # given: 23:30 UTC on 29 February 2028 is 1 March in Berlin
    body = get(berliner, MONTHLY, at=datetime(2028, 2, 29, 23, 30, tzinfo=UTC))
    leap = get(berliner, MONTHLY, {"month": "2028-02"})
    assert (body["month"], len(body["days"])) == ("2028-03", 31)
    assert len(leap["days"]) == 29
    assert (leap["best_day"], leap["best_week"], leap["study_days"]) == (None, None, 0)


# -- comprehensive -------------------------------------------------------------------------------


def test_all_time_analytics(berliner, other_user):
    # given: it is Wednesday 18 November 2026, 13:00 in Berlin
    study(berliner, berlin(date(2026, 11, 9), 9), 20, "SQL")  # a Monday
    study(berliner, berlin(date(2026, 11, 16), 14), 90, "Django")  # Monday
    study(berliner, berlin(date(2026, 11, 16), 14, 30), 30, "", source=SessionSource.MANUAL)
    study(berliner, berlin(date(2026, 11, 17), 9), 40, "SQL")  # Tuesday
    study(berliner, berlin(date(2026, 11, 18), 9), 25, "SQL", source=SessionSource.ROOM)  # today
    study(berliner, berlin(date(2026, 10, 31), 9), 5, "Old")  # the first day: a Saturday
    study(berliner, berlin(date(2026, 11, 18), 10), 60, "SQL", status=SessionStatus.STOPPED)
    study(other_user, berlin(date(2026, 11, 18), 9), 900, "SQL")
    with time_machine.travel(NOW, tick=False):
        streak_refresh(user=berliner)
    # when
    body = get(berliner, COMPREHENSIVE)
    # then
    assert body["timezone"] == "Europe/Berlin"
    assert minutes(body) == (6, 210, 180, 30)
    assert (body["average_session_minutes"], body["longest_session_minutes"], body["shortest_session_minutes"]) == (
        35.0,
        90,
        5,
    )
    assert (body["first_study_date"], body["study_days"]) == ("2026-10-31", 5)
    assert body["consistency_percent"] == round(100 * 5 / 19, 1)  # 31 October to 18 November: 19 days
    assert body["most_productive_hour"] == {
        "hour": 14, "session_count": 2, "total_minutes": 120, "verified_minutes": 90, "manual_minutes": 30,
    }  # fmt: skip
    assert (body["most_productive_weekday"]["weekday"], body["most_productive_weekday"]["name"]) == (1, "Monday")
    assert body["most_productive_weekday"]["total_minutes"] == 140
    assert body["this_week"] == {
        "week_start": "2026-11-16", "session_count": 4, "total_minutes": 185, "verified_minutes": 155,
        "manual_minutes": 30,
    }  # fmt: skip
    assert (body["this_month"]["month"], body["this_month"]["total_minutes"]) == ("2026-11", 205)
    assert [(row["topic"], row["total_minutes"]) for row in body["top_topics"]] == [
        ("Django", 90),
        ("SQL", 85),
        ("Old", 5),
    ]
    assert (body["current_streak"], body["longest_streak"]) == (3, 3)


def test_all_time_analytics_of_a_new_user(berliner):
    body = get(berliner, COMPREHENSIVE)
    assert minutes(body) == (0, 0, 0, 0)
    assert (body["average_session_minutes"], body["longest_session_minutes"], body["shortest_session_minutes"]) == (
        0.0,
        None,
        None,
    )
    assert (body["first_study_date"], body["study_days"], body["consistency_percent"]) == (None, 0, 0.0)
    assert (body["most_productive_hour"], body["most_productive_weekday"], body["top_topics"]) == (None, None, [])
    assert (body["current_streak"], body["longest_streak"]) == (0, 0)


def test_top_topics_are_the_five_with_most_time(berliner):
    for n in range(7):
        study(berliner, berlin(date(2026, 11, 2), 8 + n), 10 + n, f"topic {n}")
    body = get(berliner, COMPREHENSIVE)
    assert [row["topic"] for row in body["top_topics"]] == [f"topic {n}" for n in (6, 5, 4, 3, 2)]


def test_consistency_counts_the_first_day_and_today(berliner):
    # given: studied on the first day and today, 4 local days apart
    study(berliner, berlin(date(2026, 11, 15), 9), 30)
    study(berliner, berlin(date(2026, 11, 18), 9), 30)
    # when
    body = get(berliner, COMPREHENSIVE)
    # then
    assert (body["study_days"], body["consistency_percent"]) == (2, 50.0)


# -- today and this week -------------------------------------------------------------------------


def test_today_against_yesterday_with_the_daily_goal(berliner, other_user):
    # given: a goal of 120 minutes; 90 today (60 timed, 30 logged), 60 yesterday
    study(berliner, berlin(date(2026, 11, 18), 8), 60)
    study(berliner, berlin(date(2026, 11, 18), 11), 30, source=SessionSource.MANUAL)
    study(berliner, berlin(date(2026, 11, 17), 8), 60)
    study(berliner, berlin(date(2026, 11, 16), 8), 600)
    study(other_user, berlin(date(2026, 11, 18), 8), 600)
    # when
    body = get(berliner, TODAY)
    # then
    assert body["goal_minutes"] == 120
    assert body["today"] == {
        "date": "2026-11-18", "session_count": 2, "total_minutes": 90, "verified_minutes": 60,
        "manual_minutes": 30, "goal_percent": 75.0,
    }  # fmt: skip
    assert (body["yesterday"]["date"], minutes(body["yesterday"]), body["yesterday"]["goal_percent"]) == (
        "2026-11-17",
        (1, 60, 60, 0),
        50.0,
    )
    assert minutes(body["difference"]) == (1, 30, 0, 30)
    assert body["change_percent"] == 50.0


def test_just_after_local_midnight_today_starts_empty_and_yesterday_holds_the_evening(berliner):
    # given: sessions until 23:45 in Berlin; it is 00:10 the next day there
    study(berliner, berlin(date(2026, 11, 17), 21, 0), 120)
    study(berliner, berlin(date(2026, 11, 17), 23, 15), 30)
    # when
    body = get(berliner, TODAY, at=berlin(date(2026, 11, 18), 0, 10))
    # then
    assert (body["today"]["date"], body["today"]["total_minutes"], body["today"]["goal_percent"]) == (
        "2026-11-18",
        0,
        0.0,
    )
    assert (body["yesterday"]["total_minutes"], body["yesterday"]["goal_percent"]) == (150, 125.0)
    assert (body["difference"]["total_minutes"], body["change_percent"]) == (-150, -100.0)


def test_a_logged_session_shows_in_todays_summary_at_once(berliner):
    # given
    with time_machine.travel(NOW, tick=False):
        client = client_for(berliner)
        before = client.get(TODAY).json()
        # when
        logged = client.post("/api/study-sessions/", {"topic": "Graphs", "duration_minutes": 45}, format="json")
        after = client.get(TODAY).json()
    # then
    assert logged.status_code == 201
    assert (before["today"]["total_minutes"], after["today"]["total_minutes"]) == (0, 45)
    assert after["today"]["manual_minutes"] == 45
    assert after["change_percent"] is None


def test_this_week_so_far_against_the_same_days_of_last_week(berliner, other_user):
    # given: it is Wednesday; this week Monday and Wednesday, last week Monday, Tuesday and Friday
    study(berliner, berlin(date(2026, 11, 16), 8), 60)
    study(berliner, berlin(date(2026, 11, 18), 8), 30, source=SessionSource.MANUAL)
    study(berliner, berlin(date(2026, 11, 9), 8), 20)
    study(berliner, berlin(date(2026, 11, 10), 8), 40)
    study(berliner, berlin(date(2026, 11, 13), 8), 100)
    study(other_user, berlin(date(2026, 11, 17), 8), 600)
    # when
    body = get(berliner, WEEK)
    # then
    assert (body["week_start"], body["week_end"], body["today"], body["days_elapsed"]) == (
        "2026-11-16",
        "2026-11-22",
        "2026-11-18",
        3,
    )
    assert body["this_week"] == {
        "session_count": 2, "total_minutes": 90, "verified_minutes": 60, "manual_minutes": 30, "study_days": 2,
        "consistency_percent": 66.7,
    }  # fmt: skip
    assert (minutes(body["last_week"]), body["last_week"]["study_days"]) == ((3, 160, 160, 0), 3)
    assert body["last_week"]["consistency_percent"] == 42.9
    assert (minutes(body["last_week_same_days"]), body["last_week_same_days"]["consistency_percent"]) == (
        (2, 60, 60, 0),
        66.7,
    )
    assert minutes(body["difference"]) == (0, 30, 0, 30)
    assert body["change_percent"] == 50.0


def test_on_monday_just_after_local_midnight_the_week_starts_over(berliner):
    # given: Sunday 23:30 in Berlin, then it is Monday 00:05 there
    study(berliner, berlin(date(2026, 11, 22), 23, 30), 45)
    # when
    body = get(berliner, WEEK, at=berlin(date(2026, 11, 23), 0, 5))
    # then
    assert (body["week_start"], body["days_elapsed"], body["this_week"]["total_minutes"]) == ("2026-11-23", 1, 0)
    assert (body["last_week"]["total_minutes"], body["last_week_same_days"]["total_minutes"]) == (45, 0)
    assert body["change_percent"] is None


# -- refusals and costs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "param", "value"),
    [
        (DAILY, "date", "yesterday"),
        (DAILY, "date", "2026-02-30"),
        (DAILY, "date", "1899-12-31"),
        (DAILY, "date", "2201-01-01"),
        (WEEKLY, "week_start", "2026-11"),
        (WEEKLY, "week_start", "0001-01-01"),
        (MONTHLY, "month", "2026-13"),
        (MONTHLY, "month", "november"),
        (MONTHLY, "month", "2201-01"),
    ],
)
def test_bad_dates_and_months_answer_400_naming_the_parameter(berliner, path, param, value):
    response = client_for(berliner).get(path, {param: value})
    assert response.status_code == 400
    assert list(response.json()) == [param]


@pytest.mark.parametrize(("path", "params"), [(WEEKLY, {"week_start": "2200-12-31"}), (MONTHLY, {"month": "2200-12"})])
def test_the_last_week_and_month_of_the_date_range_answer(berliner, path, params):
    assert client_for(berliner).get(path, params).status_code == 200


@pytest.mark.parametrize("path", ENDPOINTS)
def test_analytics_need_a_token(api_client, path):
    assert api_client.get(path).status_code == 401


@pytest.mark.parametrize("path", ENDPOINTS)
def test_each_report_costs_the_same_queries_for_1_and_many_sessions(berliner, path):
    # given
    study(berliner, berlin(date(2026, 11, 18), 9), 30)
    with time_machine.travel(NOW, tick=False):
        client = client_for(berliner)
        one = count_queries(client, path)
        # when: 60 more sessions over two months, many topics and hours, timed and logged
        for n in range(60):
            source = SessionSource.MANUAL if n % 3 == 0 else SessionSource.TIMER
            study(berliner, berlin(date(2026, 11, 18), 9) - timedelta(days=n, hours=n % 12), 25, f"t{n}", source=source)
        streak_refresh(user=berliner)
        many = count_queries(client, path)
    # then
    assert many == one


def test_a_day_lists_at_most_50_topics_with_the_most_time(berliner):
    # given: 55 logged sessions of different topics on one day
    for n in range(55):
        study(berliner, berlin(date(2026, 11, 18), 6) + timedelta(minutes=n), n + 1, f"topic {n:02}", source="manual")
    # when
    body = get(berliner, DAILY, {"date": "2026-11-18"})
    # then: the totals still hold every session
    assert body["session_count"] == 55
    assert [row["topic"] for row in body["by_topic"]] == [f"topic {n:02}" for n in range(54, 4, -1)]

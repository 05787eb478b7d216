"""``GET /api/admin/activity``: the whole product's activity for staff (analytics/activity.py)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from analytics.activity import CACHE_KEY, CACHE_SECONDS
from challenges.tests.factories import ParticipationFactory
from community.models import Comment, Post
from focus.choices import SessionSource, SessionStatus, SessionType
from focus.models import ShutdownReflection
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for, count_queries
from tasks.tests.factories import TaskFactory

URL = "/api/admin/activity"
pytestmark = pytest.mark.django_db


def at(day: str, clock: str = "12:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00+00:00")


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def staff_client(staff) -> APIClient:
    return client_for(staff)


def by_date(body: dict) -> dict[str, dict]:
    return {day["date"]: day for day in body["days"]}


def hours(body: dict) -> dict[int, int]:
    return {row["hour"]: row["sessions"] for row in body["sessions_by_local_hour"] if row["sessions"]}


# --- who may read it ----------------------------------------------------------------------------


def test_no_credentials_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_a_user_who_is_not_staff_is_403(auth_client):
    response = auth_client.get(URL)
    assert response.status_code == 403


def test_staff_with_an_access_token_reads_it(staff_client):
    assert staff_client.get(URL).status_code == 200


def test_the_admin_session_cookie_is_accepted_for_staff_only(staff, user):
    # given the session the admin's login leaves (what the Activity page sends)
    browser = APIClient()
    browser.force_login(staff)
    # then
    assert browser.get(URL).status_code == 200
    browser.force_login(user)
    assert browser.get(URL).status_code == 403
    browser.logout()
    assert browser.get(URL).status_code == 401


# --- the range ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2024-02-30", "start"),
        ("start=yesterday", "start"),
        ("end=05/01/2024", "end"),
        ("start=1899-12-31&end=1900-01-10", "start"),
        ("end=2201-01-01", "end"),
    ],
)
def test_a_bad_date_is_a_400_naming_it(staff_client, query, field):
    response = staff_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_an_end_before_the_start_is_a_400_naming_end(staff_client):
    response = staff_client.get(URL, {"start": "2024-03-10", "end": "2024-03-09"})
    assert response.status_code == 400
    assert response.json() == {"end": ["The end comes before the start."]}


def test_a_range_is_at_most_366_days(staff_client):
    leap_year = staff_client.get(URL, {"start": "2024-01-01", "end": "2024-12-31"})
    assert leap_year.status_code == 200
    assert len(leap_year.json()["days"]) == 366

    too_long = staff_client.get(URL, {"start": "2024-01-01", "end": "2025-01-01"})
    assert too_long.status_code == 400
    assert list(too_long.json()) == ["start"]


@time_machine.travel(at("2024-05-31", "23:30"), tick=False)
def test_by_default_the_last_30_days_of_the_site_calendar(staff, settings):
    settings.LEARNFLOW_WEEK_TIMEZONE = "Europe/Berlin"  # already 1 June there
    staff_client = client_for(staff)  # a token of the travelled-to time

    body = staff_client.get(URL).json()

    assert (body["start"], body["end"], body["timezone"]) == ("2024-05-03", "2024-06-01", "Europe/Berlin")
    assert [day["date"] for day in body["days"]] == [
        (date(2024, 5, 3) + timedelta(days=n)).isoformat() for n in range(30)
    ]
    only_end = staff_client.get(URL, {"end": "2024-03-31"}).json()
    assert (only_end["start"], only_end["end"]) == ("2024-03-02", "2024-03-31")
    only_start = staff_client.get(URL, {"start": "2024-05-30"}).json()
    assert (only_start["start"], only_start["end"]) == ("2024-05-30", "2024-06-01")


# --- the numbers --------------------------------------------------------------------------------


@pytest.fixture
def seeded(db):
    """Three days of activity, 4 to 6 March 2024 (site calendar UTC), and some just outside them."""
    with time_machine.travel(at("2024-03-03", "23:59"), tick=False):
        UserFactory()  # registered the day before the range
    with time_machine.travel(at("2024-03-04", "09:00"), tick=False):
        alice = UserFactory(timezone="Europe/Berlin")
        bob = UserFactory(timezone="UTC")
        carol = UserFactory(timezone="America/New_York")
    with time_machine.travel(at("2024-03-06", "08:00"), tick=False):
        dave = UserFactory(timezone="Asia/Kolkata")

    # 4 March: alice times 30 minutes of Algebra at 10:00 UTC (11:00 in Berlin), stops a 20-minute
    # timer and takes a break; carol joins a challenge
    StudySessionFactory(user=alice, topic="Algebra", started_at=at("2024-03-04", "10:00"), planned_duration=30)
    StudySessionFactory(
        user=alice, topic="Algebra", started_at=at("2024-03-04", "14:00"), duration_seconds=20 * 60 + 59,
        status=SessionStatus.STOPPED,
    )  # fmt: skip
    StudySessionFactory(user=alice, session_type=SessionType.BREAK, started_at=at("2024-03-04", "15:00"))
    with time_machine.travel(at("2024-03-04", "16:00"), tick=False):
        joined = ParticipationFactory(user=carol)
    # 5 March: alice logs an hour of Algebra by hand (18:00 UTC, 19:00 in Berlin); bob completes a
    # task; carol writes her shutdown reflection; a running timer has no time yet
    StudySessionFactory(
        user=alice, manual=True, topic="Algebra", started_at=at("2024-03-05", "18:00"), planned_duration=60
    )
    TaskFactory(user=bob, completed=True, completed_at=at("2024-03-05", "11:00"))
    TaskFactory(user=bob, completed=False)
    with time_machine.travel(at("2024-03-05", "21:00"), tick=False):
        ShutdownReflection.objects.create(user=carol, productivity_rating="good", local_date=date(2024, 3, 5))
    StudySessionFactory(user=bob, active=True, topic="Running", started_at=at("2024-03-05", "23:00"))
    # 6 March: dave studies 25 minutes of Chemistry in a focus room at 07:30 UTC (13:00 in Kolkata)
    # and a session without a topic; bob posts and carol comments; carol completes her challenge
    StudySessionFactory(
        user=dave, topic="Chemistry", source=SessionSource.ROOM, verified=True,
        started_at=at("2024-03-06", "07:30"), planned_duration=25,
    )  # fmt: skip
    StudySessionFactory(user=dave, topic="", started_at=at("2024-03-06", "09:00"), planned_duration=10)
    with time_machine.travel(at("2024-03-06", "12:00"), tick=False):
        post = Post.objects.create(author=bob, title="Tips", content="Pomodoro works.")
        Comment.objects.create(post=post, author=carol, content="Agreed")
    joined.completed_at = at("2024-03-06", "17:00")
    joined.save(update_fields=["completed_at"])

    # outside the range: 3 and 7 March
    StudySessionFactory(user=bob, topic="Algebra", started_at=at("2024-03-03", "23:00"))
    StudySessionFactory(user=carol, topic="Algebra", started_at=at("2024-03-07", "00:00"))
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave}


def test_the_numbers_of_each_day_and_the_range(staff_client, seeded):
    response = staff_client.get(URL, {"start": "2024-03-04", "end": "2024-03-06"})

    assert response.status_code == 200
    body = response.json()
    days = by_date(body)
    assert list(days) == ["2024-03-04", "2024-03-05", "2024-03-06"]
    # active: alice (sessions) and carol (joined); alice, bob (task) and carol (reflection); bob
    # (post), carol (comment) and dave (sessions)
    assert [day["active_users"] for day in body["days"]] == [2, 3, 3]
    # verified minutes: 30 (a stopped timer never counts, as on the leaderboards); the manual hour is
    # not verified; the room's 25 and the 10 without a topic
    assert [day["verified_focus_minutes"] for day in body["days"]] == [30, 0, 35]
    assert [day["challenge_joins"] for day in body["days"]] == [1, 0, 0]
    assert [day["challenge_completions"] for day in body["days"]] == [0, 0, 1]
    assert [day["registrations"] for day in body["days"]] == [3, 0, 1]
    # counted sessions (completed focus, timed or logged) by their user's local hour
    assert hours(body) == {11: 1, 19: 1, 13: 1, 14: 1}
    assert len(body["sessions_by_local_hour"]) == 24
    assert body["top_topics"] == [
        {"topic": "Algebra", "sessions": 2, "minutes": 90},
        {"topic": "Chemistry", "sessions": 1, "minutes": 25},
    ]


def test_days_without_activity_are_listed_with_zeros(staff_client, seeded):
    body = staff_client.get(URL, {"start": "2024-03-01", "end": "2024-03-10"}).json()

    days = by_date(body)
    assert len(days) == 10
    assert days["2024-03-09"] == {
        "date": "2024-03-09",
        "active_users": 0,
        "verified_focus_minutes": 0,
        "challenge_joins": 0,
        "challenge_completions": 0,
        "registrations": 0,
    }
    assert days["2024-03-03"]["active_users"] == 1  # bob's session just before the range above
    assert days["2024-03-07"]["active_users"] == 1


def test_days_follow_the_site_calendar(staff_client, seeded, settings):
    settings.LEARNFLOW_WEEK_TIMEZONE = "America/New_York"  # UTC-5 in March

    body = staff_client.get(URL, {"start": "2024-03-06", "end": "2024-03-06"}).json()

    # carol's session at 00:00 UTC on 7 March is still 6 March in New York; dave's room session at
    # 07:30 UTC is 02:30 there, the same day
    (day,) = body["days"]
    assert day["verified_focus_minutes"] == 25 + 10 + 30
    assert body["timezone"] == "America/New_York"


@time_machine.travel(at("2024-11-05", "12:00"), tick=False)
def test_sessions_by_local_hour_across_the_autumn_dst_change(staff):
    # given a New Yorker who studies at 01:30 twice on the night the clocks go back (05:30 UTC is
    # 01:30 EDT, 06:30 UTC is 01:30 EST), and a user in UTC at the first of those instants
    new_yorker = UserFactory(timezone="America/New_York")
    StudySessionFactory(user=new_yorker, started_at=at("2024-11-03", "05:30"))
    StudySessionFactory(user=new_yorker, started_at=at("2024-11-03", "06:30"))
    StudySessionFactory(user=UserFactory(timezone="UTC"), started_at=at("2024-11-03", "05:30"))

    # when (the last 30 days by default)
    body = client_for(staff).get(URL).json()

    # then both 01:30s count in hour 1
    assert hours(body) == {1: 2, 5: 1}


def test_sessions_by_local_hour_across_the_spring_dst_change(staff_client):
    # 06:30 UTC is 01:30 EST and 07:30 UTC is 03:30 EDT: 02:xx never happened that night
    new_yorker = UserFactory(timezone="America/New_York")
    StudySessionFactory(user=new_yorker, started_at=at("2024-03-10", "06:30"))
    StudySessionFactory(user=new_yorker, started_at=at("2024-03-10", "07:30"))

    body = staff_client.get(URL, {"start": "2024-03-10", "end": "2024-03-10"}).json()

    assert hours(body) == {1: 1, 3: 1}


# --- cost ---------------------------------------------------------------------------------------


def test_an_answer_is_kept_60_seconds_per_range(staff, seeded, django_assert_num_queries):
    client = APIClient()
    client.force_authenticate(staff)  # no token to look up: only the view's own queries are counted
    march = {"start": "2024-03-04", "end": "2024-03-06"}
    first = client.get(URL, march).json()
    StudySessionFactory(user=seeded["bob"], topic="Algebra", started_at=at("2024-03-05", "10:00"))

    # a second call within the minute does no SQL and shows the same numbers
    with django_assert_num_queries(0):
        second = client.get(URL, march)
    assert second.json() == first
    ttl = cache.ttl(CACHE_KEY.format(start="2024-03-04", end="2024-03-06"))
    assert CACHE_SECONDS - 5 < ttl <= CACHE_SECONDS

    # another range is its own entry, computed afresh
    other = client.get(URL, {"start": "2024-03-05", "end": "2024-03-06"}).json()
    assert other["days"][0]["verified_focus_minutes"] == 30


def test_the_query_count_does_not_grow_with_the_data_or_the_range(staff_client, seeded):
    # given the seeded days, counted over a short range
    few = count_queries(staff_client, URL, {"start": "2024-03-04", "end": "2024-03-06"})
    # when there is much more activity, over a whole year
    for n in range(5):
        user = UserFactory(timezone="Asia/Tokyo")
        StudySessionFactory.create_batch(3, user=user, topic=f"Topic {n}", started_at=at("2024-06-01", f"0{n}:00"))
        TaskFactory(user=user, completed=True, completed_at=at("2024-07-01"))
        ParticipationFactory(user=user)
    many = count_queries(staff_client, URL, {"start": "2024-01-01", "end": "2024-12-31"})
    # then
    assert many == few


def test_posts_of_deleted_accounts_count_nobody(staff_client):
    # given a post and a comment kept from accounts that were deleted, and one living author
    author = UserFactory()
    with time_machine.travel(at("2024-03-04"), tick=False):
        post = Post.objects.create(author=None, title="Kept", content="From a deleted user.")
        Comment.objects.create(post=post, author=None, content="Also kept")
        Post.objects.create(author=author, title="Mine", content="Alive.")

    # when
    body = staff_client.get(URL, {"start": "2024-03-04", "end": "2024-03-04"}).json()

    # then
    assert [day["active_users"] for day in body["days"]] == [1]

"""The home dashboard through the API: each part agrees with its own endpoint, only the caller's data
shows, tasks follow the local calendar across midnight, and the query count is fixed whatever the data."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.tests.factories import NotificationFactory, UserFactory
from analytics.models import WeeklyReview
from analytics.streaks import streak_refresh
from challenges.services import points_award
from challenges.tests.factories import ParticipationFactory, WeeklyChallengeFactory
from community.messaging import message_send
from focus.choices import SessionSource
from focus.rooms import services as room_services
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for, count_queries
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

URL = "/api/dashboard"
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday; 13:00 in Berlin
#: The most queries the dashboard may cost, with the authentication (the first read of a week makes
#: the week's challenges).
MAX_QUERIES = 15
#: The most queries a read costs once the week's challenges exist, with the authentication, without
#: a running timer or a room seat (each costs one query more).
READ_QUERIES = 8


@pytest.fixture
def berliner(db):
    return UserFactory(timezone="Europe/Berlin", daily_focus_goal_minutes=120, full_name="Ada Lovelace")


def get(user, *, at: datetime = NOW) -> dict:
    with time_machine.travel(at, tick=False):
        response = client_for(user).get(URL)
    assert response.status_code == 200, response.content
    return response.json()


def study(user, at: datetime, minutes: int = 30, source=SessionSource.TIMER, **fields):
    return StudySessionFactory(
        user=user,
        started_at=at,
        duration_seconds=minutes * 60,
        source=source,
        verified=source != SessionSource.MANUAL,
        **fields,
    )


def fill(user, other, *, many: int) -> None:
    """``many`` rows of everything the dashboard reads, for ``user`` and some for ``other``."""
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        for n in range(many):
            study(user, NOW - timedelta(days=n, hours=2))
            TaskFactory(user=user, due_date=NOW + timedelta(hours=5, minutes=n))
            TaskFactory(user=user, due_date=NOW - timedelta(days=2, minutes=n))
            NotificationFactory(user=user)
            message_send(sender=other, receiver_id=user.pk, content=f"hi {n}")
            weekly = WeeklyChallengeFactory()
            ParticipationFactory(user=user, weekly_challenge=weekly, progress=1)
            WeeklyReview.objects.create(
                user=user,
                week_start=date(2026, 11, 9) - timedelta(weeks=n),
                week_end=date(2026, 11, 15) - timedelta(weeks=n),
                weekly_summary="s",
                patterns="p",
                recommendations="r",
                generated_by=WeeklyReview.Source.OFFLINE,
            )
            points_award(user=user, points=5, reason="test", source_type="test", source_id=n)
        streak_refresh(user=user)


def test_needs_a_token():
    assert APIClient().get(URL).status_code == 401


def test_a_new_user_sees_zeros_and_this_weeks_challenges(berliner):
    # given someone else who scored this week
    other = UserFactory()
    with time_machine.travel(NOW, tick=False):
        points_award(user=other, points=40, reason="test", source_type="test", source_id=1)

    # when
    body = get(berliner)

    # then
    assert body["user"] == {
        "id": str(berliner.pk),
        "username": berliner.username,
        "full_name": "Ada Lovelace",
        "avatar_url": berliner.avatar_url,
        "tier": "free",
        "points_total": 0,
        "points_this_week": 0,
    }
    today = body["today"]
    assert (today["date"], today["session_count"], today["total_minutes"]) == ("2026-11-18", 0, 0)
    assert (today["goal_minutes"], today["goal_percent"]) == (120, 0.0)
    assert today["active_timer"] is None and today["room"] is None
    assert body["streaks"]["study"]["current_streak"] == 0
    assert body["streaks"]["shutdown"]["current_streak"] == 0
    assert body["tasks"] == {"due_today": {"count": 0, "items": []}, "overdue": {"count": 0, "items": []}}
    assert body["unread"] == {"notifications": 0, "messages": 0}
    assert body["latest_weekly_review"] is None
    assert body["leaderboard"] == {"week_start": "2026-11-16", "rank": 2, "points": 0}
    # the default weekly challenges are made on first need, none joined
    challenges = body["challenges"]
    assert challenges["week_start"] == "2026-11-16"
    assert len(challenges["items"]) >= 1
    assert all(not c["joined"] and c["progress"] is None and c["status"] is None for c in challenges["items"])


def test_each_part_matches_its_own_endpoint(berliner):
    # given a morning of study (verified and manual), tasks, unread items, points and a joined challenge
    other = UserFactory(timezone="UTC")
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        study(berliner, NOW - timedelta(hours=3), minutes=45)
        study(berliner, NOW - timedelta(hours=2), minutes=15, source=SessionSource.MANUAL)
        study(berliner, NOW - timedelta(days=1, hours=2), minutes=20)
        streak_refresh(user=berliner)
        due_late = TaskFactory(user=berliner, title="late today", due_date=NOW + timedelta(hours=10, minutes=30))
        due_soon = TaskFactory(user=berliner, title="soon", due_date=NOW + timedelta(hours=1), priority="low")
        due_soon_high = TaskFactory(user=berliner, title="soon too", due_date=NOW + timedelta(hours=1), priority="high")
        TaskFactory(user=berliner, title="done", due_date=NOW + timedelta(hours=2), completed=True)
        TaskFactory(user=berliner, title="tomorrow", due_date=NOW + timedelta(days=1))
        overdue = TaskFactory(user=berliner, title="yesterday", due_date=NOW - timedelta(days=1))
        TaskFactory(user=other, title="not mine", due_date=NOW + timedelta(hours=1))
        NotificationFactory.create_batch(3, user=berliner)
        NotificationFactory(user=berliner, read_at=NOW)
        NotificationFactory(user=other)
        message_send(sender=other, receiver_id=berliner.pk, content="hello")
        message_send(sender=other, receiver_id=berliner.pk, content="are you there?")
        message_send(sender=berliner, receiver_id=other.pk, content="yes")
        points_award(user=berliner, points=30, reason="test", source_type="test", source_id=1)
        points_award(user=other, points=50, reason="test", source_type="test", source_id=1)
        weekly = WeeklyChallengeFactory(challenge__name="AAA focus", challenge__target_value=5)
        ParticipationFactory(user=berliner, weekly_challenge=weekly, progress=2)
        ParticipationFactory(weekly_challenge=weekly)
        review = WeeklyReview.objects.create(
            user=berliner,
            week_start=date(2026, 11, 9),
            week_end=date(2026, 11, 15),
            weekly_summary="A steady week.",
            patterns="Mornings.",
            recommendations="Keep going.",
            generated_by=WeeklyReview.Source.OFFLINE,
        )
    with time_machine.travel(NOW, tick=False):
        started = client_for(berliner).post("/api/focus-sessions/start", {"duration_minutes": 25}, format="json")
    assert started.status_code == 201

    # when
    body = get(berliner)

    # then
    today = body["today"]
    assert (today["session_count"], today["total_minutes"], today["verified_minutes"], today["manual_minutes"]) == (
        2,
        60,
        45,
        15,
    )
    assert today["goal_percent"] == 50.0
    assert today["active_timer"]["status"] == "active"
    assert body["today"] | {"active_timer": None} == {
        **get_summary_today(berliner)["today"],
        "goal_minutes": 120,
        "active_timer": None,
        "room": None,
    }
    streaks = body["streaks"]
    assert streaks["study"]["current_streak"] == 2 and streaks["study"]["active_today"] is True
    due = body["tasks"]["due_today"]
    assert due["count"] == 3
    assert [t["id"] for t in due["items"]] == [str(due_soon_high.pk), str(due_soon.pk), str(due_late.pk)]
    assert body["tasks"]["overdue"] == {"count": 1, "items": [body["tasks"]["overdue"]["items"][0]]}
    assert body["tasks"]["overdue"]["items"][0]["id"] == str(overdue.pk)
    # three notifications and one for each message received
    assert body["unread"] == {"notifications": 5, "messages": 2}
    with time_machine.travel(NOW, tick=False):
        client = client_for(berliner)
        assert client.get("/api/notifications/unread-count").json()["unread_count"] == 5
        assert client.get("/api/messages/unread-count").json()["unread_count"] == 2
    assert body["user"]["points_total"] == 30 and body["user"]["points_this_week"] == 30
    assert body["leaderboard"] == {"week_start": "2026-11-16", "rank": 2, "points": 30}
    joined = body["challenges"]["items"][0]
    assert (joined["name"], joined["joined"], joined["progress"], joined["total"], joined["joined_count"]) == (
        "AAA focus",
        True,
        2,
        5,
        2,
    )
    assert body["latest_weekly_review"]["id"] == str(review.pk)


def get_summary_today(user) -> dict:
    with time_machine.travel(NOW, tick=False):
        response = client_for(user).get("/api/study-sessions/summary/today")
    assert response.status_code == 200
    return response.json()


def test_at_most_five_tasks_per_bucket_with_the_full_counts(berliner):
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        TaskFactory.create_batch(7, user=berliner, due_date=NOW + timedelta(hours=2))
        TaskFactory.create_batch(6, user=berliner, due_date=NOW - timedelta(days=3))

    tasks = get(berliner)["tasks"]

    assert (tasks["due_today"]["count"], len(tasks["due_today"]["items"])) == (7, 5)
    assert (tasks["overdue"]["count"], len(tasks["overdue"]["items"])) == (6, 5)


def test_tasks_follow_the_local_midnight(berliner):
    # given a task due at 23:30 Berlin time (22:30 UTC) on Wednesday
    with time_machine.travel(NOW, tick=False):
        task = TaskFactory(user=berliner, due_date=datetime(2026, 11, 18, 22, 30, tzinfo=UTC))

    # then it is due today until local midnight, and overdue from the first minute of Thursday
    before = get(berliner, at=datetime(2026, 11, 18, 22, 59, tzinfo=UTC))["tasks"]
    after = get(berliner, at=datetime(2026, 11, 18, 23, 1, tzinfo=UTC))["tasks"]
    assert [t["id"] for t in before["due_today"]["items"]] == [str(task.pk)]
    assert before["overdue"]["count"] == 0
    assert after["due_today"]["count"] == 0
    assert [t["id"] for t in after["overdue"]["items"]] == [str(task.pk)]


def test_today_turns_over_at_local_midnight_across_dst(berliner):
    # given a session late on the Saturday before the clocks go back (2026-10-25 in Berlin)
    study(berliner, datetime(2026, 10, 24, 21, 30, tzinfo=UTC), minutes=40)  # 23:30 CEST

    # then it is today's just before midnight, and not on Sunday
    saturday = get(berliner, at=datetime(2026, 10, 24, 21, 59, tzinfo=UTC))["today"]
    sunday = get(berliner, at=datetime(2026, 10, 24, 22, 1, tzinfo=UTC))["today"]
    assert (saturday["date"], saturday["total_minutes"]) == ("2026-10-24", 40)
    assert (sunday["date"], sunday["total_minutes"]) == ("2026-10-25", 0)


def test_shows_the_room_the_caller_sits_in(berliner):
    host = UserFactory()
    with time_machine.travel(NOW, tick=False):
        room = room_services.room_create(user=host, name="Library")
        room_services.room_join(user=berliner, room=room)

    shown = get(berliner, at=NOW + timedelta(seconds=10))["today"]["room"]

    assert (shown["id"], shown["name"], shown["present"]) == (str(room.pk), "Library", True)
    assert shown["timer"]["status"] == "idle"


def test_another_users_activity_never_shows(berliner):
    other = UserFactory()
    fill(other, berliner, many=3)

    body = get(berliner)

    assert body["today"]["session_count"] == 0
    assert body["tasks"]["due_today"]["count"] == 0 and body["tasks"]["overdue"]["count"] == 0
    assert body["unread"]["notifications"] == 0
    assert body["latest_weekly_review"] is None
    assert body["user"]["points_total"] == 0


def test_the_rank_is_the_weekly_leaderboards_also_below_zero(berliner):
    # given one user who scored, one back at 0 and the caller below 0 after a revoke
    scorer, even = UserFactory(), UserFactory()
    with time_machine.travel(NOW, tick=False):
        points_award(user=scorer, points=10, reason="test", source_type="test", source_id=1)
        points_award(user=even, points=5, reason="test", source_type="test", source_id=2)
        points_award(user=even, points=-5, reason="test", source_type="test", source_id=3)
        points_award(user=berliner, points=-5, reason="test", source_type="test", source_id=4)
        leaders = client_for(berliner).get("/api/challenges/leaders").json()

    # when
    board = get(berliner)["leaderboard"]

    # then
    (mine,) = [row for row in leaders if row["is_current_user"]]
    assert (board["rank"], board["points"]) == (mine["rank"], mine["points"]) == (2, -5)


def test_query_count_is_fixed_whatever_the_data(berliner):
    # given one user with a little and one with a lot of everything
    other = UserFactory()
    few = UserFactory(timezone="Europe/Berlin")
    fill(few, other, many=1)
    fill(berliner, other, many=12)
    with time_machine.travel(NOW, tick=False):
        client_for(berliner).get(URL)  # the week's challenges exist from here on

        # when
        one = count_queries(client_for(few), URL)
        many = count_queries(client_for(berliner), URL)

    # then
    assert one == many <= READ_QUERIES


def test_the_first_read_of_a_week_makes_its_challenges_within_the_budget(berliner):
    with time_machine.travel(NOW, tick=False):
        assert count_queries(client_for(berliner), URL) <= MAX_QUERIES

"""Public stats of a profile and another user's streaks and achievements, through the HTTP API:
what the owner's ``profile_visibility`` shows to a stranger, a group-mate and the owner."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import UserFactory
from analytics.streaks import streak_refresh
from challenges.models import Achievement, UserAchievement
from community.models import Group
from community.tests.factories import group_with
from focus.choices import SessionSource, SessionStatus, SessionType
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

STATS_KEYS = {
    "total_verified_minutes", "total_sessions", "current_streak", "longest_streak", "achievements_unlocked",
    "member_since",
}  # fmt: skip
PROFILE_KEYS = {"id", "username", "full_name", "avatar_url", "bio", "created_at"}
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


def stats_paths(user) -> dict[str, str]:
    """The endpoints that show a user's stats to others, each 404 when they are hidden."""
    return {
        "calendar": f"/api/streaks/calendar/{user.pk}",
        "stats": f"/api/streaks/stats/{user.pk}",
        "streak": f"/api/streaks/{user.pk}",
        "achievements": f"/api/users/{user.pk}/achievements",
    }


def set_visibility(user, visibility: str) -> None:
    User.objects.filter(pk=user.pk).update(preferences={"theme": "dark", "profile_visibility": visibility})


@pytest.fixture
def owner(db):
    return UserFactory(timezone="Europe/Berlin")


@pytest.fixture
def viewers(owner):
    """A stranger, a member of one of the owner's groups, and the owner."""
    mate = UserFactory()
    group_with(leader=owner, members=[mate])
    return {"stranger": UserFactory(), "group-mate": mate, "owner": owner}


@pytest.fixture
def history(owner):
    """Two days of study and two achievements: 45 + 5 verified minutes (the 5-minute timer is not a
    session), a manual log, a stopped timer and a break that count in none of the public figures."""
    day = NOW - timedelta(days=1)
    StudySessionFactory(user=owner, started_at=day - timedelta(days=1), planned_duration=45)
    StudySessionFactory(user=owner, started_at=day, planned_duration=5)
    StudySessionFactory(user=owner, started_at=day, manual=True, duration_seconds=90 * 60)
    StudySessionFactory(user=owner, started_at=day, status=SessionStatus.STOPPED, duration_seconds=20 * 60)
    StudySessionFactory(user=owner, started_at=day, session_type=SessionType.BREAK, planned_duration=15)
    for achievement in Achievement.objects.order_by("code")[:2]:
        UserAchievement.objects.create(user=owner, achievement=achievement)
    with time_machine.travel(NOW, tick=False):
        streak_refresh(user=owner)


# --- the profile ---------------------------------------------------------------------------------


def test_the_owner_sees_their_own_stats(owner, history):
    # given
    set_visibility(owner, "private")
    # when
    with time_machine.travel(NOW, tick=False):
        response = client_for(owner).get(f"/api/users/{owner.pk}/")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == PROFILE_KEYS | STATS_KEYS
    assert body["total_verified_minutes"] == 50
    assert body["total_sessions"] == 1
    assert (body["current_streak"], body["longest_streak"]) == (2, 2)
    assert body["achievements_unlocked"] == 2
    assert body["member_since"] == owner.created_at.astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()


def test_member_since_is_the_local_day_the_owner_joined(other_user):
    # given: a Tokyo user who joined at 23:30 UTC, already the next morning in Tokyo
    with time_machine.travel(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), tick=False):
        tokyo = UserFactory(timezone="Asia/Tokyo")
    # when
    body = client_for(other_user).get(f"/api/users/{tokyo.pk}").json()
    # then
    assert body["member_since"] == "2026-04-01"
    assert body["created_at"].startswith("2026-03-31T23:30")


def test_a_streak_that_broke_reads_0_but_keeps_the_longest(owner, history, other_user):
    # when: three days after the last study day
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        body = client_for(other_user).get(f"/api/users/{owner.pk}").json()
    # then
    assert (body["current_streak"], body["longest_streak"]) == (0, 2)


def test_a_user_without_history_shows_zeros_not_nothing(owner, other_user):
    # when
    body = client_for(other_user).get(f"/api/users/{owner.pk}").json()
    # then
    assert {key: body[key] for key in STATS_KEYS - {"member_since"}} == dict.fromkeys(STATS_KEYS - {"member_since"}, 0)


VISIBLE = {
    ("public", "stranger"): True,
    ("public", "group-mate"): True,
    ("public", "owner"): True,
    ("groups", "stranger"): False,
    ("groups", "group-mate"): True,
    ("groups", "owner"): True,
    ("private", "stranger"): False,
    ("private", "group-mate"): False,
    ("private", "owner"): True,
}


@pytest.mark.parametrize(("visibility", "viewer"), list(VISIBLE))
def test_profile_visibility_governs_the_stats_on_the_profile(owner, viewers, history, visibility, viewer):
    # given
    set_visibility(owner, visibility)
    # when
    with time_machine.travel(NOW, tick=False):
        response = client_for(viewers[viewer]).get(f"/api/users/{owner.pk}/")
    # then: the profile is always there; hidden stats are absent, not zero
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == (PROFILE_KEYS | STATS_KEYS if VISIBLE[visibility, viewer] else PROFILE_KEYS)
    assert body["username"] == owner.username
    if VISIBLE[visibility, viewer]:
        assert (body["total_verified_minutes"], body["achievements_unlocked"]) == (50, 2)


@pytest.mark.parametrize(("visibility", "viewer"), list(VISIBLE))
def test_profile_visibility_governs_streaks_and_achievements(owner, viewers, history, visibility, viewer):
    # given
    set_visibility(owner, visibility)
    # when
    with time_machine.travel(NOW, tick=False):
        client = client_for(viewers[viewer])
        responses = {name: client.get(path) for name, path in stats_paths(owner).items()}
    # then: hidden stats answer as an unknown user does
    expected = 200 if VISIBLE[visibility, viewer] else 404
    assert {name: response.status_code for name, response in responses.items()} == dict.fromkeys(responses, expected)
    if expected == 200:
        assert responses["stats"].json()["longest_streak"] == 2
        assert responses["streak"].json()["current_streak"] == 2
        assert len(responses["achievements"].json()) == 2
        assert len(responses["calendar"].json()["days"]) == 2


def test_an_unset_visibility_is_public(owner, history, other_user):
    # given
    User.objects.filter(pk=owner.pk).update(preferences={"theme": "dark"})
    # when
    body = client_for(other_user).get(f"/api/users/{owner.pk}").json()
    # then
    assert set(body) == PROFILE_KEYS | STATS_KEYS


def test_a_deleted_group_no_longer_makes_group_mates(owner, history):
    # given
    mate = UserFactory()
    group = group_with(leader=owner, members=[mate])
    set_visibility(owner, "groups")
    assert set(client_for(mate).get(f"/api/users/{owner.pk}").json()) == PROFILE_KEYS | STATS_KEYS
    Group.objects.filter(pk=group.pk).update(is_active=False)
    # when
    body = client_for(mate).get(f"/api/users/{owner.pk}").json()
    # then
    assert set(body) == PROFILE_KEYS
    assert client_for(mate).get(f"/api/streaks/stats/{owner.pk}").status_code == 404


def test_a_former_group_mate_no_longer_sees_groups_stats(owner):
    # given
    mate = UserFactory()
    group = group_with(leader=owner, members=[mate])
    set_visibility(owner, "groups")
    # when
    assert client_for(mate).delete(f"/api/groups/{group.pk}/leave").status_code == 204
    # then
    assert set(client_for(mate).get(f"/api/users/{owner.pk}").json()) == PROFILE_KEYS


def test_a_groups_profile_shows_stats_to_a_mate_and_not_to_the_others_in_one_list(owner, viewers):
    # given: the owner sees the mate's stats both ways round only through a shared group
    set_visibility(viewers["group-mate"], "groups")
    set_visibility(viewers["stranger"], "groups")
    client = client_for(owner)
    # when
    mate = client.get(f"/api/users/{viewers['group-mate'].pk}").json()
    stranger = client.get(f"/api/users/{viewers['stranger'].pk}").json()
    # then
    assert set(mate) == PROFILE_KEYS | STATS_KEYS
    assert set(stranger) == PROFILE_KEYS


def test_the_user_list_carries_no_stats(owner, history, other_user):
    # when
    response = client_for(other_user).get(f"/api/users/?search={owner.username}")
    # then
    assert response.status_code == 200
    assert set(response.json()["results"][0]) == {"id", "username", "full_name", "avatar_url"}


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


@pytest.mark.parametrize("visibility", ["public", "groups"])
def test_the_profile_costs_the_same_queries_whatever_the_history(owner, visibility):
    # given
    mate = UserFactory()
    group_with(leader=owner, members=[mate])
    set_visibility(owner, visibility)
    client = client_for(mate)
    empty = count_queries(client, f"/api/users/{owner.pk}")
    for day in range(30):
        StudySessionFactory(user=owner, started_at=NOW - timedelta(days=day + 1))
    for achievement in Achievement.objects.all():
        UserAchievement.objects.create(user=owner, achievement=achievement)
    for _ in range(5):
        group_with(leader=owner, members=[mate, UserFactory()])
    streak_refresh(user=owner)
    # when
    busy = count_queries(client, f"/api/users/{owner.pk}")
    # then
    assert client.get(f"/api/users/{owner.pk}").json()["total_sessions"] == 30
    assert busy == empty


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["profile", "calendar", "stats", "streak", "achievements"])
def test_every_stats_endpoint_needs_a_token(api_client, owner, name):
    path = {"profile": f"/api/users/{owner.pk}/", **stats_paths(owner)}[name]
    assert api_client.get(path).status_code == 401


@pytest.mark.parametrize("name", ["profile", "calendar", "stats", "streak", "achievements"])
def test_every_stats_endpoint_is_404_for_an_unknown_or_inactive_user(auth_client, name):
    for missing in (User(pk=uuid.uuid4()), UserFactory(is_active=False)):
        path = {"profile": f"/api/users/{missing.pk}/", **stats_paths(missing)}[name]
        assert auth_client.get(path).status_code == 404


def test_a_bad_month_for_another_users_calendar_is_400_naming_it(owner, other_user):
    response = client_for(other_user).get(f"/api/streaks/calendar/{owner.pk}?month=2026-13")
    assert response.status_code == 400
    assert set(response.json()) == {"month"}


# --- another user's calendar and streak, on the owner's local days --------------------------------


def test_another_users_calendar_and_streak_follow_the_owners_local_days(django_capture_on_commit_callbacks):
    # given: a New Yorker logs 30 minutes at 23:30 local on the night the clocks spring forward
    # (8 March 2026), i.e. 03:30 UTC on the 9th, and more on the evening of 31 March
    new_yorker = UserFactory(timezone="America/New_York")
    for start in (datetime(2026, 3, 9, 3, 30, tzinfo=UTC), datetime(2026, 4, 1, 3, 0, tzinfo=UTC)):
        with (
            time_machine.travel(start + timedelta(hours=1), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client_for(new_yorker).post(
                "/api/study-sessions/",
                {"topic": "Calculus", "duration_minutes": 30, "started_at": start.isoformat()},
                format="json",
            )
            assert response.status_code == 201, response.content
    kiribati = UserFactory(timezone="Pacific/Kiritimati")
    # when: at 03:45 UTC on 1 April, already the afternoon of 1 April for the viewer (UTC+14) but
    # still 31 March, 23:45, in New York
    with time_machine.travel(datetime(2026, 4, 1, 3, 45, tzinfo=UTC), tick=False):
        viewer = client_for(kiribati)
        calendar = viewer.get(f"/api/streaks/calendar/{new_yorker.pk}").json()
        march = viewer.get(f"/api/streaks/calendar/{new_yorker.pk}?month=2026-03").json()
        stats = viewer.get(f"/api/streaks/stats/{new_yorker.pk}").json()
    # then: the default month is the owner's, and the days are the owner's local days
    assert calendar == march
    assert calendar["month"] == "2026-03"
    assert calendar["days"] == [
        {"date": "2026-03-08", "session_count": 1, "minutes": 30},
        {"date": "2026-03-31", "session_count": 1, "minutes": 30},
    ]
    assert (stats["current_streak"], stats["active_today"], stats["last_active_date"]) == (1, True, "2026-03-31")


def test_another_users_achievements_are_those_of_their_own_list(owner, history, other_user):
    # given
    own = client_for(owner).get("/api/achievements/me").json()
    # when
    response = client_for(other_user).get(f"/api/users/{owner.pk}/achievements/")
    # then
    assert response.status_code == 200
    assert response.json() == own
    assert [row["unlocked_at"] for row in own] == sorted((row["unlocked_at"] for row in own), reverse=True)


def test_counted_sources_of_the_profile_are_timer_and_room_only(owner, other_user):
    # given
    StudySessionFactory(user=owner, source=SessionSource.ROOM, verified=True, planned_duration=25)
    StudySessionFactory(user=owner, source=SessionSource.TIMER, verified=False, planned_duration=25)
    # when
    body = client_for(other_user).get(f"/api/users/{owner.pk}").json()
    # then
    assert (body["total_verified_minutes"], body["total_sessions"]) == (25, 1)

"""The SPA's challenge endpoints: the week's challenges, join and leave, and the caller's stats, with
the contract's keys; the seed's defaults installed by the migration."""

import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from challenges.choices import ParticipationStatus
from challenges.models import Challenge, Participation, WeeklyChallenge
from challenges.selectors import week_changed
from challenges.services import points_award
from challenges.tests.factories import (
    ChallengeFactory,
    ParticipationFactory,
    WeeklyChallengeFactory,
    default_challenges,
    default_instance,
)
from focus.models import ShutdownReflection
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

WEEK = date(2026, 5, 4)  # a Monday
THURSDAY = datetime(2026, 5, 7, 12, 0, tzinfo=UTC)
DEFAULTS = {
    ("Healthy Boundaries", "Log off before 5pm for 5 days", "shutdown", 5, 75),
    ("Focus Sprint Master", "Complete 10 focus sessions", "focus", 10, 75),
    ("Break Champion", "Take proper breaks during 5 work sessions", "break", 5, 75),
}
WEEK_KEYS = {
    "id", "name", "description", "points", "challenge_type", "target_value", "duration_days", "is_active",
    "created_at", "week_start", "joined_count", "joined_avatars", "progress", "total", "status",
}  # fmt: skip


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def get_week(user, when: datetime = THURSDAY) -> list[dict]:
    with at(when):
        response = client_for(user).get("/api/challenges/week")
    assert response.status_code == 200, response.content
    return response.json()


def item(items: list[dict], instance: WeeklyChallenge) -> dict:
    (found,) = [entry for entry in items if entry["id"] == str(instance.pk)]
    return found


def join(user, instance_id, when: datetime = THURSDAY, path="/api/challenges/{}/join"):
    with at(when):
        return client_for(user).post(path.format(instance_id))


def leave(user, instance_id, when: datetime = THURSDAY, path="/api/challenges/{}/leave"):
    with at(when):
        return client_for(user).delete(path.format(instance_id))


@pytest.fixture
def focus_week():
    """This week's instance of the default focus challenge (Focus Sprint Master, 10 sessions)."""
    with at(THURSDAY):
        return default_instance("focus")


# --- the defaults --------------------------------------------------------------------------------
# These two read what the migration installed: pytest-django runs the tests that roll back before the
# ones that flush the database, so the migration's rows are still there.


def test_the_migration_installs_the_seeds_three_challenges():
    # when: nothing but the migrations has run
    installed = Challenge.objects.filter(name__in=[name for name, *_ in DEFAULTS]).values_list(
        "name", "description", "challenge_type", "target_value", "points", "duration_days", "is_active", "is_weekly"
    )
    # then
    assert set(installed) == {(*definition, 7, True, True) for definition in DEFAULTS}


def test_a_fresh_install_shows_the_defaults_for_the_current_week_without_any_job():
    # given: no week's instance exists yet
    user = UserFactory()
    assert not WeeklyChallenge.objects.exists()
    # when
    items = get_week(user)
    # then
    assert {(i["name"], i["description"], i["challenge_type"], i["target_value"], i["points"]) for i in items} == (
        DEFAULTS
    )
    assert {i["week_start"] for i in items} == {"2026-05-04"}
    assert {(i["joined_count"], i["progress"], i["total"], i["status"]) for i in items} == {(0, None, None, None)}


# --- the week ------------------------------------------------------------------------------------


def test_week_lists_the_contract_keys(user):
    # given
    default_challenges()
    # when
    items = get_week(user)
    # then
    focus = next(i for i in items if i["name"] == "Focus Sprint Master")
    assert set(focus) == WEEK_KEYS
    instance = WeeklyChallenge.objects.get(challenge__name="Focus Sprint Master", week_start=WEEK)
    assert focus == {
        "id": str(instance.pk), "name": "Focus Sprint Master", "description": "Complete 10 focus sessions",
        "points": 75, "challenge_type": "focus", "target_value": 10, "duration_days": 7, "is_active": True,
        "created_at": "2026-05-07T12:00:00Z", "week_start": "2026-05-04", "joined_count": 0, "joined_avatars": [],
        "progress": None, "total": None, "status": None,
    }  # fmt: skip


def test_week_lists_only_this_weeks_active_challenges(user):
    # given
    defaults = default_challenges()
    WeeklyChallengeFactory(challenge=defaults["focus"], week_start=WEEK - timedelta(days=7))
    ChallengeFactory(name="Retired", is_active=False)
    ChallengeFactory(name="Task Tamer", challenge_type="task")
    # when
    items = get_week(user)
    # then
    assert sorted(i["name"] for i in items) == [
        "Break Champion", "Focus Sprint Master", "Healthy Boundaries", "Task Tamer",
    ]  # fmt: skip
    assert {i["week_start"] for i in items} == {"2026-05-04"}


def test_week_shows_the_joined_count_and_the_first_three_joiners_avatars(user, focus_week):
    # given: the first joiner has no avatar of their own, the others have one
    first = UserFactory(avatar_source=None)
    with time_machine.travel("2026-05-05T08:00:00Z", tick=False):
        ParticipationFactory(user=first, weekly_challenge=focus_week)
    for n in range(1, 6):
        with time_machine.travel(f"2026-05-05T{8 + n:02d}:00:00Z", tick=False):
            ParticipationFactory(user=UserFactory(avatar_source=f"/avatars/{n}.png"), weekly_challenge=focus_week)
    # when
    focus = item(get_week(user), focus_week)
    # then: everyone shows an avatar, the generated default for the one without
    assert focus["joined_count"] == 6
    assert focus["joined_avatars"] == [first.avatar_url, "/avatars/1.png", "/avatars/2.png"]
    assert first.avatar_url.startswith(f"/api/users/{first.pk}/avatar?v=")


def test_week_progress_total_and_status_are_null_until_the_caller_joins(user, other_user, focus_week):
    # given
    ParticipationFactory(user=other_user, weekly_challenge=focus_week, progress=4)
    # when
    focus = item(get_week(user), focus_week)
    # then
    assert (focus["joined_count"], focus["progress"], focus["total"], focus["status"]) == (1, None, None, None)


def test_week_shows_the_callers_own_progress(user, other_user, focus_week):
    # given
    ParticipationFactory(user=user, weekly_challenge=focus_week, progress=2)
    ParticipationFactory(user=other_user, weekly_challenge=focus_week, progress=7)
    # when
    focus = item(get_week(user), focus_week)
    # then
    assert (focus["joined_count"], focus["progress"], focus["total"], focus["status"]) == (2, 2, 10, "in_progress")


def test_week_query_count_does_not_grow_with_participants(user, focus_week):
    # given: a first request has created the week's instances
    ParticipationFactory(user=UserFactory(avatar_source="/avatars/0.png"), weekly_challenge=focus_week)
    with at(THURSDAY):
        client = client_for(user)
        client.get("/api/challenges/week")
        week_changed()
        with CaptureQueriesContext(connection) as with_one:
            one = client.get("/api/challenges/week")
        for n in range(19):
            ParticipationFactory(user=UserFactory(avatar_source=f"/avatars/{n + 1}.png"), weekly_challenge=focus_week)
        week_changed()  # as a join through the API does: the read computes again
        # when
        with CaptureQueriesContext(connection) as with_twenty:
            twenty = client.get("/api/challenges/week")
    # then
    assert item(one.json(), focus_week)["joined_count"] == 1
    assert item(twenty.json(), focus_week)["joined_count"] == 20
    assert len(item(twenty.json(), focus_week)["joined_avatars"]) == 3
    assert len(with_twenty) == len(with_one)


def test_week_query_count_does_not_grow_with_challenges(user, other_user):
    # given: the three defaults, each joined, after a first request has created the week's instances
    default_challenges()
    with at(THURSDAY):
        client = client_for(user)
        for instance in (WeeklyChallenge.objects.get(pk=i["id"]) for i in client.get("/api/challenges/week").json()):
            ParticipationFactory(user=other_user, weekly_challenge=instance)
        week_changed()  # as a join through the API does: the read computes again
        with CaptureQueriesContext(connection) as with_three:
            three = client.get("/api/challenges/week").json()
        for n in range(5):
            ParticipationFactory(user=other_user, weekly_challenge__challenge__name=f"Extra {n}")
        week_changed()
        client.get("/api/challenges/week")
        week_changed()
        # when
        with CaptureQueriesContext(connection) as with_eight:
            eight = client.get("/api/challenges/week").json()
    # then
    assert (len(three), len(eight)) == (3, 8)
    assert {i["joined_count"] for i in eight} == {1}
    assert len(with_eight) == len(with_three)


def test_week_read_again_costs_one_redis_round_trip_and_the_callers_query(
    settings, user, other_user, focus_week, redis_commands
):
    # given: the token's user cached, as in production, and everybody's part computed by an earlier read
    settings.LEARNFLOW_AUTH_USER_CACHE_SECONDS = 30
    ParticipationFactory(user=other_user, weekly_challenge=focus_week)
    with at(THURSDAY):
        client = client_for(user)
        first = client.get("/api/challenges/week").json()
        redis_commands.clear()
        # when
        with CaptureQueriesContext(connection) as again:
            response = client.get("/api/challenges/week")
    # then: the caller's participations, read with the token's user and the cached week in one MGET
    assert response.json() == first
    assert item(first, focus_week)["joined_count"] == 1
    assert len(again) == 1
    assert redis_commands == ["MGET"]


def test_week_shows_joins_and_leaves_of_others_at_once(user, other_user, focus_week):
    # given
    assert item(get_week(user), focus_week)["joined_count"] == 0
    # when
    assert join(other_user, focus_week.pk).status_code == 200
    joined = item(get_week(user), focus_week)
    assert leave(other_user, focus_week.pk).status_code == 200
    left = item(get_week(user), focus_week)
    # then
    assert (joined["joined_count"], joined["joined_avatars"]) == (1, [other_user.avatar_url])
    assert (left["joined_count"], left["joined_avatars"]) == (0, [])


def test_week_shows_the_callers_own_join_on_the_next_read(user, focus_week):
    # given
    assert item(get_week(user), focus_week)["status"] is None
    # when
    assert join(user, focus_week.pk).status_code == 200
    focus = item(get_week(user), focus_week)
    # then
    assert (focus["joined_count"], focus["status"], focus["total"]) == (1, "in_progress", 10)


def test_week_shows_a_challenge_edited_in_the_admin_at_once(user, focus_week):
    # given
    assert item(get_week(user), focus_week)["points"] == 75
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    challenge = focus_week.challenge
    fields = {
        "name": challenge.name,
        "description": challenge.description,
        "points": 90,
        "challenge_type": challenge.challenge_type,
        "target_value": challenge.target_value,
        "duration_days": challenge.duration_days,
        "is_active": "on",
        "is_weekly": "on",
    }
    # when
    response = staff.post(reverse("admin:challenges_challenge_change", args=[challenge.pk]), fields)
    # then
    assert response.status_code == 302
    assert item(get_week(user), focus_week)["points"] == 90


def test_week_needs_a_token(api_client):
    # when
    response = api_client.get("/api/challenges/week")
    # then
    assert response.status_code == 401


# --- join ----------------------------------------------------------------------------------------


def test_join_answers_the_challenge_with_the_callers_progress(user, focus_week):
    # when
    response = join(user, focus_week.pk)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert {key: body[key] for key in ("id", "name", "description", "points", "progress", "total", "status")} == {
        "id": str(focus_week.pk),
        "name": "Focus Sprint Master",
        "description": "Complete 10 focus sessions",
        "points": 75,
        "progress": 0,
        "total": 10,
        "status": "in_progress",
    }
    assert body["joined_count"] == 1
    assert Participation.objects.filter(user=user, weekly_challenge=focus_week).count() == 1


def test_join_works_with_and_without_the_trailing_slash(user, other_user, focus_week):
    # when
    without = join(user, focus_week.pk, path="/api/challenges/{}/join")
    with_slash = join(other_user, focus_week.pk, path="/api/challenges/{}/join/")
    # then
    assert (without.status_code, with_slash.status_code) == (200, 200)
    assert Participation.objects.filter(weekly_challenge=focus_week).count() == 2


def test_joining_an_unknown_challenge_is_not_found(user):
    # when
    response = join(user, uuid.uuid4())
    # then
    assert response.status_code == 404
    assert "detail" in response.json()
    assert not Participation.objects.exists()


def test_joining_twice_is_a_conflict(user, focus_week):
    # given
    assert join(user, focus_week.pk).status_code == 200
    # when
    response = join(user, focus_week.pk)
    # then
    assert response.status_code == 409
    assert "detail" in response.json()
    assert Participation.objects.filter(user=user).count() == 1


def test_joining_a_past_weeks_challenge_is_a_conflict(user):
    # given
    last_week = WeeklyChallengeFactory(challenge=default_challenges()["focus"], week_start=WEEK - timedelta(days=7))
    # when
    response = join(user, last_week.pk)
    # then
    assert response.status_code == 409
    assert not Participation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_joins_by_one_user_make_one_participation(user):
    # given: five requests released at the same moment
    instance = WeeklyChallengeFactory(challenge__target_value=3)
    threads_count = 5
    barrier = threading.Barrier(threads_count)
    clients = [client_for(user) for _ in range(threads_count)]
    statuses: list[int] = []
    lock = threading.Lock()

    def post(client):
        try:
            barrier.wait(timeout=10)
            response = client.post(f"/api/challenges/{instance.pk}/join")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert sorted(statuses) == [200] + [409] * (threads_count - 1)
    assert Participation.objects.filter(user=user, weekly_challenge=instance).count() == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/challenges/{}/join"),
        ("delete", "/api/challenges/{}/leave"),
        ("get", "/api/challenges/stats"),
        ("get", "/api/challenges/leaders"),
    ],
)
def test_challenge_endpoints_need_a_token(api_client, focus_week, method, path):
    # when
    response = getattr(api_client, method)(path.format(focus_week.pk))
    # then
    assert response.status_code == 401
    assert not Participation.objects.exists()


# --- leave ---------------------------------------------------------------------------------------


def test_leaving_a_joined_challenge(user, focus_week):
    # given
    assert join(user, focus_week.pk).status_code == 200
    # when
    response = leave(user, focus_week.pk)
    # then
    assert response.status_code == 200
    assert response.json() == {"message": "Successfully left challenge"}
    assert not Participation.objects.filter(user=user).exists()
    focus = item(get_week(user), focus_week)
    assert (focus["joined_count"], focus["status"]) == (0, None)


def test_leave_works_with_the_trailing_slash(user, focus_week):
    # given
    ParticipationFactory(user=user, weekly_challenge=focus_week)
    # when
    response = leave(user, focus_week.pk, path="/api/challenges/{}/leave/")
    # then
    assert response.status_code == 200
    assert not Participation.objects.filter(user=user).exists()


def test_leaving_a_challenge_not_joined_is_a_conflict(user, other_user, focus_week):
    # given: only another user joined
    ParticipationFactory(user=other_user, weekly_challenge=focus_week)
    # when
    response = leave(user, focus_week.pk)
    # then
    assert response.status_code == 409
    assert Participation.objects.filter(user=other_user).exists()


def test_a_completed_challenge_cannot_be_left(user, focus_week):
    # given
    ParticipationFactory(
        user=user, weekly_challenge=focus_week, progress=10, status=ParticipationStatus.COMPLETED, points_earned=75
    )
    # when
    response = leave(user, focus_week.pk)
    # then
    assert response.status_code == 409
    assert Participation.objects.get(user=user).status == "completed"


def test_leaving_an_unknown_challenge_is_not_found(user):
    # when
    response = leave(user, uuid.uuid4())
    # then
    assert response.status_code == 404


# --- progress is never set by a client -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/challenges/{}/progress", "/api/challenges/{}/progress/"])
def test_there_is_no_endpoint_that_sets_progress(user, focus_week, path):
    # given
    ParticipationFactory(user=user, weekly_challenge=focus_week)
    # when
    with at(THURSDAY):
        response = client_for(user).post(path.format(focus_week.pk), {"progress": 10}, format="json")
    # then
    assert response.status_code in (404, 405)
    participation = Participation.objects.get(user=user)
    assert (participation.progress, participation.status, participation.points_earned) == (0, "in_progress", 0)


# --- stats ---------------------------------------------------------------------------------------


def test_stats_of_a_new_user(user):
    # when
    with at(THURSDAY):
        response = client_for(user).get("/api/challenges/stats")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "total_points": 0,
        "challenges_done": 0,
        "shutdown_streak": 0,
        "avg_shutdown_time": "0:00",
    }


def reflection(user, when: datetime, tz: str = "Europe/Berlin") -> ShutdownReflection:
    with at(when):
        return ShutdownReflection.objects.create(
            user=user, productivity_rating="good", local_date=when.astimezone(ZoneInfo(tz)).date()
        )


def test_stats_count_the_callers_points_challenges_and_shutdowns(other_user):
    # given: a Berlin user (UTC+2 in May) with points, two completed challenges and two shutdowns
    user = UserFactory(timezone="Europe/Berlin")
    with at(THURSDAY):
        points_award(user=user, points=40, reason="achievement", source_type="a", source_id="1")
        points_award(user=user, points=35, reason="achievement", source_type="a", source_id="2")
        points_award(user=other_user, points=500, reason="achievement", source_type="a", source_id="1")
    ParticipationFactory.create_batch(2, user=user, status=ParticipationStatus.COMPLETED)
    ParticipationFactory(user=user, status=ParticipationStatus.IN_PROGRESS)
    ParticipationFactory(user=user, status=ParticipationStatus.INCOMPLETE)
    ParticipationFactory(user=other_user, status=ParticipationStatus.COMPLETED)
    reflection(user, datetime(2026, 5, 5, 15, 0, tzinfo=UTC))  # Tuesday 17:00 in Berlin
    reflection(user, datetime(2026, 5, 6, 16, 0, tzinfo=UTC))  # Wednesday 18:00 in Berlin
    reflection(other_user, datetime(2026, 5, 6, 4, 0, tzinfo=UTC))
    # when: Wednesday evening in Berlin
    with at(datetime(2026, 5, 6, 19, 0, tzinfo=UTC)):
        response = client_for(user).get("/api/challenges/stats")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "total_points": 75,
        "challenges_done": 2,
        "shutdown_streak": 2,
        "avg_shutdown_time": "17:30",
    }


def test_avg_shutdown_time_averages_the_last_30_reflections():
    # given: thirty days of shutdowns at 18:00 local, and an older one at 06:00
    user = UserFactory(timezone="Europe/Berlin")
    first_day = datetime(2026, 4, 1, 4, 0, tzinfo=UTC)  # 06:00 in Berlin
    reflection(user, first_day)
    for day in range(1, 31):
        reflection(user, first_day + timedelta(days=day, hours=12))
    # when
    with at(first_day + timedelta(days=30, hours=14)):
        body = client_for(user).get("/api/challenges/stats").json()
    # then
    assert body["avg_shutdown_time"] == "18:00"
    assert body["shutdown_streak"] == 31


def test_avg_shutdown_time_treats_after_midnight_as_the_evening_before(user):
    from focus.models import ShutdownReflection

    for hour, minute in ((23, 30), (0, 30)):
        reflection = ShutdownReflection.objects.create(user=user, productivity_rating="good", local_date="2026-11-20")
        ShutdownReflection.objects.filter(pk=reflection.pk).update(
            created_at=datetime(2026, 11, 20 if hour else 21, hour, minute, tzinfo=UTC)
        )
    assert client_for(user).get("/api/challenges/stats").json()["avg_shutdown_time"] == "00:00"

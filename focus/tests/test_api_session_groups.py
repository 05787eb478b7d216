"""A study session's optional group, through the API: one of the caller's active groups when a
session is logged, a timer started or a session edited; the ``?group=`` filter; and a session that
keeps its group after its owner leaves the group."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from community.tests.factories import group_with
from focus.models import StudySession
from focus.selectors import study_sessions_export
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

LIST = "/api/study-sessions/"
START = "/api/focus-sessions/start"
NOW = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)


def at(moment: datetime = NOW):
    return time_machine.travel(moment, tick=False)


def detail(session) -> str:
    return f"{LIST}{session.pk}"


def log(user, **body):
    with at():
        return client_for(user).post(LIST, {"topic": "Calculus", "duration_minutes": 45, **body}, format="json")


def start(user, when: datetime = NOW, **body):
    with at(when):
        return client_for(user).post(START, {"duration_minutes": 25, **body}, format="json")


def listed(user, params: dict) -> list[str]:
    response = client_for(user).get(LIST, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def my_group(user, other_user):
    return group_with(leader=other_user, members=[user])


# --- logging and starting with a group -----------------------------------------------------------


def test_log_a_session_in_a_group_of_mine(user, my_group):
    # when
    response = log(user, group=str(my_group.pk))
    # then
    assert response.status_code == 201, response.content
    assert response.json()["group"] == str(my_group.pk)
    assert StudySession.objects.get(pk=response.json()["id"]).group_id == my_group.pk


def test_a_log_without_a_group_has_none(user, my_group):
    response = log(user)
    assert response.status_code == 201, response.content
    assert response.json()["group"] is None
    assert log(user, group=None).json()["group"] is None


def test_a_group_leader_logs_in_their_own_group(other_user, my_group):
    response = log(other_user, group=str(my_group.pk))
    assert response.status_code == 201, response.content
    assert response.json()["group"] == str(my_group.pk)


def test_a_timer_started_in_a_group_keeps_it_when_completed(user, my_group):
    # given
    started = start(user, group=str(my_group.pk))
    assert started.status_code == 201, started.content
    assert started.json()["group"] == str(my_group.pk)
    session_id = started.json()["session_id"]
    # when
    with at(NOW + timedelta(minutes=25)):
        completed = client_for(user).post(f"/api/focus-sessions/{session_id}/complete", {}, format="json")
    # then
    assert completed.status_code == 200, completed.content
    assert (completed.json()["status"], completed.json()["group"]) == ("completed", str(my_group.pk))
    with at(NOW + timedelta(minutes=26)):
        shown = client_for(user).get(f"{LIST}{session_id}")
    assert shown.json()["group"] == str(my_group.pk)


def test_a_stopped_timer_keeps_its_group(user, my_group):
    session_id = start(user, group=str(my_group.pk)).json()["session_id"]
    with at(NOW + timedelta(minutes=5)):
        stopped = client_for(user).post(f"/api/focus-sessions/{session_id}/stop", {}, format="json")
    assert stopped.status_code == 200, stopped.content
    assert (stopped.json()["status"], stopped.json()["group"]) == ("stopped", str(my_group.pk))


# --- groups that are refused ---------------------------------------------------------------------


def _not_mine(user, other_user):
    return group_with(leader=other_user)


def _inactive(user, other_user):
    return group_with(leader=other_user, members=[user], is_active=False)


@pytest.mark.parametrize("make_group", [_not_mine, _inactive], ids=["not-a-member", "inactive"])
def test_a_group_that_is_not_one_of_my_active_groups_names_group(user, other_user, make_group):
    # given
    group = make_group(user, other_user)
    # when
    logged = log(user, group=str(group.pk))
    started = start(user, group=str(group.pk))
    # then
    assert (logged.status_code, list(logged.json())) == (400, ["group"])
    assert (started.status_code, list(started.json())) == (400, ["group"])
    assert not StudySession.objects.exists()


@pytest.mark.parametrize(
    "raw", [str(uuid.uuid4()), "not-a-uuid", 12, True, {"id": "x"}], ids=["unknown", "text", "int", "bool", "object"]
)
def test_an_unknown_or_malformed_group_names_group(user, my_group, raw):
    logged = log(user, group=raw)
    started = start(user, group=raw)
    assert (logged.status_code, list(logged.json())) == (400, ["group"])
    assert (started.status_code, list(started.json())) == (400, ["group"])
    assert not StudySession.objects.exists()


# --- editing the group ---------------------------------------------------------------------------


def test_patch_sets_and_clears_the_group(user, my_group):
    # given
    session = StudySessionFactory(user=user, topic="Rust")
    client = client_for(user)
    # when
    set_response = client.patch(detail(session), {"group": str(my_group.pk)}, format="json")
    # then
    assert set_response.status_code == 200, set_response.content
    assert set_response.json()["group"] == str(my_group.pk)
    session.refresh_from_db()
    assert (session.group_id, session.topic) == (my_group.pk, "Rust")
    # when
    cleared = client.patch(detail(session), {"group": None}, format="json")
    # then
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["group"] is None
    session.refresh_from_db()
    assert session.group_id is None


def test_put_moves_a_session_to_another_group_of_mine(user, other_user, my_group):
    second = group_with(leader=user)
    session = StudySessionFactory(user=user, group=my_group)
    response = client_for(user).put(detail(session), {"group": str(second.pk)}, format="json")
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert session.group_id == second.pk


def test_patch_of_other_fields_leaves_the_group(user, my_group):
    session = StudySessionFactory(user=user, group=my_group)
    response = client_for(user).patch(detail(session), {"topic": "Go"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["group"] == str(my_group.pk)


@pytest.mark.parametrize("make_group", [_not_mine, _inactive], ids=["not-a-member", "inactive"])
def test_patch_to_a_group_that_is_not_mine_names_group(user, other_user, my_group, make_group):
    # given
    session = StudySessionFactory(user=user, group=my_group, topic="Rust")
    group = make_group(user, other_user)
    # when
    response = client_for(user).patch(detail(session), {"group": str(group.pk), "topic": "Go"}, format="json")
    # then
    assert (response.status_code, list(response.json())) == (400, ["group"])
    session.refresh_from_db()
    assert (session.group_id, session.topic) == (my_group.pk, "Rust")


@pytest.mark.parametrize("raw", [str(uuid.uuid4()), "not-a-uuid"], ids=["unknown", "malformed"])
def test_patch_to_an_unknown_or_malformed_group_names_group(user, my_group, raw):
    session = StudySessionFactory(user=user, group=my_group)
    response = client_for(user).patch(detail(session), {"group": raw}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["group"])
    session.refresh_from_db()
    assert session.group_id == my_group.pk


# --- leaving a group later -----------------------------------------------------------------------


def test_leaving_a_group_keeps_it_on_past_sessions(user, my_group):
    # given
    logged = log(user, group=str(my_group.pk)).json()
    # when
    left = client_for(user).delete(f"/api/groups/{my_group.pk}/leave")
    # then
    assert left.status_code == 204, left.content
    assert client_for(user).get(f"{LIST}{logged['id']}").json()["group"] == str(my_group.pk)
    assert listed(user, {"group": str(my_group.pk)}) == [logged["id"]]
    # and a new session can no longer be put in it
    assert (log(user, group=str(my_group.pk)).status_code, start(user, group=str(my_group.pk)).status_code) == (
        400,
        400,
    )


def test_a_session_whose_group_i_left_can_be_sent_back_unchanged_or_cleared(user, other_user):
    # given: a session in a group I have since left
    group = group_with(leader=other_user)
    session = StudySessionFactory(user=user, group=group, topic="Rust")
    client = client_for(user)
    # when: the whole representation comes back with a new topic
    unchanged = client.put(detail(session), {"topic": "Go", "group": str(group.pk)}, format="json")
    # then
    assert unchanged.status_code == 200, unchanged.content
    assert (unchanged.json()["topic"], unchanged.json()["group"]) == ("Go", str(group.pk))
    # when
    cleared = client.patch(detail(session), {"group": None}, format="json")
    # then
    assert cleared.status_code == 200, cleared.content
    session.refresh_from_db()
    assert session.group_id is None
    # and once cleared it cannot be set back
    assert client.patch(detail(session), {"group": str(group.pk)}, format="json").status_code == 400


# --- the list filter -----------------------------------------------------------------------------


def test_list_filters_by_group(user, other_user, my_group):
    # given
    second = group_with(leader=user)
    in_mine = StudySessionFactory(user=user, group=my_group, started_at=NOW - timedelta(hours=3))
    in_second = StudySessionFactory(user=user, group=second, started_at=NOW - timedelta(hours=2))
    StudySessionFactory(user=user, started_at=NOW - timedelta(hours=1))
    StudySessionFactory(user=other_user, group=my_group)
    # when / then
    assert listed(user, {"group": str(my_group.pk)}) == [str(in_mine.pk)]
    assert listed(user, {"group": str(second.pk)}) == [str(in_second.pk)]
    assert listed(user, {"group": str(uuid.uuid4())}) == []


def test_list_with_a_malformed_group_names_it(user):
    response = client_for(user).get(LIST, {"group": "not-a-uuid"})
    assert (response.status_code, list(response.json())) == (400, ["group"])


# --- access and export ---------------------------------------------------------------------------


def test_group_needs_a_token(api_client, user, my_group):
    session = StudySessionFactory(user=user)
    assert api_client.post(LIST, {"topic": "Go", "duration_minutes": 30, "group": str(my_group.pk)}).status_code == 401
    assert api_client.post(START, {"duration_minutes": 25, "group": str(my_group.pk)}).status_code == 401
    assert api_client.patch(detail(session), {"group": str(my_group.pk)}).status_code == 401
    assert api_client.get(LIST, {"group": str(my_group.pk)}).status_code == 401
    session.refresh_from_db()
    assert session.group_id is None
    assert StudySession.objects.count() == 1


def test_export_holds_the_group_id(user, my_group):
    in_group = StudySessionFactory(user=user, group=my_group, started_at=NOW - timedelta(hours=2))
    alone = StudySessionFactory(user=user, started_at=NOW - timedelta(hours=1))
    rows = study_sessions_export(user=user)
    assert [(row["id"], row["group_id"]) for row in rows] == [(in_group.pk, my_group.pk), (alone.pk, None)]

"""Resource progress: status and percentage kept consistent, timestamps set by the server, quick
actions, each user's own progress, lists and stats of what one can still see, parallel first posts."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from accounts.tests.factories import UserFactory
from community.choices import ProgressStatus
from community.models import ResourceProgress
from community.tests.factories import ResourceFactory, group_with
from learnflow.testing import client_for, count_queries

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def url(resource, suffix: str = "/progress") -> str:
    return f"/api/resources/{resource.pk}{suffix}"


@pytest.fixture
def resource(user):
    return ResourceFactory(uploaded_by=user)


def post(user, resource, **data):
    """A fresh client each time: a token issued before a time jump would not be valid after it."""
    return client_for(user).post(url(resource), data, format="json")


def stored(user, resource) -> ResourceProgress:
    return ResourceProgress.objects.get(user=user, resource=resource)


# --- recording progress ---------------------------------------------------------------------------


def test_starting_stamps_started_at(user, resource):
    # when
    with time_machine.travel(T0, tick=False):
        response = post(user, resource, status="in_progress", progress_percentage=20, notes="Chapter 1 done")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["progress_percentage"] == 20
    assert body["notes"] == "Chapter 1 done"
    assert body["started_at"] == "2026-03-02T09:00:00Z"
    assert body["completed_at"] is None
    assert body["resource"]["id"] == str(resource.pk)


def test_completing_sets_100_percent_and_completed_at_and_keeps_started_at(user, resource):
    # given
    with time_machine.travel(T0, tick=False):
        post(user, resource, status="in_progress")
    # when
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        response = post(user, resource, status="completed")
    # then
    body = response.json()
    assert (body["status"], body["progress_percentage"]) == ("completed", 100)
    assert body["started_at"] == "2026-03-02T09:00:00Z"
    assert body["completed_at"] == "2026-03-04T09:00:00Z"


def test_completing_straight_away_also_stamps_started_at(user, resource):
    with time_machine.travel(T0, tick=False):
        body = post(user, resource, status="completed").json()
    assert body["started_at"] == body["completed_at"] == "2026-03-02T09:00:00Z"


@pytest.mark.parametrize(
    ("before", "percentage", "after"),
    [
        ("not_started", 40, "in_progress"),
        ("not_started", 0, "not_started"),
        ("in_progress", 100, "completed"),
        ("paused", 60, "paused"),
        ("completed", 80, "in_progress"),
        ("completed", 0, "in_progress"),
    ],
)
def test_a_percentage_sent_alone_moves_the_status(user, resource, before, percentage, after):
    # given
    ResourceProgress.objects.create(
        user=user, resource=resource, status=before, progress_percentage=100 if before == "completed" else 0
    )
    # when
    response = post(user, resource, progress_percentage=percentage)
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["progress_percentage"]) == (after, percentage)


def test_reopening_a_completed_resource_clears_completed_at(user, resource):
    # given
    post(user, resource, status="completed")
    # when
    body = post(user, resource, status="paused").json()
    # then
    assert body["status"] == "paused" and body["completed_at"] is None and body["started_at"] is not None


def test_not_started_resets_percentage_and_stamps(user, resource):
    # given
    post(user, resource, status="completed")
    # when
    body = post(user, resource, status="not_started").json()
    # then
    assert (body["progress_percentage"], body["started_at"], body["completed_at"]) == (0, None, None)


def test_notes_alone_change_nothing_else(user, resource):
    # given
    post(user, resource, status="in_progress", progress_percentage=35)
    # when
    body = post(user, resource, notes="Skip chapter 3").json()
    # then
    assert (body["status"], body["progress_percentage"], body["notes"]) == ("in_progress", 35, "Skip chapter 3")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"progress_percentage": 101}, "progress_percentage"),
        ({"progress_percentage": -1}, "progress_percentage"),
        ({"progress_percentage": "half"}, "progress_percentage"),
        ({"status": "completed", "progress_percentage": 40}, "progress_percentage"),
        ({"status": "not_started", "progress_percentage": 10}, "progress_percentage"),
        ({"notes": "x" * 5001}, "notes"),
        ({}, "non_field_errors"),
    ],
)
def test_bad_progress_answers_400_naming_the_field(user, resource, data, field):
    # when
    response = post(user, resource, **data)
    # then
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not ResourceProgress.objects.exists()


def test_progress_is_not_kept_on_folders(user, auth_client):
    # given
    folder = ResourceFactory(uploaded_by=user, folder=True)
    # then
    for path in ("/progress", "/mark-started", "/mark-completed"):
        response = auth_client.post(url(folder, path), {"status": "in_progress"}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["resource"]


def test_progress_needs_a_token(api_client, resource):
    assert api_client.post(url(resource), {"status": "completed"}, format="json").status_code == 401
    assert api_client.get("/api/resources/my-progress").status_code == 401
    assert api_client.get("/api/resources/progress/stats").status_code == 401


def test_each_member_keeps_their_own_progress_on_a_group_resource(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    shared = ResourceFactory(uploaded_by=user, group=group)
    # when
    post(user, shared, status="completed")
    post(other_user, shared, progress_percentage=10)
    # then
    assert stored(user, shared).status == ProgressStatus.COMPLETED
    assert (stored(other_user, shared).status, stored(other_user, shared).progress_percentage) == ("in_progress", 10)
    mine = client_for(other_user).get(url(shared, "/progress/me")).json()
    assert mine["progress_percentage"] == 10


@pytest.mark.django_db(transaction=True)
def test_parallel_first_updates_make_one_progress_row():
    # given
    owner = UserFactory()
    resource = ResourceFactory(uploaded_by=owner)
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    lock = threading.Lock()

    def send(percentage):
        client = client_for(owner)
        try:
            barrier.wait(timeout=10)
            response = client.post(url(resource), {"progress_percentage": percentage}, format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(p,)) for p in (10, 20, 30, 40)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert statuses == [200] * 4
    assert ResourceProgress.objects.filter(user=owner, resource=resource).count() == 1


# --- reading and resetting one's progress ---------------------------------------------------------


def test_my_progress_without_a_record_reads_not_started(auth_client, resource):
    # when
    response = auth_client.get(url(resource, "/progress/me"))
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["progress_percentage"], body["last_updated"]) == ("not_started", 0, None)
    assert not ResourceProgress.objects.exists()


def test_delete_resets_progress_and_repeating_it_is_harmless(auth_client, user, resource):
    # given
    post(user, resource, status="completed")
    # when
    first = auth_client.delete(url(resource, "/progress/me"))
    second = auth_client.delete(url(resource, "/progress/me"))
    # then
    assert (first.status_code, second.status_code) == (204, 204)
    assert not ResourceProgress.objects.exists()
    assert auth_client.get(url(resource, "/progress/me")).json()["status"] == "not_started"


# --- quick actions --------------------------------------------------------------------------------


def test_mark_started_is_idempotent(user, resource):
    # given
    with time_machine.travel(T0, tick=False):
        first = client_for(user).post(url(resource, "/mark-started")).json()
    # when
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        second = client_for(user).post(url(resource, "/mark-started")).json()
    # then
    assert first["status"] == second["status"] == "in_progress"
    assert second["started_at"] == "2026-03-02T09:00:00Z"


def test_mark_started_on_a_completed_resource_starts_over(user, resource):
    # given
    with time_machine.travel(T0, tick=False):
        post(user, resource, status="completed")
    # when
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        body = client_for(user).post(url(resource, "/mark-started")).json()
    # then
    assert (body["status"], body["progress_percentage"], body["completed_at"]) == ("in_progress", 0, None)
    assert body["started_at"] == "2026-04-01T09:00:00Z"


def test_mark_completed_twice_keeps_the_first_completion_time(user, resource):
    # given
    with time_machine.travel(T0, tick=False):
        client_for(user).post(url(resource, "/mark-completed"))
    # when
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        body = client_for(user).post(url(resource, "/mark-completed")).json()
    # then
    assert (body["status"], body["progress_percentage"]) == ("completed", 100)
    assert body["completed_at"] == "2026-03-02T09:00:00Z"


# --- lists and stats ------------------------------------------------------------------------------


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"/api/resources/my-progress{query}")
    assert response.status_code == 200, response.content
    return [row["resource"]["id"] for row in response.json()["results"]]


def test_my_progress_lists_the_most_recently_updated_first_and_filters_by_status(user, auth_client):
    # given
    first, second, third = (ResourceFactory(uploaded_by=user) for _ in range(3))
    with time_machine.travel(T0, tick=False):
        post(user, first, status="completed")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        post(user, second, status="in_progress")
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        post(user, third, status="paused")
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        post(user, second, progress_percentage=70)
    # then
    assert listed(auth_client) == [str(second.pk), str(third.pk), str(first.pk)]
    assert listed(auth_client, "?status=completed") == [str(first.pk)]
    response = auth_client.get("/api/resources/my-progress?status=done")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_progress_on_resources_one_can_no_longer_see_is_not_listed_or_counted(user, other_user):
    # given: progress on a deleted resource and on a resource of a group the user left
    group = group_with(leader=other_user, members=[user])
    left_behind = ResourceFactory(uploaded_by=other_user, group=group)
    deleted = ResourceFactory(uploaded_by=user, is_deleted=True)
    kept = ResourceFactory(uploaded_by=user)
    for resource in (left_behind, deleted, kept):
        ResourceProgress.objects.create(user=user, resource=resource, status="completed", progress_percentage=100)
    client = client_for(user)
    client.delete(f"/api/groups/{group.pk}/leave")
    # then
    assert listed(client) == [str(kept.pk)]
    assert client.get("/api/resources/progress/stats").json()["total_tracked"] == 1


def test_the_progress_list_costs_the_same_queries_for_one_row_or_many(user, auth_client):
    # given
    ResourceProgress.objects.create(user=user, resource=ResourceFactory(uploaded_by=user))
    few = count_queries(auth_client, "/api/resources/my-progress")
    # when
    group = group_with(leader=user)
    for _ in range(12):
        ResourceProgress.objects.create(user=user, resource=ResourceFactory(uploaded_by=UserFactory(), group=group))
    # then
    assert count_queries(auth_client, "/api/resources/my-progress") == few


def test_progress_stats(user):
    # given
    resources = [ResourceFactory(uploaded_by=user) for _ in range(5)]
    with time_machine.travel(T0, tick=False):
        post(user, resources[0], status="completed")
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        post(user, resources[1], status="completed")
        post(user, resources[2], progress_percentage=50)
        post(user, resources[3], status="paused", progress_percentage=10)
        post(user, resources[4], notes="later")
        # when
        response = client_for(user).get("/api/resources/progress/stats")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "total_tracked": 5,
        "not_started": 1,
        "in_progress": 1,
        "completed": 2,
        "paused": 1,
        "completion_rate": 40.0,
        "average_progress": 52.0,
        "completed_last_7_days": 1,
    }


def test_progress_stats_with_nothing_tracked(auth_client):
    response = auth_client.get("/api/resources/progress/stats")
    assert response.json()["total_tracked"] == 0
    assert b'"completion_rate":0.0' in response.content and b'"average_progress":0.0' in response.content

"""A group's stats through the HTTP API: its members' verified study put in the group, this week and
all time, its most active members and its library, for members only."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from community.choices import ResourceType, Visibility
from community.models import Group, Membership
from community.tests.factories import InvitationFactory, MembershipFactory, ResourceFactory, group_with
from focus.choices import SessionStatus
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

#: A Wednesday; the challenge week (UTC) runs from Monday 9 March 2026, 00:00.
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
MONDAY = datetime(2026, 3, 9, tzinfo=UTC)


def url(group) -> str:
    return f"/api/groups/{group.pk}/stats"


def stats(user, group):
    with time_machine.travel(NOW, tick=False):
        return client_for(user).get(url(group))


def studied(user, group, *, started_at, minutes: int, **fields):
    return StudySessionFactory(
        user=user, group=group, started_at=started_at, planned_duration=minutes, duration_seconds=minutes * 60, **fields
    )


def test_group_stats_count_the_members_verified_study_in_the_group(user):
    # given
    ada, bob, cyd = (UserFactory(username=name) for name in ("ada", "bob", "cyd"))
    group = group_with(leader=user, members=[ada, bob, cyd])
    elsewhere = group_with(leader=ada)
    this_week = MONDAY + timedelta(days=1)
    studied(ada, group, started_at=this_week, minutes=45)
    studied(ada, group, started_at=MONDAY - timedelta(days=4), minutes=60)  # last week
    studied(ada, elsewhere, started_at=this_week, minutes=30)  # another group
    studied(ada, None, started_at=this_week, minutes=30)  # no group
    studied(bob, group, started_at=this_week, minutes=5)  # minutes, not a session
    studied(bob, group, started_at=this_week, minutes=90, manual=True)  # not verified
    studied(bob, group, started_at=this_week, minutes=20, status=SessionStatus.STOPPED)
    studied(user, group, started_at=this_week, minutes=20)
    studied(user, group, started_at=MONDAY - timedelta(minutes=20), minutes=30)  # ends this week
    studied(user, group, started_at=MONDAY - timedelta(minutes=60), minutes=30)  # ended last week
    studied(cyd, group, started_at=this_week, minutes=100)
    Membership.objects.filter(group=group, user=cyd).delete()  # cyd left: their study goes with them
    ResourceFactory.create_batch(2, uploaded_by=ada, group=group)
    ResourceFactory(uploaded_by=ada, group=group, folder=True)
    ResourceFactory(uploaded_by=ada, group=group, resource_type=ResourceType.VIDEO, is_deleted=True)
    ResourceFactory(uploaded_by=ada, group=elsewhere)
    ResourceFactory(uploaded_by=ada)
    # when
    response = stats(bob, group)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["group_id"] == str(group.pk)
    assert body["member_count"] == 3
    assert body["week_start"] == "2026-03-09"
    assert body["this_week"] == {"verified_minutes": 100, "session_count": 3}
    assert body["all_time"] == {"verified_minutes": 190, "session_count": 5}
    assert [
        (row["user"]["username"], row["verified_minutes"], row["session_count"]) for row in body["most_active_members"]
    ] == [(user.username, 50, 2), ("ada", 45, 1), ("bob", 5, 0)]
    assert set(body["most_active_members"][0]["user"]) == {"id", "username", "avatar_url"}
    assert body["resources_by_type"] == {"image": 0, "video": 0, "file": 0, "folder": 1, "link": 2}


def test_the_most_active_members_are_the_top_5_this_week(user):
    # given
    members = [UserFactory(username=f"member{index}") for index in range(7)]
    group = group_with(leader=user, members=members)
    for index, member in enumerate(members):
        studied(member, group, started_at=MONDAY + timedelta(hours=1), minutes=10 + index)
    studied(members[0], group, started_at=MONDAY - timedelta(days=2), minutes=200)  # last week
    # when
    body = stats(user, group).json()
    # then
    assert [row["user"]["username"] for row in body["most_active_members"]] == [
        "member6",
        "member5",
        "member4",
        "member3",
        "member2",
    ]


def test_a_new_group_has_zeros(user):
    group = group_with(leader=user)
    body = stats(user, group).json()
    assert body["this_week"] == body["all_time"] == {"verified_minutes": 0, "session_count": 0}
    assert body["most_active_members"] == []
    assert body["resources_by_type"] == dict.fromkeys(ResourceType.values, 0)


def test_an_outsider_gets_403_in_a_public_group(user, other_user):
    group = group_with(leader=user)
    response = stats(other_user, group)
    assert response.status_code == 403


def test_an_outsider_gets_404_in_a_private_group_even_when_invited(user, other_user):
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    assert stats(other_user, group).status_code == 404
    InvitationFactory(group=group, inviter=user, invitee=other_user, expires_at=NOW + timedelta(days=1))
    assert stats(other_user, group).status_code == 404


def test_a_deleted_or_unknown_group_is_404(user):
    group = group_with(leader=user)
    Group.objects.filter(pk=group.pk).update(is_active=False)
    assert stats(user, group).status_code == 404
    assert stats(user, Group(pk=uuid.uuid4())).status_code == 404


def test_group_stats_need_a_token(api_client, user):
    group = group_with(leader=user)
    assert api_client.get(url(group)).status_code == 401


def count_queries(user, group) -> int:
    with CaptureQueriesContext(connection) as context:
        assert stats(user, group).status_code == 200
    return len(context.captured_queries)


def test_group_stats_cost_the_same_queries_for_1_and_30_members(user):
    # given
    group = group_with(leader=user)
    one = count_queries(user, group)
    for _ in range(29):
        member = MembershipFactory(group=group).user
        studied(member, group, started_at=MONDAY + timedelta(hours=2), minutes=25)
        ResourceFactory(uploaded_by=member, group=group)
    # when
    thirty = count_queries(user, group)
    # then
    assert thirty == one

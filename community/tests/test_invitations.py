"""Group invitations: who may invite, the invitee's notification and inbox, accepting and declining,
and expiry after 7 days (``runjob expire_invitations``)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from accounts.choices import NotificationKind
from accounts.models import Notification
from accounts.tests.factories import UserFactory
from community.choices import GroupType, InvitationStatus, Role, Visibility
from community.models import Group, Invitation, Membership
from community.tests.factories import InvitationFactory, group_with
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def invite(inviter, group, user_id):
    return client_for(inviter).post(f"/api/groups/{group.pk}/invite", {"user_id": str(user_id)}, format="json")


def respond(user, invitation, accept: bool):
    return client_for(user).post(f"/api/invitations/{invitation.pk}/respond", {"accept": accept}, format="json")


def my_invitation_ids(user) -> list[str]:
    response = client_for(user).get("/api/invitations/me")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- inviting -------------------------------------------------------------------------------------


def test_an_invitation_is_created_and_the_invitee_notified(user, other_user):
    # given
    group = group_with(leader=user, group_type=GroupType.LEADER_CONTROLLED, visibility=Visibility.PRIVATE)
    # when
    response = invite(user, group, other_user.pk)
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["group"] == {"id": str(group.pk), "group_name": group.group_name}
    assert body["inviter"]["id"] == str(user.pk)
    invitation = Invitation.objects.get(pk=body["id"])
    assert (invitation.invitee, invitation.status) == (other_user, InvitationStatus.PENDING)
    notification = Notification.objects.get(user=other_user)
    assert notification.kind == NotificationKind.INVITATION
    assert notification.data["invitation_id"] == str(invitation.pk)
    assert body["message"] == "" and notification.body == "The invitation is valid for 7 days."


def test_an_invitation_carries_the_inviters_note_to_the_invitee(user, other_user):
    # given
    group = group_with(leader=user, group_type=GroupType.LEADER_CONTROLLED, visibility=Visibility.PRIVATE)
    # when
    response = client_for(user).post(
        f"/api/groups/{group.pk}/invite", {"user_id": str(other_user.pk), "message": "Join us!"}, format="json"
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["message"] == "Join us!"
    assert Notification.objects.get(user=other_user).body.startswith("Join us!")
    assert client_for(other_user).get("/api/invitations/me").json()["results"][0]["message"] == "Join us!"


def test_an_invitation_note_over_500_characters_is_400_naming_message(user, other_user):
    group = group_with(leader=user, group_type=GroupType.LEADER_CONTROLLED, visibility=Visibility.PRIVATE)
    response = client_for(user).post(
        f"/api/groups/{group.pk}/invite", {"user_id": str(other_user.pk), "message": "x" * 501}, format="json"
    )
    assert response.status_code == 400
    assert "message" in response.json()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(("group_type", "expected"), [(GroupType.LEADER_CONTROLLED, 403), (GroupType.COMMUNITY, 201)])
def test_plain_members_invite_only_in_community_groups(user, other_user, group_type, expected):
    # given
    invitee = UserFactory()
    group = group_with(leader=user, members=[other_user], group_type=group_type)
    # when
    response = invite(other_user, group, invitee.pk)
    # then
    assert response.status_code == expected
    assert Invitation.objects.filter(invitee=invitee).exists() is (expected == 201)


def test_an_admin_invites_in_a_leader_controlled_group(user, other_user):
    # given
    group = group_with(leader=user, admins=[other_user], group_type=GroupType.LEADER_CONTROLLED)
    # when
    response = invite(other_user, group, UserFactory().pk)
    # then
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("who", ["member", "nobody"])
def test_inviting_a_member_or_an_unknown_user_answers_400_naming_user_id(user, other_user, who):
    # given
    group = group_with(leader=user, members=[other_user])
    user_id = other_user.pk if who == "member" else "00000000-0000-4000-8000-000000000000"
    # when
    response = invite(user, group, user_id)
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["user_id"]
    assert not Invitation.objects.exists()


def test_a_second_pending_invitation_answers_409(user, other_user):
    # given
    group = group_with(leader=user)
    assert invite(user, group, other_user.pk).status_code == 201
    # when
    response = invite(user, group, other_user.pk)
    # then
    assert response.status_code == 409
    assert Invitation.objects.filter(invitee=other_user).count() == 1


# --- inbox and responding -------------------------------------------------------------------------


def test_my_invitations_lists_only_my_pending_unexpired_invitations(user, other_user):
    # given
    leader = UserFactory()
    mine = InvitationFactory(invitee=user, inviter=leader)
    InvitationFactory(invitee=other_user, inviter=leader)
    InvitationFactory(invitee=user, status=InvitationStatus.DECLINED)
    InvitationFactory(invitee=user, expires_at=SENT - timedelta(days=1))
    # when
    ids = my_invitation_ids(user)
    # then
    assert ids == [str(mine.pk)]


def test_accepting_an_invitation_makes_a_membership(user, other_user):
    # given
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    invitation = InvitationFactory(group=group, inviter=user, invitee=other_user)
    # when
    response = respond(other_user, invitation, accept=True)
    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert Membership.objects.get(group=group, user=other_user).role == Role.MEMBER
    assert my_invitation_ids(other_user) == []


def test_declining_an_invitation_makes_no_membership(user, other_user):
    # given
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    invitation = InvitationFactory(group=group, inviter=user, invitee=other_user)
    # when
    response = respond(other_user, invitation, accept=False)
    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert not Membership.objects.filter(group=group, user=other_user).exists()
    assert client_for(other_user).get(f"/api/groups/{group.pk}").status_code == 404


def test_responding_to_someone_elses_invitation_answers_404(user, other_user):
    # given
    invitation = InvitationFactory(invitee=other_user)
    # when
    response = respond(user, invitation, accept=True)
    # then
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


@pytest.mark.parametrize("first", [True, False])
def test_responding_twice_answers_409(user, other_user, first):
    # given
    group = group_with(leader=user)
    invitation = InvitationFactory(group=group, inviter=user, invitee=other_user)
    assert respond(other_user, invitation, accept=first).status_code == 200
    # when
    response = respond(other_user, invitation, accept=not first)
    # then
    assert response.status_code == 409
    assert Membership.objects.filter(group=group, user=other_user).exists() is first


# --- expiry ---------------------------------------------------------------------------------------


def sent_invitation(leader, invitee):
    group = group_with(leader=leader, visibility=Visibility.PRIVATE)
    with time_machine.travel(SENT, tick=False):
        response = invite(leader, group, invitee.pk)
    assert response.status_code == 201, response.content
    return group, Invitation.objects.get(pk=response.json()["id"])


def test_an_invitation_grants_visibility_within_its_7_days(user, other_user):
    # given
    group, invitation = sent_invitation(user, other_user)
    # when
    with time_machine.travel(SENT + timedelta(days=6, hours=23), tick=False):
        detail = client_for(other_user).get(f"/api/groups/{group.pk}")
        ids = my_invitation_ids(other_user)
    # then
    assert detail.status_code == 200
    assert ids == [str(invitation.pk)]


def test_after_7_days_an_invitation_is_unlisted_unusable_and_grants_no_visibility(user, other_user):
    # given
    group, invitation = sent_invitation(user, other_user)
    # when
    with time_machine.travel(SENT + timedelta(days=7, seconds=1), tick=False):
        ids = my_invitation_ids(other_user)
        accepted = respond(other_user, invitation, accept=True)
        joined = client_for(other_user).post(f"/api/groups/{group.pk}/join")
        detail = client_for(other_user).get(f"/api/groups/{group.pk}")
    # then
    assert ids == []
    assert accepted.status_code == 409
    assert joined.status_code == 404
    assert detail.status_code == 404
    assert not Membership.objects.filter(group=group, user=other_user).exists()


def test_runjob_expire_invitations_marks_expired_ones_and_a_rerun_changes_nothing(user, other_user):
    # given
    _, old = sent_invitation(user, other_user)
    fresh = InvitationFactory(expires_at=SENT + timedelta(days=14))
    later = SENT + timedelta(days=8)
    # when
    with time_machine.travel(later, tick=False):
        first, second = StringIO(), StringIO()
        call_command("runjob", "expire_invitations", stdout=first)
        old.refresh_from_db()
        updated_at = old.updated_at
        call_command("runjob", "expire_invitations", stdout=second)
    # then
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == InvitationStatus.EXPIRED
    assert old.updated_at == updated_at == later
    assert fresh.status == InvitationStatus.PENDING
    assert "expire_invitations: 1" in first.getvalue()
    assert "expire_invitations: 0" in second.getvalue()


def test_an_invitation_to_a_full_group_cannot_be_accepted(user, other_user):
    # given
    group = group_with(leader=user, members=[UserFactory()], max_members=2)
    invitation = InvitationFactory(group=group, inviter=user, invitee=other_user)
    # when
    response = respond(other_user, invitation, accept=True)
    # then
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not Membership.objects.filter(group=group, user=other_user).exists()


def test_an_invitation_to_a_deleted_group_is_gone_and_cannot_be_accepted(user, other_user):
    # given
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    invitation = InvitationFactory(group=group, inviter=user, invitee=other_user)
    Group.objects.filter(pk=group.pk).update(is_active=False)
    client = client_for(other_user)
    # when
    listed = client.get("/api/invitations/me").json()
    response = client.post(f"/api/invitations/{invitation.pk}/respond", {"accept": True}, format="json")
    # then
    assert listed["results"] == []
    assert response.status_code == 404
    assert not Membership.objects.filter(group=group, user=other_user).exists()


def test_inviting_to_a_private_group_one_is_not_in_is_404_whatever_the_user_id(user, other_user):
    group = group_with(leader=other_user, visibility=Visibility.PRIVATE)
    response = client_for(user).post(
        f"/api/groups/{group.pk}/invite", {"user_id": "00000000-0000-0000-0000-000000000000"}, format="json"
    )
    assert response.status_code == 404

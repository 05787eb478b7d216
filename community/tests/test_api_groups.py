"""The study-group endpoints: creating, seeing (private groups are 404 to outsiders), joining (also
in parallel), leaving, roles, removing members, editing and soft-deleting, and query counts."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.choices import GroupType, InvitationStatus, Role, Visibility
from community.models import Group, Membership
from community.tests.factories import GroupFactory, InvitationFactory, MembershipFactory, group_with
from learnflow.testing import client_for
from learnflow.throttling import AtomicScopedRateThrottle

pytestmark = pytest.mark.django_db

NEW_GROUP = {
    "group_name": "Night owls",
    "description": "Late study sessions.",
    "group_type": "leader_controlled",
    "visibility": "private",
    "max_members": 10,
}


def url(group, suffix: str = "") -> str:
    return f"/api/groups/{group.pk}{suffix}"


def role_in(group, user) -> str | None:
    return Membership.objects.filter(group=group, user=user).values_list("role", flat=True).first()


def listed_ids(client, query: str = "") -> set[str]:
    response = client.get(f"/api/groups/{query}")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- create -------------------------------------------------------------------------------------


def test_create_makes_the_creator_its_leader_who_sees_the_invite_code(auth_client, user):
    # when
    response = auth_client.post("/api/groups/", NEW_GROUP, format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in NEW_GROUP} == NEW_GROUP
    assert body["my_role"] == "leader"
    assert body["member_count"] == 1
    group = Group.objects.get(pk=body["id"])
    assert body["invite_code"] == group.invite_code
    assert group.creator == user
    assert role_in(group, user) == Role.LEADER


@pytest.mark.parametrize(
    ("field", "value"),
    [("group_type", "anarchy"), ("visibility", "secret"), ("max_members", 1), ("max_members", 1001)],
)
def test_create_with_a_bad_value_answers_400_naming_the_field(auth_client, field, value):
    # when
    response = auth_client.post("/api/groups/", {**NEW_GROUP, field: value}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Group.objects.exists()


@pytest.mark.parametrize(
    "image",
    [
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("JavaScript:alert(1)", id="javascript-mixed-case"),
        pytest.param("data:image/png;base64,iVBORw0KGgo=", id="data"),
        pytest.param("file:///etc/passwd", id="file"),
        pytest.param("//evil.example/x.png", id="protocol-relative"),
        pytest.param("/\\evil.example/x.png", id="backslash-path"),
        pytest.param("images/g.png", id="relative-path"),
        pytest.param("https://example.com/a b.png", id="space"),
    ],
)
def test_a_group_image_that_is_not_a_web_url_or_site_path_is_400_naming_image(user, image):
    # given
    group = group_with(leader=user, image="/groups/g.png")
    # when
    created = client_for(user).post("/api/groups/", {"group_name": "g", "image": image}, format="json")
    edited = client_for(user).patch(url(group), {"image": image}, format="json")
    # then
    assert created.status_code == 400
    assert list(created.json()) == ["image"]
    assert edited.status_code == 400
    assert list(edited.json()) == ["image"]
    assert Group.objects.filter(image=image).count() == 0


@pytest.mark.parametrize(
    "image", ["https://cdn.example.com/g.png", "http://example.com/g.jpg?s=64", "/groups/g.png", ""]
)
def test_a_group_image_may_be_a_web_url_a_site_path_or_empty(auth_client, image):
    response = auth_client.post("/api/groups/", {"group_name": "g", "image": image}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["image"] == image


def test_create_without_a_token_answers_401(api_client):
    # when
    response = api_client.post("/api/groups/", NEW_GROUP, format="json")
    # then
    assert response.status_code == 401


# --- visibility -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [
        ("get", "", None),
        ("get", "/members", None),
        ("delete", "/leave", None),
        ("post", "/invite", "user_id"),
        ("patch", "", {"group_name": "Mine now"}),
        ("delete", "", None),
    ],
)
def test_a_private_group_is_404_to_an_outsider(user, other_user, method, suffix, data):
    # given
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    if data == "user_id":
        data = {"user_id": str(UserFactory().pk)}
    # when
    response = getattr(client_for(other_user), method)(url(group, suffix), data, format="json")
    # then
    assert response.status_code == 404
    group.refresh_from_db()
    assert group.is_active and group.group_name != "Mine now"


def test_a_private_group_is_listed_for_members_and_invitees_but_not_outsiders(user, other_user):
    # given
    private = group_with(leader=user, visibility=Visibility.PRIVATE)
    public = group_with(leader=user)
    invitee = UserFactory()
    InvitationFactory(group=private, inviter=user, invitee=invitee)
    # then
    assert listed_ids(client_for(other_user)) == {str(public.pk)}
    assert listed_ids(client_for(user)) == {str(private.pk), str(public.pk)}
    assert listed_ids(client_for(invitee)) == {str(private.pk), str(public.pk)}


def test_members_and_invitees_see_a_private_group(user, other_user):
    # given
    invitee = UserFactory()
    group = group_with(leader=user, members=[other_user], visibility=Visibility.PRIVATE)
    InvitationFactory(group=group, inviter=user, invitee=invitee)
    # when
    as_member = client_for(other_user).get(url(group))
    as_invitee = client_for(invitee).get(url(group))
    # then
    assert as_member.status_code == 200
    assert as_member.json()["my_role"] == "member"
    assert as_invitee.status_code == 200
    assert as_invitee.json()["my_role"] is None


def test_invite_code_is_shown_to_leaders_and_admins_only(user):
    # given
    admin, member, outsider = UserFactory(), UserFactory(), UserFactory()
    group = group_with(leader=user, admins=[admin], members=[member])
    # when
    codes = {who: client_for(who).get(url(group)).json()["invite_code"] for who in (user, admin, member, outsider)}
    # then
    assert codes == {user: group.invite_code, admin: group.invite_code, member: None, outsider: None}


def test_list_filters_by_search_type_visibility_and_only_joined(user, other_user):
    # given
    mine = group_with(leader=user, group_name="Calculus crew", group_type=GroupType.LEADER_CONTROLLED)
    theirs = group_with(leader=other_user, description="Organic chemistry", visibility=Visibility.PRIVATE)
    MembershipFactory(group=theirs, user=user)
    public = group_with(leader=other_user, group_name="Open hall")
    client = client_for(user)
    # then
    assert listed_ids(client, "?search=calculus") == {str(mine.pk)}
    assert listed_ids(client, "?search=chemistry") == {str(theirs.pk)}
    assert listed_ids(client, "?group_type=leader_controlled") == {str(mine.pk)}
    assert listed_ids(client, "?visibility=private") == {str(theirs.pk)}
    assert listed_ids(client, "?only_joined=true") == {str(mine.pk), str(theirs.pk)}
    assert listed_ids(client) == {str(mine.pk), str(theirs.pk), str(public.pk)}


def test_the_list_shows_the_newest_group_first(user):
    # given
    groups = [group_with(leader=user) for _ in range(3)]
    # when
    response = client_for(user).get("/api/groups/")
    # then
    assert [row["id"] for row in response.json()["results"]] == [str(group.pk) for group in reversed(groups)]


# --- join -----------------------------------------------------------------------------------------


def test_anyone_joins_a_public_group_as_a_member(user, other_user):
    # given
    group = group_with(leader=user)
    # when
    response = client_for(other_user).post(url(group, "/join"))
    # then
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "member"
    assert response.json()["user"]["id"] == str(other_user.pk)
    assert role_in(group, other_user) == Role.MEMBER


def test_a_private_group_is_joined_with_its_invite_code(user, other_user):
    # given
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    # when
    response = client_for(other_user).post(url(group, "/join"), {"invite_code": group.invite_code}, format="json")
    # then
    assert response.status_code == 201, response.content
    assert role_in(group, other_user) == Role.MEMBER


@pytest.mark.parametrize("data", [{}, {"invite_code": "wrong-code"}, {"invite_code": ""}])
def test_a_private_group_without_the_right_code_is_404(user, other_user, data):
    # given
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    # when
    response = client_for(other_user).post(url(group, "/join"), data, format="json")
    # then
    assert response.status_code == 404
    assert role_in(group, other_user) is None


def test_a_pending_invitation_lets_its_invitee_join_and_becomes_accepted(user, other_user):
    # given
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    invitation = InvitationFactory(group=group, inviter=user, invitee=other_user)
    # when
    response = client_for(other_user).post(url(group, "/join"))
    # then
    assert response.status_code == 201, response.content
    assert role_in(group, other_user) == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.responded_at is not None


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.PRIVATE])
def test_joining_again_answers_409(user, other_user, visibility):
    # given
    group = group_with(leader=user, members=[other_user], visibility=visibility)
    # when
    response = client_for(other_user).post(url(group, "/join"))
    # then
    assert response.status_code == 409
    assert Membership.objects.filter(group=group, user=other_user).count() == 1


def test_a_full_group_answers_400(user, other_user):
    # given
    group = group_with(leader=user, members=[UserFactory()], max_members=2)
    # when
    response = client_for(other_user).post(url(group, "/join"))
    # then
    assert response.status_code == 400
    assert "full" in str(response.json()).lower()
    assert group.memberships.count() == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_joins_for_the_last_seat_admit_exactly_one():
    # given: a group with one free seat and five users released at the same moment
    group = group_with(leader=UserFactory(), members=[UserFactory()], max_members=3)
    threads_count = 5
    barrier = threading.Barrier(threads_count)
    clients = [client_for(UserFactory()) for _ in range(threads_count)]
    statuses: list[int] = []
    lock = threading.Lock()

    def post(client):
        try:
            barrier.wait(timeout=10)
            response = client.post(url(group, "/join"))
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
    assert sorted(statuses) == [201] + [400] * (threads_count - 1)
    assert group.memberships.count() == 3


@pytest.mark.django_db(transaction=True)
def test_parallel_invite_code_guesses_are_limited_exactly(monkeypatch):
    # given: joins limited to 3 an hour, and 8 guesses at a private group's code sent at once
    monkeypatch.setattr(
        AtomicScopedRateThrottle, "THROTTLE_RATES", {**AtomicScopedRateThrottle.THROTTLE_RATES, "group_join": "3/hour"}
    )
    group = group_with(leader=UserFactory(), visibility=Visibility.PRIVATE)
    guesser = UserFactory()
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    responses = []
    lock = threading.Lock()

    def guess(n):
        client = client_for(guesser)
        try:
            barrier.wait(timeout=10)
            response = client.post(url(group, "/join"), {"invite_code": f"guess-{n}"}, format="json")
            with lock:
                responses.append(response)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(threads_count)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert sorted(r.status_code for r in responses) == [404] * 3 + [429] * 5
    assert all(0 < int(r["Retry-After"]) <= 3600 for r in responses if r.status_code == 429)


def test_a_regenerated_invite_code_replaces_the_old_one(user, other_user):
    # given
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    old_code = group.invite_code
    # when
    response = client_for(user).post(url(group, "/invite-code"))
    # then
    assert response.status_code == 200, response.content
    new_code = response.json()["invite_code"]
    assert new_code not in (None, old_code)
    joiner = client_for(other_user)
    assert joiner.post(url(group, "/join"), {"invite_code": old_code}, format="json").status_code == 404
    assert joiner.post(url(group, "/join"), {"invite_code": new_code}, format="json").status_code == 201


def test_admins_regenerate_the_invite_code_and_members_get_403(user, other_user):
    # given
    admin = UserFactory()
    group = group_with(leader=user, admins=[admin], members=[other_user])
    old_code = group.invite_code
    # when
    as_member = client_for(other_user).post(url(group, "/invite-code"))
    # then
    assert as_member.status_code == 403
    group.refresh_from_db()
    assert group.invite_code == old_code
    # when
    as_admin = client_for(admin).post(url(group, "/invite-code"))
    # then
    assert as_admin.status_code == 200
    group.refresh_from_db()
    assert as_admin.json()["invite_code"] == group.invite_code != old_code


# --- leave ----------------------------------------------------------------------------------------


def test_a_member_leaves_with_204(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    # when
    response = client_for(other_user).delete(url(group, "/leave"))
    # then
    assert response.status_code == 204
    assert role_in(group, other_user) is None


def test_the_last_leader_cannot_leave_until_another_member_is_made_leader(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    leader = client_for(user)
    # when
    refused = leader.delete(url(group, "/leave"))
    # then
    assert refused.status_code == 409
    assert role_in(group, user) == Role.LEADER
    # when
    promoted = leader.patch(
        url(group, "/members/role"), {"user_id": str(other_user.pk), "role": "leader"}, format="json"
    )
    left = leader.delete(url(group, "/leave"))
    # then
    assert promoted.status_code == 200
    assert left.status_code == 204
    assert role_in(group, other_user) == Role.LEADER
    assert role_in(group, user) is None


def test_the_last_member_leaving_closes_the_group(user):
    # given
    group = group_with(leader=user)
    client = client_for(user)
    # when
    response = client.delete(url(group, "/leave"))
    # then
    assert response.status_code == 204
    group.refresh_from_db()
    assert group.is_active is False
    assert client.get(url(group)).status_code == 404


# --- roles ----------------------------------------------------------------------------------------


def test_a_leader_makes_a_member_admin_and_another_leader(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    leader = client_for(user)
    path = url(group, "/members/role")
    # when
    as_admin = leader.patch(path, {"user_id": str(other_user.pk), "role": "admin"}, format="json")
    # then
    assert as_admin.status_code == 200, as_admin.content
    assert as_admin.json()["role"] == "admin"
    assert role_in(group, other_user) == Role.ADMIN
    # when
    as_leader = leader.patch(path, {"user_id": str(other_user.pk), "role": "leader"}, format="json")
    # then
    assert as_leader.status_code == 200
    assert group.memberships.filter(role=Role.LEADER).count() == 2


@pytest.mark.parametrize("actor_role", [Role.ADMIN, Role.MEMBER])
def test_only_leaders_change_roles(user, other_user, actor_role):
    # given
    actor = UserFactory()
    group = group_with(leader=user, members=[other_user])
    MembershipFactory(group=group, user=actor, role=actor_role)
    # when
    response = client_for(actor).patch(
        url(group, "/members/role"), {"user_id": str(other_user.pk), "role": "admin"}, format="json"
    )
    # then
    assert response.status_code == 403
    assert role_in(group, other_user) == Role.MEMBER


def test_an_outsider_changing_roles_in_a_private_group_gets_404(user, other_user):
    # given
    member = UserFactory()
    group = group_with(leader=user, members=[member], visibility=Visibility.PRIVATE)
    # when
    response = client_for(other_user).patch(
        url(group, "/members/role"), {"user_id": str(member.pk), "role": "leader"}, format="json"
    )
    # then
    assert response.status_code == 404
    assert role_in(group, member) == Role.MEMBER


def test_demoting_the_only_leader_answers_409(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    # when
    response = client_for(user).patch(
        url(group, "/members/role"), {"user_id": str(user.pk), "role": "member"}, format="json"
    )
    # then
    assert response.status_code == 409
    assert role_in(group, user) == Role.LEADER


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"user_id": "outsider", "role": "admin"}, "user_id"),
        ({"user_id": "member", "role": "king"}, "role"),
        ({"role": "admin"}, "user_id"),
    ],
)
def test_a_bad_role_change_answers_400_naming_the_field(user, other_user, data, field):
    # given
    group = group_with(leader=user, members=[other_user])
    ids = {"outsider": str(UserFactory().pk), "member": str(other_user.pk)}
    if "user_id" in data:
        data = {**data, "user_id": ids[data["user_id"]]}
    # when
    response = client_for(user).patch(url(group, "/members/role"), data, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert role_in(group, other_user) == Role.MEMBER


# --- remove ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor_role", [Role.LEADER, Role.ADMIN])
def test_leaders_and_admins_remove_a_member(user, other_user, actor_role):
    # given
    actor = UserFactory()
    group = group_with(leader=user, members=[other_user])
    MembershipFactory(group=group, user=actor, role=actor_role)
    # when
    response = client_for(actor).delete(url(group, f"/members/{other_user.pk}"))
    # then
    assert response.status_code == 204
    assert role_in(group, other_user) is None


def test_a_member_cannot_remove_anyone(user, other_user):
    # given
    victim = UserFactory()
    group = group_with(leader=user, members=[other_user, victim])
    # when
    response = client_for(other_user).delete(url(group, f"/members/{victim.pk}"))
    # then
    assert response.status_code == 403
    assert role_in(group, victim) == Role.MEMBER


@pytest.mark.parametrize("target_role", [Role.LEADER, Role.ADMIN])
def test_an_admin_cannot_remove_a_leader_or_another_admin(user, other_user, target_role):
    # given
    target = UserFactory()
    group = group_with(leader=user, admins=[other_user])
    MembershipFactory(group=group, user=target, role=target_role)
    # when
    response = client_for(other_user).delete(url(group, f"/members/{target.pk}"))
    # then
    assert response.status_code == 403
    assert role_in(group, target) == target_role


@pytest.mark.parametrize("target_role", [Role.LEADER, Role.ADMIN])
def test_a_leader_removes_a_leader_or_an_admin(user, other_user, target_role):
    # given
    group = group_with(leader=user)
    MembershipFactory(group=group, user=other_user, role=target_role)
    # when
    response = client_for(user).delete(url(group, f"/members/{other_user.pk}"))
    # then
    assert response.status_code == 204
    assert role_in(group, other_user) is None


def test_removing_oneself_answers_409(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    # when
    response = client_for(user).delete(url(group, f"/members/{user.pk}"))
    # then
    assert response.status_code == 409
    assert role_in(group, user) == Role.LEADER


def test_removing_a_non_member_answers_404(user, other_user):
    # given
    group = group_with(leader=user)
    # when
    response = client_for(user).delete(url(group, f"/members/{other_user.pk}"))
    # then
    assert response.status_code == 404


# --- edit and delete ------------------------------------------------------------------------------


@pytest.mark.parametrize("actor_role", [Role.LEADER, Role.ADMIN])
def test_leaders_and_admins_edit_the_group(user, actor_role):
    # given
    actor = UserFactory()
    group = group_with(leader=user)
    MembershipFactory(group=group, user=actor, role=actor_role)
    # when
    response = client_for(actor).patch(url(group), {"group_name": "Renamed", "max_members": 5}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["group_name"] == "Renamed"
    group.refresh_from_db()
    assert (group.group_name, group.max_members) == ("Renamed", 5)


def test_a_member_cannot_edit_the_group(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    # when
    response = client_for(other_user).patch(url(group), {"group_name": "Renamed"}, format="json")
    # then
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.group_name != "Renamed"


def test_a_leader_deletes_the_group_softly(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    # when
    response = client_for(user).delete(url(group))
    # then
    assert response.status_code == 204
    assert client_for(user).get(url(group)).status_code == 404
    assert client_for(other_user).get(url(group)).status_code == 404
    group.refresh_from_db()
    assert group.is_active is False


@pytest.mark.parametrize("actor_role", [Role.ADMIN, Role.MEMBER])
def test_only_leaders_delete_the_group(user, actor_role):
    # given
    actor = UserFactory()
    group = group_with(leader=user)
    MembershipFactory(group=group, user=actor, role=actor_role)
    # when
    response = client_for(actor).delete(url(group))
    # then
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.is_active is True


# --- query counts ---------------------------------------------------------------------------------


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


def test_the_group_list_costs_the_same_queries_for_1_and_20_groups(user):
    # given
    client = client_for(user)
    group_with(leader=user, visibility=Visibility.PRIVATE)
    one = count_queries(client, "/api/groups/")
    for index in range(19):
        group_with(leader=user if index % 2 else UserFactory(), members=[UserFactory()])
    # when
    twenty = count_queries(client, "/api/groups/")
    # then
    assert len(client.get("/api/groups/").json()["results"]) == 20
    assert twenty == one + 1  # grouped rows (member_count): the full page is counted (COUNT), the short one was not


def test_the_member_list_costs_the_same_queries_for_1_and_20_members(user):
    # given
    client = client_for(user)
    group = group_with(leader=user)
    one = count_queries(client, url(group, "/members"))
    for _ in range(19):
        MembershipFactory(group=group)
    # when
    twenty = count_queries(client, url(group, "/members"))
    # then
    assert len(client.get(url(group, "/members")).json()["results"]) == 20
    assert twenty == one  # the full page's count comes with the page (learnflow.pagination)


def test_max_members_cannot_drop_below_the_current_members(user, other_user):
    group = group_with(leader=user, members=[other_user, UserFactory()])
    response = client_for(user).patch(f"/api/groups/{group.pk}", {"max_members": 2}, format="json")
    assert response.status_code == 400
    assert "max_members" in response.json()
    assert Group.objects.get(pk=group.pk).max_members == 50


# --- detail: the first members ------------------------------------------------------------------


def joined(group, user, role: str, minutes_ago: int) -> None:
    membership = MembershipFactory(group=group, user=user, role=role)
    Membership.objects.filter(pk=membership.pk).update(joined_at=timezone.now() - timedelta(minutes=minutes_ago))


def test_the_detail_lists_leaders_then_admins_then_members_each_by_join_date(user):
    # given: joined in an order that is not the roles' order
    group = GroupFactory(creator=user)
    people = {name: UserFactory(username=name) for name in ("m1", "a1", "l2", "m2", "a2")}
    joined(group, people["m1"], Role.MEMBER, 50)
    joined(group, people["a1"], Role.ADMIN, 40)
    joined(group, user, Role.LEADER, 30)
    joined(group, people["l2"], Role.LEADER, 60)
    joined(group, people["m2"], Role.MEMBER, 20)
    joined(group, people["a2"], Role.ADMIN, 10)
    # when
    response = client_for(people["m2"]).get(url(group))
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(row["user"]["username"], row["role"]) for row in body["members"]] == [
        ("l2", "leader"),
        (user.username, "leader"),
        ("a1", "admin"),
        ("a2", "admin"),
        ("m1", "member"),
        ("m2", "member"),
    ]
    assert body["member_count"] == 6
    first = body["members"][0]
    assert set(first) == {"user", "role", "joined_at"}
    assert set(first["user"]) == {"id", "username", "avatar_url"}
    assert first["user"]["id"] == str(people["l2"].pk)


def test_the_detail_shows_20_members_and_counts_them_all(user):
    # given
    group = group_with(leader=user)
    for index in range(29):
        joined(group, UserFactory(), Role.MEMBER, 100 - index)
    # when
    body = client_for(user).get(url(group)).json()
    # then
    assert body["member_count"] == 30
    assert len(body["members"]) == 20
    assert body["members"][0]["user"]["id"] == str(user.pk)
    joins = [row["joined_at"] for row in body["members"][1:]]
    assert joins == sorted(joins)


def test_the_detail_costs_the_same_queries_for_1_and_30_members(user):
    # given
    client = client_for(user)
    group = group_with(leader=user)
    one = count_queries(client, url(group))
    for index in range(29):
        MembershipFactory(group=group, role=Role.ADMIN if index % 3 == 0 else Role.MEMBER)
    # when
    thirty = count_queries(client, url(group))
    # then
    assert len(client.get(url(group)).json()["members"]) == 20
    assert thirty == one


def test_an_outsider_sees_a_public_groups_members(user, other_user):
    group = group_with(leader=user)
    body = client_for(other_user).get(url(group)).json()
    assert [row["user"]["id"] for row in body["members"]] == [str(user.pk)]


def test_an_invitee_sees_a_private_group_without_its_members(user, other_user):
    # given
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    InvitationFactory(group=group, inviter=user, invitee=other_user)
    # when
    body = client_for(other_user).get(url(group)).json()
    # then
    assert (body["member_count"], body["members"]) == (1, [])


def test_the_group_list_carries_no_members(user):
    group_with(leader=user)
    assert "members" not in client_for(user).get("/api/groups/").json()["results"][0]

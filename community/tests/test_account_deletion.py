"""What deleting an account does in community: who leads a group next, the "deleted user" author of
what stays, and replies to it (the whole deletion is tested in learnflow/tests/test_account_deletion.py)."""

import pytest

from accounts.avatars import DELETED_AVATAR_URL
from accounts.models import Notification
from accounts.services import user_delete
from accounts.tests.factories import UserFactory
from community.choices import Role
from community.models import Comment, Group, Membership, Post
from community.tests.factories import MembershipFactory, group_with
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

DELETED_USER = {"id": None, "username": "deleted user", "avatar_url": DELETED_AVATAR_URL}


def roles(group) -> dict[str, str]:
    return dict(Membership.objects.filter(group=group).values_list("user__username", "role"))


def test_the_longest_standing_admin_leads_next():
    # given: a member who joined first, then two admins
    leader = UserFactory(username="leader")
    group = group_with(leader=leader, members=[UserFactory(username="early")])
    MembershipFactory(group=group, user=UserFactory(username="admin1"), role=Role.ADMIN)
    MembershipFactory(group=group, user=UserFactory(username="admin2"), role=Role.ADMIN)
    # when
    user_delete(user=leader)
    # then
    assert roles(group) == {"early": Role.MEMBER, "admin1": Role.LEADER, "admin2": Role.ADMIN}


def test_without_admins_the_longest_standing_member_leads_next():
    # given
    leader = UserFactory()
    first, second = UserFactory(username="first"), UserFactory(username="second")
    group = group_with(leader=leader, members=[first, second])
    # when
    user_delete(user=leader)
    # then
    assert roles(group) == {"first": Role.LEADER, "second": Role.MEMBER}
    assert Notification.objects.filter(user=first, data__group_id=str(group.pk)).count() == 1
    assert not Notification.objects.filter(user=second).exists()


def test_a_group_with_another_leader_keeps_its_roles():
    # given
    leaving, staying = UserFactory(), UserFactory(username="staying")
    group = group_with(leader=leaving, members=[UserFactory(username="member")])
    MembershipFactory(group=group, user=staying, role=Role.LEADER)
    # when
    user_delete(user=leaving)
    # then
    assert roles(group) == {"member": Role.MEMBER, "staying": Role.LEADER}
    assert not Notification.objects.exists()


def test_the_last_member_of_a_group_closes_it():
    # given
    alone = UserFactory()
    group = group_with(leader=alone)
    # when
    user_delete(user=alone)
    # then
    assert Group.objects.get(pk=group.pk).is_active is False


def test_a_deleted_authors_posts_list_as_from_deleted_user(user, other_user):
    # given
    Post.objects.create(author=other_user, title="Left behind", content="Still useful.")
    Post.objects.create(author=user, title="Mine", content="Mine.")
    # when
    user_delete(user=other_user)
    response = client_for(user).get("/api/community/posts/")
    # then
    assert response.status_code == 200
    authors = {post["title"]: post["author"] for post in response.json()["results"]}
    assert authors == {
        "Left behind": DELETED_USER,
        "Mine": {"id": str(user.pk), "username": user.username, "avatar_url": user.avatar_url},
    }


def test_replying_to_a_deleted_authors_post_and_comment_notifies_nobody(user, other_user):
    # given
    post = Post.objects.create(author=other_user, title="Left behind", content="Still useful.")
    comment = Comment.objects.create(post=post, author=other_user, content="Me too.")
    user_delete(user=other_user)
    client = client_for(user)
    # when
    on_post = client.post(f"/api/community/posts/{post.pk}/comments", {"content": "Thanks"}, format="json")
    on_comment = client.post(
        f"/api/community/posts/{post.pk}/comments",
        {"content": "Agreed", "parent_comment_id": str(comment.pk)},
        format="json",
    )
    # then
    assert (on_post.status_code, on_comment.status_code) == (201, 201)
    assert not Notification.objects.exists()
    tree = client.get(f"/api/community/posts/{post.pk}/comments").json()
    assert [(c["author"], [r["content"] for r in c["replies"]]) for c in tree if c["content"] == "Me too."] == [
        (DELETED_USER, ["Agreed"])
    ]


def test_a_deleted_authors_post_cannot_be_edited_by_anybody(user, other_user):
    # given
    post = Post.objects.create(author=other_user, title="Left behind", content="Still useful.")
    user_delete(user=other_user)
    # when
    response = client_for(user).patch(f"/api/community/posts/{post.pk}", {"title": "Mine now"}, format="json")
    # then
    assert response.status_code == 403

"""Staff pages of the community app: every model's list and change pages open, with its filters,
and the moderation actions work."""

import pytest

from accounts.tests.factories import UserFactory
from community.messaging import message_send
from community.models import Comment, CommentLike, GroupMessage, Post, PostLike, ResourceProgress
from community.tests.factories import InvitationFactory, ResourceFactory, group_with
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(user, other_user):
    """One row of every community model."""
    group = group_with(leader=user, members=[other_user])
    post = Post.objects.create(author=user, title="A post", content="Text")
    comment = Comment.objects.create(post=post, author=other_user, content="A comment")
    folder = ResourceFactory(uploaded_by=user, group=group, folder=True)
    resource = ResourceFactory(uploaded_by=user, group=group, parent_folder=folder)
    message = message_send(sender=user, receiver_id=other_user.pk, content="Hello")
    return {
        "group": group,
        "invitation": InvitationFactory(group=group, inviter=user, invitee=UserFactory()),
        "post": post,
        "comment": comment,
        "postlike": PostLike.objects.create(user=other_user, post=post),
        "commentlike": CommentLike.objects.create(user=user, comment=comment),
        "conversation": message.conversation,
        "message": message,
        "groupmessage": GroupMessage.objects.create(group=group, sender=user, content="Hi all"),
        "resource": resource,
        "resourceprogress": ResourceProgress.objects.create(user=user, resource=resource, status="in_progress"),
    }


def test_every_community_model_has_working_admin_pages(admin_client, community):
    for name, obj in community.items():
        changelist = admin_client.get(f"/admin/community/{name}/")
        change = admin_client.get(f"/admin/community/{name}/{obj.pk}/change/")
        assert changelist.status_code == 200, name
        assert change.status_code == 200, name


@pytest.mark.parametrize(
    "query",
    ["resource/?resource_type__exact=folder&is_deleted__exact=0", "resourceprogress/?status__exact=in_progress"],
)
def test_admin_filters_open(admin_client, community, query):
    assert admin_client.get(f"/admin/community/{query}").status_code == 200


def test_staff_cannot_add_or_delete_like_rows(admin_client, community):
    assert admin_client.get("/admin/community/postlike/add/").status_code == 403
    assert admin_client.get(f"/admin/community/postlike/{community['postlike'].pk}/delete/").status_code == 403


def test_staff_restore_a_deleted_resource(admin_client, user):
    # given
    resource = ResourceFactory(uploaded_by=user, is_deleted=True)
    # when
    response = admin_client.post(
        "/admin/community/resource/", {"action": "restore", "_selected_action": [str(resource.pk)]}
    )
    # then
    assert response.status_code == 302
    resource.refresh_from_db()
    assert not resource.is_deleted


def test_staff_hide_and_restore_a_post(admin_client, user):
    # given
    post = Post.objects.create(author=user, title="Spam?", content="Maybe.")
    reader = client_for(user)
    # when
    hidden = admin_client.post("/admin/community/post/", {"action": "hide", "_selected_action": [str(post.pk)]})
    # then
    assert hidden.status_code == 302
    assert reader.get(f"/api/community/posts/{post.pk}").status_code == 404
    # when
    admin_client.post("/admin/community/post/", {"action": "restore", "_selected_action": [str(post.pk)]})
    # then
    assert reader.get(f"/api/community/posts/{post.pk}").status_code == 200


def test_staff_hide_a_post_whose_author_deleted_their_account(admin_client, user, other_user):
    # given
    from accounts.services import user_delete

    post = Post.objects.create(author=other_user, title="Left behind", content="Spam?")
    user_delete(user=other_user)
    # when
    page = admin_client.get(f"/admin/community/post/{post.pk}/change/")
    hidden = admin_client.post("/admin/community/post/", {"action": "hide", "_selected_action": [str(post.pk)]})
    # then
    assert page.status_code == 200
    assert hidden.status_code == 302
    post.refresh_from_db()
    assert post.is_hidden
    assert client_for(user).get(f"/api/community/posts/{post.pk}").status_code == 404

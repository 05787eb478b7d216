"""The group chat: members only, replies within the group, edit and delete one's own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from community.choices import Visibility
from community.models import GroupMessage
from community.tests.factories import group_with
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db


def chat(group) -> str:
    return f"/api/groups/{group.pk}/messages"


def test_members_post_and_read_the_chat_newest_first(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    first = client_for(user).post(chat(group), {"content": "Library at 6?"}, format="json")
    reply = client_for(other_user).post(
        chat(group), {"content": "Yes!", "reply_to_id": first.json()["id"]}, format="json"
    )
    # when
    rows = client_for(user).get(chat(group)).json()["results"]
    # then
    assert first.status_code == reply.status_code == 201
    assert [(r["content"], r["reply_to_id"]) for r in rows] == [
        ("Yes!", first.json()["id"]),
        ("Library at 6?", None),
    ]
    assert rows[0]["sender"]["username"] == other_user.username


def test_outsiders_cannot_use_the_chat(user, other_user):
    public = group_with(leader=other_user)
    private = group_with(leader=other_user, visibility=Visibility.PRIVATE)
    client = client_for(user)
    assert client.get(chat(public)).status_code == 403
    assert client.post(chat(public), {"content": "hi"}, format="json").status_code == 403
    assert client.get(chat(private)).status_code == 404


def test_a_reply_must_be_to_a_message_of_the_same_group(user):
    group, other_group = group_with(leader=user), group_with(leader=user)
    elsewhere = GroupMessage.objects.create(group=other_group, sender=user, content="x")
    response = client_for(user).post(chat(group), {"content": "re", "reply_to_id": str(elsewhere.pk)}, format="json")
    assert response.status_code == 400
    assert "reply_to_id" in response.json()


def test_only_the_sender_edits_or_deletes_a_message(user, other_user):
    group = group_with(leader=user, members=[other_user])
    message_id = client_for(user).post(chat(group), {"content": "typo"}, format="json").json()["id"]
    url = f"{chat(group)}/{message_id}"
    assert client_for(other_user).patch(url, {"content": "hacked"}, format="json").status_code == 403
    assert client_for(other_user).delete(url).status_code == 403
    edited = client_for(user).patch(url, {"content": "fixed"}, format="json").json()
    assert (edited["content"], edited["edited_at"] is not None) == ("fixed", True)
    assert client_for(user).delete(url).status_code == 204
    assert client_for(user).get(chat(group)).json()["results"] == []
    assert client_for(user).delete(url).status_code == 404


def test_chat_list_query_count_does_not_grow(user):
    group = group_with(leader=user)
    GroupMessage.objects.create(group=group, sender=user, content="1")
    with CaptureQueriesContext(connection) as one:
        client_for(user).get(chat(group))
    for n in range(20):
        GroupMessage.objects.create(group=group, sender=UserFactory(), content=str(n))
    with CaptureQueriesContext(connection) as many:
        client_for(user).get(chat(group))
    assert len(many) == len(one)  # the full page's count comes with the page (learnflow.pagination)


def test_chat_needs_a_token(api_client, user):
    assert api_client.get(chat(group_with(leader=user))).status_code == 401

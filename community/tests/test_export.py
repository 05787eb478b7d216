"""The community sections of ``export_user_data``: the user's groups, forum writing, sent messages,
resources and resource progress, and nothing of anyone else's."""

import json

import pytest
from django.core.management import call_command

from community.messaging import message_send
from community.models import Comment, GroupMessage, Post, ResourceProgress
from community.tests.factories import ResourceFactory, group_with

pytestmark = pytest.mark.django_db


def test_export_holds_the_users_community_data_only(user, other_user, capsys):
    # given
    group = group_with(leader=user, members=[other_user], group_name="Night owls")
    post = Post.objects.create(author=user, title="Mine", content="My post.")
    Post.objects.create(author=other_user, title="Theirs", content="Their post.")
    Comment.objects.create(post=post, author=user, content="My comment.")
    GroupMessage.objects.create(group=group, sender=user, content="Hello group")
    GroupMessage.objects.create(group=group, sender=other_user, content="Hi back")
    resource = ResourceFactory(uploaded_by=user, group=group, title="Lecture")
    ResourceFactory(uploaded_by=other_user, title="Not mine")
    ResourceProgress.objects.create(user=user, resource=resource, status="completed", progress_percentage=100)
    message_send(sender=user, receiver_id=other_user.pk, content="Hi, one-to-one")
    message_send(sender=other_user, receiver_id=user.pk, content="Not sent by me")
    # when
    call_command("export_user_data", user.username)
    # then
    document = json.loads(capsys.readouterr().out)
    assert [(g["group__group_name"], g["role"]) for g in document["groups"]] == [("Night owls", "leader")]
    assert [p["title"] for p in document["forum"]["posts"]] == ["Mine"]
    assert [c["content"] for c in document["forum"]["comments"]] == ["My comment."]
    assert [m["content"] for m in document["messages"]["direct"]] == ["Hi, one-to-one"]
    assert [m["content"] for m in document["messages"]["group_chat"]] == ["Hello group"]
    assert [r["title"] for r in document["resources"]["resources"]] == ["Lecture"]
    assert [(p["resource_id"], p["status"]) for p in document["resources"]["progress"]] == [
        (str(resource.pk), "completed")
    ]

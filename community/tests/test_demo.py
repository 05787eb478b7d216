"""What community adds to ``seed_demo``: groups with a leader, forum posts whose counters match
their rows, and resources that the API serves to their group's members."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import User
from community.choices import Role
from community.models import Group, Membership, Post, Resource, ResourceProgress
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_community():
    # when
    call_command("seed_demo", "--users", "20", "--seed", "3")
    # then
    assert Group.objects.count() == 3
    assert set(Group.objects.annotate(n=Count("memberships")).values_list("n", flat=True)) == {8, 4}
    assert Membership.objects.filter(role=Role.LEADER).count() == 3
    posts = Post.objects.annotate(
        n_likes=Count("like_rows", distinct=True), n_comments=Count("comments", distinct=True)
    )
    assert posts.exists()
    for post in posts:
        assert (post.likes, post.comment_count) == (post.n_likes, post.n_comments)
    assert ResourceProgress.objects.exists()
    group = Group.objects.first()
    leader = User.objects.get(memberships__role=Role.LEADER, memberships__group=group)
    library = client_for(leader).get(f"/api/resources/group/{group.pk}").json()
    assert library["count"] == Resource.objects.filter(group=group).count() == 5

"""Factories for study groups. ``group_with(leader=..., members=[...])`` builds a group and its
memberships in one call; an invitation defaults to pending for 7 days."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.choices import GroupType, ResourceType, Role, Visibility
from community.models import Group, Invitation, Membership, Resource


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    group_name = factory.Sequence(lambda n: f"Group {n}")
    description = "We study together."
    group_type = GroupType.COMMUNITY
    visibility = Visibility.PUBLIC
    max_members = 50


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    group = factory.SubFactory(GroupFactory)
    inviter = factory.SubFactory(UserFactory)
    invitee = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def group_with(*, leader=None, admins=(), members=(), **fields) -> Group:
    """A group whose creator ``leader`` is its leader, with the given admins and members."""
    group = GroupFactory(creator=leader, **fields)
    if leader is not None:
        MembershipFactory(group=group, user=leader, role=Role.LEADER)
    for admin in admins:
        MembershipFactory(group=group, user=admin, role=Role.ADMIN)
    for member in members:
        MembershipFactory(group=group, user=member, role=Role.MEMBER)
    return group


class ResourceFactory(factory.django.DjangoModelFactory):
    """A personal link of its uploader unless ``group`` is given; ``folder=True`` for a folder."""

    class Meta:
        model = Resource

    class Params:
        folder = factory.Trait(resource_type=ResourceType.FOLDER, url="")

    uploaded_by = factory.SubFactory(UserFactory)
    resource_type = ResourceType.LINK
    title = factory.Sequence(lambda n: f"Resource {n}")
    url = factory.Sequence(lambda n: f"https://example.com/{n}")

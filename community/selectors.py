"""Reads for groups: what a user may see. A private group is visible to its members and to users
with a pending invitation; to anybody else it does not exist."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .choices import InvitationStatus, Visibility
from .models import Group, Invitation, Membership


def group_list_visible(*, user) -> QuerySet[Group]:
    member = Membership.objects.filter(group=OuterRef("pk"), user=user)
    invited = Invitation.objects.filter(
        group=OuterRef("pk"), invitee=user, status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
    )
    return (
        Group.objects.filter(is_active=True)
        .annotate(is_member=Exists(member), is_invited=Exists(invited), member_count=Count("memberships"))
        .filter(Q(visibility=Visibility.PUBLIC) | Q(is_member=True) | Q(is_invited=True))
        .order_by("-created_at")  # Meta.ordering is ignored by aggregating querysets
    )


def my_roles(*, user) -> dict:
    return dict(Membership.objects.filter(user=user).values_list("group_id", "role"))


def group_members(*, group: Group) -> QuerySet[Membership]:
    return Membership.objects.filter(group=group).select_related("user").order_by("joined_at")


def invitations_for(*, user) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            invitee=user, status=InvitationStatus.PENDING, expires_at__gt=timezone.now(), group__is_active=True
        )
        .select_related("group", "inviter")
        .order_by("-created_at")
    )

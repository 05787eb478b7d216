"""Reads for groups: what a user may see. A private group is visible to its members and to users
with a pending invitation; to anybody else it does not exist."""

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from .choices import InvitationStatus, Role, Visibility
from .models import (
    Comment,
    CommentLike,
    Conversation,
    Group,
    GroupMessage,
    Invitation,
    Membership,
    Message,
    Post,
    PostLike,
    Resource,
    ResourceProgress,
)


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


def profile_audience(*, viewer) -> Q:
    """Users who share at least one active group with ``viewer``: the audience of a profile whose
    ``profile_visibility`` is ``groups`` (see ``accounts.selectors.users_with_visible_stats``)."""
    my_groups = Membership.objects.filter(user=viewer, group__is_active=True).values("group_id")
    return Q(Exists(Membership.objects.filter(user=OuterRef("pk"), group_id__in=my_groups)))


def my_roles(*, user) -> dict:
    return dict(Membership.objects.filter(user=user).values_list("group_id", "role"))


def group_members(*, group: Group) -> QuerySet[Membership]:
    return Membership.objects.filter(group=group).select_related("user").order_by("joined_at")


#: How many members a group's detail shows (the whole list is ``/api/groups/{id}/members``).
DETAIL_MEMBERS = 20
ROLE_RANK = Case(
    When(role=Role.LEADER, then=Value(0)),
    When(role=Role.ADMIN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


MEMBER_FIELDS = (
    "role", "joined_at", "group_id",
    "user__id", "user__username", "user__full_name", "user__avatar_source", "user__avatar_key",
)  # fmt: skip


def group_members_first(*, group: Group, size: int = DETAIL_MEMBERS) -> list[Membership]:
    """The first ``size`` members of a group for its detail: leaders, then admins, then members,
    each by join date; one query however many members."""
    return list(
        Membership.objects.filter(group=group)
        .select_related("user")
        .only(*MEMBER_FIELDS)
        .order_by(ROLE_RANK, "joined_at", "pk")[:size]
    )


def group_of_member(*, user, group_id) -> Group:
    """An active group, for one of its members. To anyone else a private group does not exist (404)
    and a public one refuses (403), as the group's chat and library do; one query."""
    group = (
        Group.objects.filter(pk=group_id, is_active=True)
        .annotate(is_member=Exists(Membership.objects.filter(group=OuterRef("pk"), user=user)))
        .first()
    )
    if group is None or (not group.is_member and group.visibility == Visibility.PRIVATE):
        raise Http404
    if not group.is_member:
        raise PermissionDenied("Only the group's members see this.")
    return group


def invitations_for(*, user) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            invitee=user, status=InvitationStatus.PENDING, expires_at__gt=timezone.now(), group__is_active=True
        )
        .select_related("group", "inviter")
        .order_by("-created_at")
    )


def memberships_export(*, user) -> list[dict]:
    return list(
        Membership.objects.filter(user=user)
        .order_by("joined_at")
        .values("group_id", "group__group_name", "role", "joined_at")
    )


def invitations_export(*, user) -> dict:
    """Invitations the user received and those they sent."""
    fields = ("id", "group_id", "group__group_name", "message", "status", "expires_at", "responded_at", "created_at")
    return {
        "received": list(Invitation.objects.filter(invitee=user).order_by("created_at").values(*fields, "inviter_id")),
        "sent": list(Invitation.objects.filter(inviter=user).order_by("created_at").values(*fields, "invitee_id")),
    }


def forum_export(*, user) -> dict:
    return {
        "post_likes": list(PostLike.objects.filter(user=user).order_by("created_at").values("post_id", "created_at")),
        "comment_likes": list(
            CommentLike.objects.filter(user=user).order_by("created_at").values("comment_id", "created_at")
        ),
        "posts": list(
            Post.objects.filter(author=user)
            .order_by("created_at")
            .values("id", "title", "content", "category", "is_deleted", "created_at", "updated_at")
        ),
        "comments": list(
            Comment.objects.filter(author=user)
            .order_by("created_at")
            .values("id", "post_id", "parent_id", "content", "is_deleted", "created_at", "updated_at")
        ),
    }


def messages_export(*, user) -> dict:
    """The user's 1:1 conversations (with the other participant), the messages they sent there and
    in group chats, and the 1:1 messages they received."""
    conversations = Conversation.objects.filter(Q(user_a=user) | Q(user_b=user))
    pairs = conversations.order_by("pk").values_list("pk", "user_a_id", "user_b_id", "last_message_at")
    return {
        "conversations": [
            {"id": pk, "with_user_id": b if a == user.pk else a, "last_message_at": last} for pk, a, b, last in pairs
        ],
        "direct_received": list(
            Message.objects.filter(conversation__in=conversations)
            .exclude(sender=user)
            .order_by("created_at")
            .values("id", "conversation_id", "sender_id", "content", "read_at", "created_at")
        ),
        "direct": list(
            Message.objects.filter(sender=user)
            .order_by("created_at")
            .values("id", "conversation_id", "content", "read_at", "created_at")
        ),
        "group_chat": list(
            GroupMessage.objects.filter(sender=user)
            .order_by("created_at")
            .values("id", "group_id", "message_type", "content", "upload_id", "reply_to_id", "is_deleted", "created_at")
        ),
    }


RESOURCE_EXPORT_FIELDS = (
    "id", "title", "description", "resource_type", "url", "file_size", "upload_id", "group_id", "parent_folder_id",
    "is_deleted", "created_at", "updated_at",
)  # fmt: skip


def resources_export(*, user) -> dict:
    return {
        "resources": list(
            Resource.objects.filter(uploaded_by=user).order_by("created_at").values(*RESOURCE_EXPORT_FIELDS)
        ),
        "progress": list(
            ResourceProgress.objects.filter(user=user)
            .order_by("created_at")
            .values("resource_id", "status", "progress_percentage", "notes", "started_at", "completed_at", "updated_at")
        ),
    }

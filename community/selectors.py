"""Reads for groups: what a user may see. A private group is visible to its members and to users
with a pending invitation; to anybody else it does not exist."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .choices import InvitationStatus, Visibility
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
            .values("id", "group_id", "content", "reply_to_id", "is_deleted", "created_at")
        ),
    }


RESOURCE_EXPORT_FIELDS = (
    "id", "title", "description", "resource_type", "url", "file_size", "group_id", "parent_folder_id", "is_deleted",
    "created_at", "updated_at",
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

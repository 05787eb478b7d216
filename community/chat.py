"""The group chat: members only (an outsider gets 403 in a public group, 404 in a private one, as the
group's views decide), replies within the group, edit and delete one's own messages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from .models import Group, GroupMessage
from .services import role_of


def _member(group: Group, user) -> None:
    if role_of(group=group, user=user) is None:
        raise PermissionDenied("Only members can use the group chat.")


def group_chat_messages(*, user, group: Group):
    _member(group, user)
    return GroupMessage.objects.filter(group=group, is_deleted=False).select_related("sender").order_by("-created_at")


def group_chat_post(*, user, group: Group, content: str, reply_to_id=None) -> GroupMessage:
    _member(group, user)
    reply_to = None
    if reply_to_id is not None:
        reply_to = GroupMessage.objects.filter(pk=reply_to_id, group=group, is_deleted=False).first()
        if reply_to is None:
            raise ValidationError({"reply_to_id": ["No such message in this group."]})
    return GroupMessage.objects.create(group=group, sender=user, content=content, reply_to=reply_to)


def _own_message(*, user, group: Group, message_id) -> GroupMessage:
    _member(group, user)
    message = GroupMessage.objects.filter(pk=message_id, group=group, is_deleted=False).first()
    if message is None:
        raise Http404
    if message.sender_id != user.pk:
        raise PermissionDenied("Only the sender can change this message.")
    return message


def group_chat_edit(*, user, group: Group, message_id, content: str) -> GroupMessage:
    message = _own_message(user=user, group=group, message_id=message_id)
    message.content, message.edited_at = content, timezone.now()
    message.save(update_fields=["content", "edited_at", "updated_at"])
    return message


def group_chat_delete(*, user, group: Group, message_id) -> None:
    message = _own_message(user=user, group=group, message_id=message_id)
    message.is_deleted = True
    message.save(update_fields=["is_deleted", "updated_at"])

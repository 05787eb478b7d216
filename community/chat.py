"""The group chat: members only (an outsider gets 403 in a public group, 404 in a private one, as the
group's views decide), replies within the group, edit and delete one's own messages.

A message is text, or an image (``MessageType.IMAGE``) with an optional caption. An image is an
upload like a resource's (``accounts.uploads``): JPEG, PNG, WebP or GIF by its bytes, at most
``LEARNFLOW_CHAT_IMAGE_MAX_BYTES``, written anew without metadata with a thumbnail, on the
sender's storage quota. Membership and the reply are checked before the image is written, and the
written objects are deleted again if the message is not created. Deleting the message deletes its
image for good (the row now, the objects after the commit), as does deleting the sender's account;
the message then stays as an image message whose image was removed.
"""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts import uploads
from accounts.choices import UploadPurpose
from accounts.models import Upload
from learnflow.routers import UUID_REGEX

from .choices import MessageType
from .models import Group, GroupMessage
from .services import role_of

#: The endpoint that takes chat images (for the request body limit, ``hooks.upload_limits``).
UPLOAD_PATH = re.compile(rf"^/api/groups/{UUID_REGEX}/messages/?$")


def upload_limit(*, path: str) -> int | None:
    """The largest image ``POST /api/groups/{id}/messages`` may carry."""
    return settings.LEARNFLOW_CHAT_IMAGE_MAX_BYTES if UPLOAD_PATH.match(path) else None


def _member(group: Group, user) -> None:
    if role_of(group=group, user=user) is None:
        raise PermissionDenied("Only members can use the group chat.")


def group_chat_messages(*, user, group: Group) -> QuerySet[GroupMessage]:
    """The group's messages, newest first, with their senders and images joined (one query a page)."""
    _member(group, user)
    return (
        GroupMessage.objects.filter(group=group, is_deleted=False)
        .select_related("sender", "upload")
        .order_by("-created_at")
    )


def _reply_target(*, group: Group, reply_to_id) -> GroupMessage | None:
    if reply_to_id is None:
        return None
    reply_to = GroupMessage.objects.filter(pk=reply_to_id, group=group, is_deleted=False).first()
    if reply_to is None:
        raise ValidationError({"reply_to_id": ["No such message in this group."]})
    return reply_to


def group_chat_post(
    *, user, group: Group, content: str = "", reply_to_id=None, message_type=MessageType.TEXT, file=None
) -> GroupMessage:
    """Post a message: text (``content``), or with ``file`` an image with ``content`` as its caption.

    An image is refused when it is over ``LEARNFLOW_CHAT_IMAGE_MAX_BYTES`` or the sender's quota
    (413), not a JPEG, PNG, WebP or GIF by its bytes, or corrupt (400 naming ``file``); while the
    storage is down, nothing is created (503)."""
    _member(group, user)
    reply_to = _reply_target(group=group, reply_to_id=reply_to_id)
    if message_type == MessageType.IMAGE and file is None:
        raise ValidationError({"file": ["An image message is sent as multipart/form-data with its file."]})
    if file is None:
        if not content.strip():
            raise ValidationError({"content": ["This field may not be blank."]})
        return GroupMessage.objects.create(group=group, sender=user, content=content, reply_to=reply_to)
    stored = uploads.upload_write(
        user=user,
        file=file,
        allowed_types=uploads.IMAGE_TYPES,
        max_bytes=settings.LEARNFLOW_CHAT_IMAGE_MAX_BYTES,
        purpose=UploadPurpose.CHAT_IMAGE,
        thumbnail=True,
    )
    try:
        with transaction.atomic():
            upload = uploads.upload_record(stored=stored)
            return GroupMessage.objects.create(
                group=group,
                sender=user,
                message_type=MessageType.IMAGE,
                content=content,
                upload=upload,
                reply_to=reply_to,
            )
    except BaseException:
        stored.discard()
        raise


def _own_message(*, user, group: Group, message_id) -> GroupMessage:
    _member(group, user)
    message = GroupMessage.objects.filter(pk=message_id, group=group, is_deleted=False).first()
    if message is None:
        raise Http404
    if message.sender_id != user.pk:
        raise PermissionDenied("Only the sender can change this message.")
    return message


def group_chat_edit(*, user, group: Group, message_id, content: str) -> GroupMessage:
    """Change a message's text, or an image's caption (which may be emptied); the image stays."""
    message = _own_message(user=user, group=group, message_id=message_id)
    if message.message_type == MessageType.TEXT and not content.strip():
        raise ValidationError({"content": ["This field may not be blank."]})
    message.content, message.edited_at = content, timezone.now()
    message.save(update_fields=["content", "edited_at", "updated_at"])
    return message


@transaction.atomic
def group_chat_delete(*, user, group: Group, message_id) -> None:
    """Delete one's own message (softly); its image goes for good, freeing the sender's quota."""
    message = _own_message(user=user, group=group, message_id=message_id)
    upload_id = message.upload_id
    message.is_deleted, message.upload = True, None
    message.save(update_fields=["is_deleted", "upload", "updated_at"])
    if upload_id is not None:
        uploads.uploads_delete(uploads=Upload.objects.filter(pk=upload_id))


@transaction.atomic
def group_messages_delete_rows(queryset: QuerySet[GroupMessage]) -> int:
    """Delete exactly these messages for good (staff in the admin), and their images with them
    (the rows now, the objects after the commit); returns how many messages went."""
    images = list(Upload.objects.filter(group_message__in=queryset))
    count, _ = queryset.delete()
    uploads.uploads_delete(uploads=images)
    return count

"""1:1 messages: one conversation per pair, unread counts per participant."""

import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.choices import NotificationKind
from accounts.models import Notification
from accounts.selectors import face_columns
from accounts.services import notification_create
from learnflow.compiled import CompiledValues, scalar

from .models import Conversation, Message


def _pair(one, other) -> tuple:
    return (one, other) if str(one.pk) < str(other.pk) else (other, one)


def conversation_get_or_create(*, user, other) -> Conversation:
    """The pair's conversation, made on their first message. Of two first messages racing, the one
    whose insert loses reads the winner's row (``get_or_create`` inserts in a savepoint and reads
    again after the unique pair's ``IntegrityError``), so an existing conversation costs one query."""
    user_a, user_b = _pair(user, other)
    return Conversation.objects.get_or_create(user_a=user_a, user_b=user_b)[0]


@transaction.atomic
def message_send(*, sender, receiver_id, content: str) -> Message:
    receiver = get_user_model().objects.filter(pk=receiver_id, is_active=True).first()
    if receiver is None:
        raise ValidationError({"receiver_id": ["No such user."]})
    if receiver.pk == sender.pk:
        raise ValidationError({"receiver_id": ["You cannot send a message to yourself."]})
    conversation = conversation_get_or_create(user=sender, other=receiver)
    message = Message.objects.create(conversation=conversation, sender=sender, content=content)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    notification_create(
        user=receiver,
        kind=NotificationKind.MESSAGE,
        title=f"New message from {sender.username}",
        body=content[:200],
        data={"conversation_id": str(conversation.pk)},
    )  # no dedupe key: made once, in the message's own transaction
    return message


def _with_last_message(conversations: QuerySet[Conversation], *, user) -> QuerySet[Conversation]:
    last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
    return conversations.annotate(
        last_content=Subquery(last.values("content")[:1]),
        last_sender=Subquery(last.values("sender_id")[:1]),
        last_at=Subquery(last.values("created_at")[:1]),
        unread_count=Count("messages", filter=Q(messages__read_at__isnull=True) & ~Q(messages__sender=user)),
    ).order_by("-last_message_at", "-id")


def conversations_for(*, user) -> QuerySet[Conversation]:
    """The user's conversations, newest first, each with its last message and the user's unread count."""
    mine = Conversation.objects.filter(Q(user_a=user) | Q(user_b=user)).select_related("user_a", "user_b")
    return _with_last_message(mine, user=user)


def _conversation_rows_query(*, user) -> QuerySet:
    mine = Conversation.objects.filter(Q(user_a=user) | Q(user_b=user))
    participants = ("user_a_id", "user_b_id", *face_columns("user_a"), *face_columns("user_b"))
    return _with_last_message(mine, user=user).values(
        "id", "last_message_at", *participants, "last_content", "last_sender", "last_at", "unread_count"
    )


#: ``conversations_for`` as rows (dicts), the list's hot read compiled once (learnflow.compiled):
#: building and compiling it cost several times PostgreSQL's work. Paged with ``CompiledRows``.
conversation_rows = CompiledValues(_conversation_rows_query, user=uuid.UUID)


def conversation_mark_read(*, user, conversation: Conversation) -> int:
    return (
        Message.objects.filter(conversation=conversation, read_at__isnull=True)
        .exclude(sender=user)
        .update(read_at=timezone.now())
    )


def unread_messages(*, user) -> QuerySet[Message]:
    """Messages others sent the user that the user has not read."""
    return Message.objects.filter(
        Q(conversation__user_a=user) | Q(conversation__user_b=user), read_at__isnull=True
    ).exclude(sender=user)


# Compiled once (learnflow.compiled): the badge is read on every screen.
_unread = CompiledValues(
    lambda *, user: get_user_model().objects.filter(pk=user).order_by().values(n=scalar(unread_messages(user=user))),
    user=uuid.UUID,
)


def unread_count(*, user) -> int:
    rows = _unread(user=user.pk)
    return rows[0]["n"] if rows else 0


@transaction.atomic
def conversations_delete_for_deletion(*, user) -> int:
    """A deleted account's 1:1 conversations go for both participants, both sides' messages with
    them, and so do the other participants' notifications of those messages (they would lead
    nowhere). Returns the conversations deleted."""
    conversations = Conversation.objects.filter(Q(user_a=user) | Q(user_b=user))
    ids = [str(pk) for pk in conversations.values_list("pk", flat=True)]
    if ids:
        Notification.objects.filter(kind=NotificationKind.MESSAGE, data__conversation_id__in=ids).delete()
    Conversation.objects.filter(pk__in=ids).delete()
    return len(ids)

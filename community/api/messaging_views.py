"""1:1 messaging (the Focus Mate seed's paths). A conversation is visible to its two participants
only; anyone else gets 404."""

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import MarkedReadSerializer, UnreadCountSerializer, UserSummarySerializer
from accounts.selectors import user_face
from community import messaging
from community.models import Conversation, Message
from learnflow import dates
from learnflow.compiled import CompiledRows
from learnflow.dates import ModelSerializer
from learnflow.views import OwnedQuerysetMixin


class SendSerializer(serializers.Serializer):
    receiver_id = serializers.UUIDField()
    content = serializers.CharField(max_length=5000)


class MessageSerializer(ModelSerializer):
    class Meta:
        model = Message
        fields = ("id", "conversation", "sender", "content", "read_at", "created_at")
        read_only_fields = fields


class LastMessageSerializer(serializers.Serializer):
    content = serializers.CharField()
    sender = serializers.UUIDField()
    created_at = dates.DateTimeField()


class ConversationSerializer(ModelSerializer):
    other_user = serializers.SerializerMethodField()
    last_message = serializers.SerializerMethodField()
    unread_count = serializers.IntegerField()

    class Meta:
        model = Conversation
        fields = ("id", "other_user", "last_message", "unread_count", "last_message_at")
        read_only_fields = fields

    @cached_property
    def _user_summary(self) -> UserSummarySerializer:
        return UserSummarySerializer(context=self.context)  # one for all the rows, not one a row

    @cached_property
    def _last_message(self) -> LastMessageSerializer:
        return LastMessageSerializer(context=self.context)

    # A conversation here is a row of ``messaging.conversation_rows`` (a dict).
    def get_other_user(self, conversation) -> dict:
        me = self.context["request"].user
        side = "user_b" if conversation["user_a_id"] == me.pk else "user_a"
        other = user_face(conversation, side, pk=conversation[f"{side}_id"])
        return self._user_summary.to_representation(other)

    def get_last_message(self, conversation) -> dict | None:
        if conversation["last_at"] is None:
            return None
        return self._last_message.to_representation(
            {
                "content": conversation["last_content"],
                "sender": conversation["last_sender"],
                "created_at": conversation["last_at"],
            }
        )


class SendView(APIView):
    @extend_schema(request=SendSerializer, responses={201: MessageSerializer})
    def post(self, request):
        serializer = SendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = messaging.message_send(sender=request.user, **serializer.validated_data)
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class ConversationListView(OwnedQuerysetMixin, generics.ListAPIView):
    serializer_class = ConversationSerializer
    owned_model = Conversation
    filter_backends = []

    def owned_queryset(self, user):
        return CompiledRows(messaging.conversation_rows, user=user.pk)


@extend_schema_view(get=extend_schema(operation_id="messages_conversation_messages"))
class ConversationMessagesView(OwnedQuerysetMixin, generics.ListAPIView):
    """The conversation's messages, newest first (participants only)."""

    serializer_class = MessageSerializer
    owned_model = Message
    filter_backends = []

    def owned_queryset(self, user):
        conversation = generics.get_object_or_404(
            messaging.conversations_for(user=user), pk=self.kwargs["conversation_id"]
        )
        return Message.objects.filter(conversation=conversation).order_by("-created_at", "-id")


class ConversationReadView(APIView):
    @extend_schema(request=None, responses=MarkedReadSerializer)
    def post(self, request, conversation_id):
        conversation = generics.get_object_or_404(messaging.conversations_for(user=request.user), pk=conversation_id)
        return Response({"marked_read": messaging.conversation_mark_read(user=request.user, conversation=conversation)})


class UnreadCountView(APIView):
    @extend_schema(responses=UnreadCountSerializer)
    def get(self, request):
        return Response({"unread_count": messaging.unread_count(user=request.user)})

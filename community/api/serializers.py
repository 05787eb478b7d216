from rest_framework import serializers

from accounts import uploads
from accounts.api.serializers import AuthorSerializer, UserSummarySerializer
from community.choices import MessageType, Role
from community.models import Group, Invitation, Membership
from learnflow import dates
from learnflow.dates import ModelSerializer

MANAGER_ROLES = (Role.LEADER, Role.ADMIN)


class GroupSerializer(ModelSerializer):
    """A group; ``invite_code`` is shown only to its leaders and admins, ``my_role`` is the caller's."""

    member_count = serializers.IntegerField(read_only=True, default=1)
    my_role = serializers.SerializerMethodField()
    invite_code = serializers.SerializerMethodField()

    class Meta:
        model = Group
        fields = (
            "id", "group_name", "description", "image", "group_type", "visibility", "max_members", "member_count",
            "my_role", "invite_code", "creator", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = ("id", "creator", "created_at", "updated_at")

    def get_my_role(self, group) -> str | None:
        return self.context.get("roles", {}).get(group.pk)

    def get_invite_code(self, group) -> str | None:
        return group.invite_code if self.get_my_role(group) in MANAGER_ROLES else None


class MembershipSerializer(ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ("user", "role", "joined_at")
        read_only_fields = fields


class GroupDetailSerializer(GroupSerializer):
    """A group with its first 20 members (leaders, admins, then members, each by join date); the
    whole list is ``/api/groups/{id}/members``. Empty for an invitee who is not yet a member of a
    private group."""

    members = MembershipSerializer(many=True, read_only=True, source="first_members")

    class Meta(GroupSerializer.Meta):
        fields = (*GroupSerializer.Meta.fields, "members")


class JoinSerializer(serializers.Serializer):
    invite_code = serializers.CharField(max_length=64, required=False, allow_blank=True)


class RoleSerializer(serializers.Serializer):
    user_id = serializers.UUIDField()
    role = serializers.ChoiceField(choices=Role.choices)


class InviteSerializer(serializers.Serializer):
    user_id = serializers.UUIDField()
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class InvitationSerializer(ModelSerializer):
    group = serializers.SerializerMethodField()
    inviter = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = ("id", "group", "inviter", "message", "status", "created_at", "expires_at", "responded_at")
        read_only_fields = fields

    def get_group(self, invitation) -> dict:
        return {"id": str(invitation.group_id), "group_name": invitation.group.group_name}


class RespondSerializer(serializers.Serializer):
    accept = serializers.BooleanField()


class ChatImageSerializer(serializers.Serializer):
    """The image of a chat message, written anew without metadata. ``url`` and ``thumbnail_url`` (a
    WebP that fits 320 px) work for ``LEARNFLOW_FILE_URL_SECONDS`` (list again for new ones) and are
    only given to the group's members."""

    name = serializers.CharField(source="original_name", help_text="the name it downloads as")
    size = serializers.IntegerField(help_text="bytes")
    content_type = serializers.CharField(help_text="decided from the image's bytes")
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField(allow_null=True, help_text="pixels")
    height = serializers.IntegerField(allow_null=True, help_text="pixels")

    def get_url(self, upload) -> str:
        return uploads.download_url(upload)

    def get_thumbnail_url(self, upload) -> str | None:
        return uploads.thumbnail_url(upload)


class GroupMessageSerializer(serializers.Serializer):
    """A chat message. ``message_type`` is ``text``, or ``image`` with ``image`` (``content`` is then
    its caption, possibly empty); ``image`` is ``null`` for a text message, and for an image message
    whose image was removed with its sender's account. A JSON body posts text; an image is posted as
    ``multipart/form-data``."""

    id = serializers.UUIDField(read_only=True)
    sender = AuthorSerializer(read_only=True)
    message_type = serializers.ChoiceField(
        choices=MessageType.choices, default=MessageType.TEXT, help_text="JSON bodies post text"
    )
    content = serializers.CharField(max_length=5000)
    image = ChatImageSerializer(source="upload", read_only=True, allow_null=True)
    reply_to_id = serializers.UUIDField(required=False, allow_null=True)
    edited_at = dates.DateTimeField(read_only=True, allow_null=True)
    created_at = dates.DateTimeField(read_only=True)


class GroupMessageImageSerializer(serializers.Serializer):
    """An image message (``multipart/form-data``): a JPEG, PNG, WebP or GIF by its bytes (SVG and
    anything else refused), at most ``LEARNFLOW_CHAT_IMAGE_MAX_BYTES``, with an optional caption."""

    message_type = serializers.ChoiceField(
        choices=[(MessageType.IMAGE.value, MessageType.IMAGE.label)], default=MessageType.IMAGE
    )
    file = serializers.FileField(help_text="the image")
    content = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="", help_text="caption")
    reply_to_id = serializers.UUIDField(required=False, allow_null=True)


class GroupMessageEditSerializer(serializers.Serializer):
    content = serializers.CharField(
        max_length=5000, allow_blank=True, help_text="the text (not blank), or an image's caption (may be empty)"
    )

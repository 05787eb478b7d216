from rest_framework import serializers

from accounts.api.serializers import AuthorSerializer, UserSummarySerializer
from community.choices import Role
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


class GroupMessageSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    sender = AuthorSerializer(read_only=True)
    content = serializers.CharField(max_length=5000)
    reply_to_id = serializers.UUIDField(required=False, allow_null=True)
    edited_at = dates.DateTimeField(read_only=True, allow_null=True)
    created_at = dates.DateTimeField(read_only=True)


class GroupMessageEditSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000)

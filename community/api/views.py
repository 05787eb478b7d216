"""Study groups: what the caller may see (private groups are 404 to outsiders), joining, roles and
invitations. Rules live in ``community.services``."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.api.serializers import UploadTooLargeSerializer
from community import chat, resources, selectors, services
from community.choices import Visibility
from community.filters import GroupFilter
from community.models import Group, Invitation
from learnflow.filters import FilterBackend, SearchFilter
from learnflow.openapi import errors
from learnflow.parsers import JSONParser
from learnflow.routers import UUID_REGEX
from learnflow.throttling import AtomicScopedRateThrottle
from learnflow.views import OwnedQuerysetMixin

from .resource_serializers import CanManageSerializer
from .serializers import (
    GroupDetailSerializer,
    GroupMessageEditSerializer,
    GroupMessageImageSerializer,
    GroupMessageSerializer,
    GroupSerializer,
    InvitationSerializer,
    InviteSerializer,
    JoinSerializer,
    MembershipSerializer,
    RespondSerializer,
    RoleSerializer,
)


def _user_or_400(user_id):
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError({"user_id": ["No such user."]})
    return user


class GroupViewSet(OwnedQuerysetMixin, viewsets.ModelViewSet):
    serializer_class = GroupSerializer
    filterset_class = GroupFilter
    filter_backends = [FilterBackend, SearchFilter, filters.OrderingFilter]
    search_fields = ("group_name", "description")
    ordering_fields = ("created_at", "group_name")
    lookup_value_regex = UUID_REGEX
    owned_model = Group
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def owned_queryset(self, user):
        return selectors.group_list_visible(user=user)

    def get_serializer_class(self):
        return GroupDetailSerializer if self.action == "retrieve" else GroupSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request and self.request.user.is_authenticated:
            context["roles"] = selectors.my_roles(user=self.request.user)
        return context

    def retrieve(self, request, *args, **kwargs):
        """A group with its member count and first 20 members (shown to members, and to anyone for a
        public group)."""
        group = self.get_object()
        shown = group.is_member or group.visibility == Visibility.PUBLIC
        group.first_members = selectors.group_members_first(group=group) if shown else []
        return Response(self.get_serializer(group).data)

    def get_throttles(self):
        if self.action == "join":
            self.throttle_scope = "group_join"
            return [AtomicScopedRateThrottle()]
        return super().get_throttles()

    def perform_create(self, serializer):
        serializer.instance = services.group_create(user=self.request.user, **serializer.validated_data)
        serializer.context["roles"] = selectors.my_roles(user=self.request.user)

    @errors(403)
    def perform_update(self, serializer):
        services.group_update(user=self.request.user, group=serializer.instance, data=serializer.validated_data)

    @errors(403)
    def perform_destroy(self, instance):
        services.group_delete(user=self.request.user, group=instance)

    @errors(409)
    @extend_schema(request=JoinSerializer, responses={201: MembershipSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        """Public groups: anyone. Private: the invite code, or a pending invitation. Wrong code: 404."""
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = get_object_or_404(Group, pk=pk, is_active=True)
        membership = services.group_join(
            user=request.user, group=group, invite_code=serializer.validated_data.get("invite_code")
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @errors(409)
    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"])
    def leave(self, request, pk=None):
        services.group_leave(user=request.user, group=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=MembershipSerializer(many=True))
    @action(detail=True, methods=["get"])
    def members(self, request, pk=None):
        group = self.get_object()
        if services.role_of(group=group, user=request.user) is None and group.visibility == "private":
            return Response(status=status.HTTP_404_NOT_FOUND, data={"detail": "Not found."})
        page = self.paginate_queryset(selectors.group_members(group=group))
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    @errors(403, 409)
    @extend_schema(request=RoleSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["patch"], url_path="members/role")
    def role(self, request, pk=None):
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.member_set_role(actor=request.user, group=self.get_object(), **serializer.validated_data)
        return Response(MembershipSerializer(membership).data)

    @errors(403, 409)
    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=rf"members/(?P<user_id>{UUID_REGEX})")
    def remove_member(self, request, pk=None, user_id=None):
        services.member_remove(actor=request.user, group=self.get_object(), user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @errors(403, 409)
    @extend_schema(request=InviteSerializer, responses={201: InvitationSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = self.get_object()
        invitee = _user_or_400(serializer.validated_data["user_id"])
        invitation = services.group_invite(
            inviter=request.user, group=group, invitee=invitee, message=serializer.validated_data["message"]
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @errors(403)
    @extend_schema(request=None, responses=GroupSerializer)
    @action(detail=True, methods=["post"], url_path="invite-code")
    def invite_code(self, request, pk=None):
        """Replace the invite code (leaders and admins); the old one stops working."""
        group = services.group_regenerate_code(user=request.user, group=self.get_object())
        return Response(GroupSerializer(group, context=self.get_serializer_context()).data)

    @extend_schema(responses=CanManageSerializer)
    @action(detail=True, methods=["get"], url_path="can-manage-resources", filter_backends=[])
    def can_manage_resources(self, request, pk=None):
        """What the caller may do with the group's resources."""
        group = self.get_object()
        role = services.role_of(group=group, user=request.user)
        return Response(
            {
                "role": role,
                "can_add": resources.can_add(group=group, role=role),
                "can_manage_all": role in services.MANAGERS,
            }
        )

    @errors(403, 503)
    @extend_schema(methods=["GET"], responses=GroupMessageSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={"application/json": GroupMessageSerializer, "multipart/form-data": GroupMessageImageSerializer},
        responses={
            201: GroupMessageSerializer,
            413: OpenApiResponse(
                UploadTooLargeSerializer,
                description="The image is over `LEARNFLOW_CHAT_IMAGE_MAX_BYTES`, or the storage quota has no "
                "room for it (`remaining_bytes`, `quota_bytes`).",
            ),
        },
        description="JSON: a text message. Multipart: an image message (`message_type` `image`, `file`, an "
        "optional caption in `content`); the type is decided by the bytes (JPEG, PNG, WebP, GIF), the image is "
        "written anew without metadata and given a thumbnail, and it counts in your storage quota. A file of "
        "another type or a corrupt image is a 400 naming `file`; one over its limit or your quota a 413.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="messages",
        filter_backends=[],
        parser_classes=[JSONParser, MultiPartParser],
    )
    def chat(self, request, pk=None):
        """The group chat, newest first (members only)."""
        group = self.get_object()
        if request.method == "POST":
            if request.content_type.startswith("multipart/form-data"):
                serializer = GroupMessageImageSerializer(data=request.data)
            else:
                serializer = GroupMessageSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            message = chat.group_chat_post(user=request.user, group=group, **serializer.validated_data)
            return Response(GroupMessageSerializer(message).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(chat.group_chat_messages(user=request.user, group=group))
        return self.get_paginated_response(GroupMessageSerializer(page, many=True).data)

    @errors(403, 503)
    @extend_schema(methods=["PATCH"], request=GroupMessageEditSerializer, responses=GroupMessageSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=rf"messages/(?P<message_id>{UUID_REGEX})",
        filter_backends=[],
    )
    def chat_message(self, request, pk=None, message_id=None):
        """Edit a message's text or an image's caption, or delete one's own message (its image goes
        for good)."""
        group = self.get_object()
        if request.method == "DELETE":
            chat.group_chat_delete(user=request.user, group=group, message_id=message_id)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = GroupMessageEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = chat.group_chat_edit(
            user=request.user, group=group, message_id=message_id, **serializer.validated_data
        )
        return Response(GroupMessageSerializer(message).data)


class InvitationViewSet(OwnedQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's pending invitations."""

    serializer_class = InvitationSerializer
    lookup_value_regex = UUID_REGEX
    filter_backends = []
    owned_model = Invitation

    def owned_queryset(self, user):
        return selectors.invitations_for(user=user)

    @extend_schema(responses=InvitationSerializer(many=True))
    @action(detail=False, methods=["get"])
    def me(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    @errors(409)
    @extend_schema(request=RespondSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        serializer = RespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = get_object_or_404(Invitation, pk=pk, invitee=request.user)
        invitation = services.invitation_respond(
            user=request.user, invitation=invitation, accept=serializer.validated_data["accept"]
        )
        return Response(InvitationSerializer(invitation).data)

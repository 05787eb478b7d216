"""Accounts API: registration, JWT, profiles, data rights (export, deletion) and the notifications inbox.

Every queryset starts from what the caller may see, so another user's notification is a 404.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView, TokenVerifyView

from accounts import avatars, selectors, services
from accounts.filters import NotificationFilter
from accounts.models import DataExport, Notification, User
from accounts.throttling import LoginIPThrottle, LoginUsernameThrottle, RegisterThrottle
from learnflow import files
from learnflow.openapi import body_on_delete, errors
from learnflow.parsers import JSONParser
from learnflow.routers import UUID_REGEX
from learnflow.throttling import AtomicScopedRateThrottle
from learnflow.views import OwnedQuerysetMixin

from .serializers import (
    AccountDeleteSerializer,
    AvatarSerializer,
    AvatarUploadSerializer,
    AvatarURLSerializer,
    DataExportSerializer,
    MarkedReadSerializer,
    NotificationSerializer,
    OnboardingSerializer,
    PublicAvatarQuerySerializer,
    TokenBlacklistSerializer,
    TokenRefreshSerializer,
    UnreadCountSerializer,
    UserListSerializer,
    UserProfileSerializer,
    UserProfileUpdateSerializer,
    UserPublicSerializer,
    UserRegistrationSerializer,
)


class RegisterView(APIView):
    """Create an account. Open to anyone, throttled per IP."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [RegisterThrottle]

    @extend_schema(request=UserRegistrationSerializer, responses={201: UserProfileSerializer}, tags=["auth"])
    def post(self, request):
        serializer = UserRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = services.user_create(
            username=data["username"],
            email=data["email"],
            password=data["password"],
            full_name=data.get("full_name", ""),
            avatar_url=data.get("avatar_url"),
            timezone_name=data.get("timezone"),
        )
        return Response(UserProfileSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(TokenObtainPairView):
    """Obtain an access/refresh pair with a username or email and the password (401 when they do
    not match an active account). Throttled per IP and per login name against password guessing."""

    throttle_classes = [LoginIPThrottle, LoginUsernameThrottle]
    api_error_statuses = frozenset({401})


class RefreshView(TokenRefreshView):
    """Rotate a refresh token (the old one is blacklisted). An invalid, expired or blacklisted token,
    or one whose user was deleted, is a 401. A token is rotated once: of parallel refreshes of it, one
    gets the new pair and the others a 401."""

    serializer_class = TokenRefreshSerializer
    api_error_statuses = frozenset({401})

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except User.DoesNotExist:
            raise AuthenticationFailed("No active account found for the given token.", "no_active_account") from None


class VerifyView(TokenVerifyView):
    """Check a token: 200 with an empty body when it is valid, 401 when it is not."""

    api_error_statuses = frozenset({401})


class LogoutView(TokenBlacklistView):
    """Log out: blacklist the refresh token (401 when it is invalid, expired or already blacklisted,
    also by a logout or refresh running at the same moment)."""

    serializer_class = TokenBlacklistSerializer
    api_error_statuses = frozenset({401})


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Signed-in users can find each other by username; each sees and edits only their own profile.
    A public profile carries its owner's stats as their ``profile_visibility`` allows."""

    serializer_class = UserPublicSerializer
    lookup_value_regex = UUID_REGEX
    search_fields = ("username", "full_name")
    ordering_fields = ("username", "created_at")
    ordering = ("username",)

    def get_queryset(self):
        if self.action == "retrieve" and not getattr(self, "swagger_fake_view", False):
            return selectors.user_profile_public(viewer=self.request.user)
        return selectors.user_list_public()

    def get_serializer_class(self):
        return UserListSerializer if self.action == "list" else UserPublicSerializer

    def retrieve(self, request, *args, **kwargs):
        """A public profile. Its stats are shown to the owner, and to others as the owner's
        ``profile_visibility`` preference allows (public, members of their groups, private); hidden
        stats are left out of the body."""
        user = self.get_object()
        user.public_stats = selectors.user_public_stats(users=[user])[user.pk] if user.stats_visible else {}
        return Response(self.get_serializer(user).data)

    @extend_schema(responses=UserProfileSerializer, request=UserProfileUpdateSerializer)
    @action(detail=False, methods=["get", "patch"], serializer_class=UserProfileSerializer)
    def me(self, request):
        if request.method == "PATCH":
            serializer = UserProfileUpdateSerializer(request.user, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            services.user_update(user=request.user, data=dict(serializer.validated_data))
        return Response(UserProfileSerializer(request.user).data)

    @extend_schema(request=AccountDeleteSerializer, responses={204: None})
    @errors(400)
    @body_on_delete
    @me.mapping.delete
    def delete_me(self, request):
        """Delete your account and your personal data in every app, confirmed with your password.
        Forum posts, comments and group chat messages stay, shown as from "deleted user"."""
        serializer = AccountDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_delete_own(user=request.user, password=serializer.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_throttles(self):
        if self.action == "delete_me":
            self.throttle_scope = "account_delete"
            return [AtomicScopedRateThrottle()]
        return super().get_throttles()

    @extend_schema(responses=UserProfileSerializer)
    @action(detail=False, methods=["get"], serializer_class=UserProfileSerializer)
    def profile(self, request):
        return Response(UserProfileSerializer(request.user).data)

    @extend_schema(methods=["GET"], responses=AvatarSerializer)
    @extend_schema(
        methods=["PUT"],
        request={"multipart/form-data": AvatarUploadSerializer, "application/json": AvatarURLSerializer},
        responses=UserProfileSerializer,
        description="Upload an image as `file` (multipart: JPEG, PNG or WebP by its content, at most 5 MB; "
        "stored re-encoded without metadata as 512 and 96 px squares), or set `avatar_url` (JSON: a URL, "
        'or null / "" for the generated default). A file over the limit is a 413 (refused as it arrives); '
        "a file of another type, a corrupt image, both fields or neither are a 400; a file storage that "
        "is down is a 503 with `Retry-After`, and the profile is left as it was.",
    )
    @errors(413, 503)
    @action(
        detail=False,
        methods=["get", "put"],
        url_path="profile/avatar",
        serializer_class=AvatarSerializer,
        parser_classes=[JSONParser, MultiPartParser],
    )
    def avatar(self, request):
        if request.method == "PUT":
            if request.content_type.startswith("multipart/form-data"):
                serializer = AvatarUploadSerializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                user = services.user_avatar_upload(user=request.user, upload=serializer.validated_data["file"])
            else:
                serializer = AvatarURLSerializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                user = services.user_avatar_set(user=request.user, avatar_url=serializer.validated_data["avatar_url"])
            return Response(UserProfileSerializer(user).data)
        return Response({"avatar_url": request.user.avatar_url})

    @extend_schema(
        parameters=[PublicAvatarQuerySerializer],
        responses={
            (200, "image/webp"): OpenApiResponse(OpenApiTypes.BINARY, description="An uploaded avatar."),
            (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.BINARY, description="The generated default."),
            302: OpenApiResponse(description="S3 storage: a redirect to a short-lived presigned URL of the image."),
        },
        auth=[],
        description="Anyone's avatar, public and without a token (what `avatar_url` points to): the uploaded "
        "image at `size`, or the generated default (an SVG of the initials on the user's colour). 503 with "
        "`Retry-After` when the file storage cannot be read.",
    )
    @errors(503)
    @action(
        detail=True,
        methods=["get"],
        url_path="avatar",
        url_name="public-avatar",
        authentication_classes=[],
        permission_classes=[AllowAny],
        filter_backends=[],
        pagination_class=None,
    )
    def public_avatar(self, request, pk=None):
        params = PublicAvatarQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        user = self.get_object()
        current = params.validated_data.get("v") == avatars.version(user)
        cache_seconds = 365 * 24 * 3600 if current else 300
        if user.avatar_key:
            name = avatars.object_name(user.avatar_key, params.validated_data["size"])
            try:
                return files.object_response(name, content_type=avatars.RENDITION_TYPE, cache_seconds=cache_seconds)
            except FileNotFoundError:
                # The row names renditions the storage lost: the default stands in.
                cache_seconds = 300
        svg = avatars.default_svg(user_id=user.pk, username=user.username, full_name=user.full_name)
        response = HttpResponse(svg, content_type="image/svg+xml")
        response["Cache-Control"] = f"public, max-age={cache_seconds}"
        for header, value in files.SAFE_HEADERS.items():
            response[header] = value
        return response

    def perform_content_negotiation(self, request, force=False):
        # An image request (Accept: image/*) still gets its errors as JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "public_avatar")

    @extend_schema(request=OnboardingSerializer, responses=UserProfileSerializer)
    @action(detail=False, methods=["put"], url_path="onboarding/complete", serializer_class=OnboardingSerializer)
    def onboarding_complete(self, request):
        serializer = OnboardingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_onboarding_complete(
            user=request.user,
            preferences=serializer.validated_data.get("preferences"),
            avatar_url=serializer.validated_data.get("avatar_url"),
        )
        return Response(UserProfileSerializer(user).data)


class DataExportViewSet(OwnedQuerysetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your data exports: start one (202; a job builds it), then read its status and, once ready,
    the document. Another user's export, or an expired one, is a 404."""

    serializer_class = DataExportSerializer
    lookup_value_regex = UUID_REGEX
    owned_model = DataExport

    def owned_queryset(self, user):
        return selectors.data_export_list(user=user)

    def get_throttles(self):
        if self.action == "create":
            self.throttle_scope = "data_export"
            return [AtomicScopedRateThrottle()]
        return super().get_throttles()

    @extend_schema(request=None, responses={202: DataExportSerializer})
    @errors(409)
    def create(self, request):
        export = services.data_export_request(user=request.user)
        export.refresh_from_db()
        return Response(DataExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class NotificationViewSet(
    OwnedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's inbox, newest first."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    lookup_value_regex = UUID_REGEX
    search_fields = ("title", "body")
    ordering_fields = ("created_at",)

    owned_model = Notification

    def owned_queryset(self, user):
        return selectors.notification_list(user=user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MarkedReadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked_read": services.notifications_mark_all_read(user=request.user)})

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request):
        return Response({"unread_count": selectors.notification_unread_count(user=request.user)})

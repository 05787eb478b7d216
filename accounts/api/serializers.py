"""Shapes of the accounts API. Rules live in ``accounts.services``; these only describe fields."""

from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_simplejwt import serializers as jwt_serializers

from accounts import avatars, uploads
from accounts.models import DataExport, Notification, User
from accounts.tokens import SingleUseRefreshToken
from accounts.validators import AVATAR_URL_MAX_LENGTH
from learnflow import dates
from learnflow.dates import ModelSerializer

#: How every user's avatar reads: a URL, never null (``accounts.avatars``).
AVATAR_URL_HELP = (
    "The avatar's URL: an uploaded avatar or the generated default (initials on a colour), both served "
    "by GET /api/users/{id}/avatar, or the URL the user gave."
)


class UserProfileSerializer(ModelSerializer):
    """The caller's own profile (``/api/users/me/``, ``/api/users/profile``)."""

    avatar_url = serializers.CharField(read_only=True, help_text=AVATAR_URL_HELP)

    class Meta:
        model = User
        fields = (
            "id", "username", "email", "full_name", "avatar_url", "bio", "timezone", "daily_focus_goal_minutes",
            "preferences", "onboarding_completed", "tier", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = ("id", "onboarding_completed", "tier", "created_at", "updated_at")
        extra_kwargs = {"username": {"validators": []}, "email": {"required": False}}


class UserProfileUpdateSerializer(UserProfileSerializer):
    """A change to the caller's own profile: ``avatar_url`` takes a URL, or null / "" for the default."""

    avatar_url = serializers.CharField(
        max_length=AVATAR_URL_MAX_LENGTH, required=False, allow_null=True, allow_blank=True
    )


class UserRegistrationSerializer(serializers.Serializer):
    """Registration. ``first_name`` / ``last_name`` (the LearnFlow seed) make up ``full_name`` when it
    is not given; any privilege field a client sends (tier, is_staff ...) is ignored."""

    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=75, required=False, allow_blank=True, write_only=True)
    last_name = serializers.CharField(max_length=75, required=False, allow_blank=True, write_only=True)
    avatar_url = serializers.CharField(max_length=AVATAR_URL_MAX_LENGTH, required=False, allow_null=True)
    timezone = serializers.CharField(max_length=64, required=False)

    def validate(self, attrs):
        first, last = attrs.pop("first_name", ""), attrs.pop("last_name", "")
        if not attrs.get("full_name"):
            attrs["full_name"] = " ".join(part for part in (first.strip(), last.strip()) if part)
        return attrs


class UserListSerializer(ModelSerializer):
    avatar_url = serializers.CharField(read_only=True, help_text=AVATAR_URL_HELP)

    class Meta:
        model = User
        fields = ("id", "username", "full_name", "avatar_url")
        read_only_fields = fields


def _stat(field_class, key: str, help_text: str, **kwargs):
    """A public stat: read from the user's ``public_stats`` and left out (not zero) when it is hidden."""
    return field_class(source=f"public_stats.{key}", required=False, help_text=help_text, **kwargs)


class UserPublicSerializer(ModelSerializer):
    """What anyone signed in may see of another user: never email, timezone or preferences. The stats
    are shown to the owner always and to others as the owner's ``profile_visibility`` allows; hidden
    stats are absent from the body."""

    total_verified_minutes = _stat(
        serializers.IntegerField, "total_verified_minutes", "verified focus minutes, all time"
    )
    total_sessions = _stat(
        serializers.IntegerField, "total_sessions", "verified focus sessions of at least 10 minutes, all time"
    )
    current_streak = _stat(serializers.IntegerField, "current_streak", "study streak in days (0 when broken)")
    longest_streak = _stat(serializers.IntegerField, "longest_streak", "best study streak ever, in days")
    achievements_unlocked = _stat(serializers.IntegerField, "achievements_unlocked", "achievements unlocked")
    member_since = _stat(dates.DateField, "member_since", "the local day (owner's timezone) the account was made")

    avatar_url = serializers.CharField(read_only=True, help_text=AVATAR_URL_HELP)

    class Meta:
        model = User
        fields = (
            "id", "username", "full_name", "avatar_url", "bio", "created_at",
            "total_verified_minutes", "total_sessions", "current_streak", "longest_streak", "achievements_unlocked",
            "member_since",
        )  # fmt: skip
        read_only_fields = ("id", "username", "full_name", "avatar_url", "bio", "created_at")


class UserSummarySerializer(serializers.Serializer):
    """How another user appears inside other objects (authors, members, leaderboard rows)."""

    id = serializers.UUIDField()
    username = serializers.CharField()
    avatar_url = serializers.CharField(help_text=AVATAR_URL_HELP)


#: How the author of something that outlived its account appears (forum posts, comments, group chat).
DELETED_USER = {"id": None, "username": "deleted user", "avatar_url": avatars.DELETED_AVATAR_URL}


class AuthorSerializer(UserSummarySerializer):
    """The author of something others still read: the user's summary, or, once their account is
    deleted, ``{"id": null, "username": "deleted user", "avatar_url": <a neutral silhouette>}`` (an
    inline ``data:`` SVG)."""

    id = serializers.UUIDField(allow_null=True, help_text="null for a deleted user")

    def get_attribute(self, instance):
        author = super().get_attribute(instance)
        return DELETED_USER if author is None else author


class AccountDeleteSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True, trim_whitespace=False, help_text="the account's password")


class DataExportSerializer(ModelSerializer):
    """A data export; ``document`` holds everything LearnFlow has about the caller once ``status`` is
    ``ready`` (the ``manage.py export_user_data`` document: one section per app), else null."""

    document = serializers.SerializerMethodField()

    class Meta:
        model = DataExport
        fields = ("id", "status", "created_at", "finished_at", "expires_at", "document")
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_document(self, export) -> dict | None:
        """The stored document, with fresh download URLs for the uploads (they live minutes)."""
        return uploads.export_urls_refresh(export.document, user_id=export.user_id)


class AvatarSerializer(serializers.Serializer):
    """The caller's avatar URL (``GET /api/users/profile/avatar``)."""

    avatar_url = serializers.CharField(read_only=True, help_text=AVATAR_URL_HELP)


def _not_both(serializer: serializers.Serializer, other: str) -> None:
    if other in serializer.initial_data:
        raise serializers.ValidationError("Send either a file or avatar_url, not both.")


class AvatarURLSerializer(serializers.Serializer):
    """A JSON avatar change: a URL, or null / "" for the generated default."""

    avatar_url = serializers.CharField(max_length=AVATAR_URL_MAX_LENGTH, allow_null=True, allow_blank=True)

    def validate(self, attrs):
        _not_both(self, "file")
        return attrs


class AvatarUploadSerializer(serializers.Serializer):
    """A multipart avatar upload: a JPEG, PNG or WebP image of at most 5 MB (by its bytes)."""

    file = serializers.FileField(help_text="A JPEG, PNG or WebP image (decided by its content), at most 5 MB.")

    def validate(self, attrs):
        _not_both(self, "avatar_url")
        return attrs


class PublicAvatarQuerySerializer(serializers.Serializer):
    size = serializers.ChoiceField(
        choices=[512, 96], required=False, default=512, help_text="Side of the square image in pixels."
    )
    v = serializers.CharField(
        required=False,
        max_length=64,
        help_text="The version `avatar_url` carries; with the current one the answer may be cached for long.",
    )


class OnboardingSerializer(serializers.Serializer):
    preferences = serializers.DictField(required=False, default=dict)
    avatar_url = serializers.CharField(
        max_length=AVATAR_URL_MAX_LENGTH, required=False, allow_null=True, allow_blank=True
    )


class NotificationSerializer(ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ("id", "kind", "title", "body", "data", "is_read", "read_at", "created_at")
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """Rotation spends the refresh token (see ``SingleUseRefreshToken``): the new pair is issued in
    the transaction that blacklists the old token, so only the request that blacklisted it gets one."""

    token_class = SingleUseRefreshToken

    def validate(self, attrs):
        with transaction.atomic():
            return super().validate(attrs)


class TokenBlacklistSerializer(jwt_serializers.TokenBlacklistSerializer):
    """Logout spends the refresh token (see ``SingleUseRefreshToken``)."""

    token_class = SingleUseRefreshToken


class UploadedFileSerializer(serializers.Serializer):
    """An uploaded file as its viewer sees it. The URLs work for ``LEARNFLOW_FILE_URL_SECONDS``
    (ask again for new ones) and are only given to callers allowed to see the file."""

    name = serializers.CharField(source="original_name", help_text="the name it downloads as")
    size = serializers.IntegerField(help_text="bytes")
    content_type = serializers.CharField(help_text="decided from the file's bytes")
    download_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    def get_download_url(self, upload) -> str:
        return uploads.download_url(upload)

    def get_thumbnail_url(self, upload) -> str | None:
        """A small WebP of an image; ``null`` for anything else."""
        return uploads.thumbnail_url(upload)


class UploadTooLargeSerializer(serializers.Serializer):
    """A 413 of an upload: the file, or the body, is over its limit, or the storage quota has no room
    for it (then ``remaining_bytes`` and ``quota_bytes`` say how much is left of how much)."""

    detail = serializers.CharField()
    remaining_bytes = serializers.IntegerField(required=False, help_text="only when over the storage quota")
    quota_bytes = serializers.IntegerField(required=False, help_text="only when over the storage quota")


class StorageTypeUsageSerializer(serializers.Serializer):
    files = serializers.IntegerField()
    bytes = serializers.IntegerField()


class StorageUsageSerializer(serializers.Serializer):
    """What the caller's uploads take of their storage quota (avatars do not count)."""

    used_bytes = serializers.IntegerField()
    quota_bytes = serializers.IntegerField(help_text="by tier: premium users have more")
    remaining_bytes = serializers.IntegerField()
    file_count = serializers.IntegerField()
    by_type = serializers.DictField(child=StorageTypeUsageSerializer(), help_text="by content type")

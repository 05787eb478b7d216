import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from learnflow.models import TimeStampedModel
from learnflow.validators import validate_web_url

from . import avatars
from .choices import DataExportStatus, NotificationKind, Tier, UploadPurpose
from .managers import UserManager
from .validators import (
    AVATAR_URL_MAX_LENGTH,
    UsernameValidator,
    validate_preferences,
    validate_timezone,
)


def default_user_timezone() -> str:
    return settings.DEFAULT_USER_TIMEZONE


class User(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    """A LearnFlow account. Username and email are unique regardless of case; the tier is set by staff."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(
        max_length=150,
        unique=True,
        validators=[UsernameValidator()],
        help_text="150 characters or fewer: letters, digits and . + - _ only.",
        error_messages={"unique": "A user with that username already exists."},
    )
    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=150, blank=True)
    avatar_source = models.CharField(
        max_length=AVATAR_URL_MAX_LENGTH,
        null=True,
        blank=True,
        validators=[validate_web_url],
        help_text="An avatar the user gave as a URL (shown as given); empty for an uploaded one or none.",
    )
    avatar_key = models.CharField(
        max_length=200,
        blank=True,
        default="",
        editable=False,
        help_text="Stem of the uploaded avatar's stored renditions (avatars/<user id>/<random>).",
    )
    bio = models.TextField(max_length=1000, blank=True)
    timezone = models.CharField(max_length=64, default=default_user_timezone, validators=[validate_timezone])
    daily_focus_goal_minutes = models.PositiveSmallIntegerField(
        default=480, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    preferences = models.JSONField(default=dict, blank=True, validators=[validate_preferences])
    onboarding_completed = models.BooleanField(default=False)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.FREE, db_index=True)
    is_staff = models.BooleanField(default=False, help_text="May log in to the admin.")
    is_active = models.BooleanField(default=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def date_joined(self):
        return self.created_at

    @property
    def avatar_url(self) -> str:
        """The URL that shows the avatar: uploaded, external or the generated default, never empty
        (``accounts.avatars``)."""
        return avatars.avatar_url(self)


class Notification(models.Model):
    """An inbox entry. A ``dedupe_key`` makes creation idempotent: one row per (user, key)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices, default=NotificationKind.SYSTEM)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="accounts_notification_dedupe_unique",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="accounts_notif_user_created"),
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="accounts_notif_user_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DataExport(models.Model):
    """A copy of everything LearnFlow holds about a user (the ``export_user_data`` document), built by
    a job and kept for its owner for ``LEARNFLOW_DATA_EXPORT_DAYS`` after it finished, then purged.
    A user has at most one export pending or running at a time (a partial unique index)."""

    ACTIVE = (DataExportStatus.PENDING, DataExportStatus.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=8, choices=DataExportStatus.choices, default=DataExportStatus.PENDING)
    document = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="purged from then on")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["pending", "running"]),
                name="accounts_one_active_data_export",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="accounts_export_user_created"),
            models.Index(fields=["expires_at"], name="accounts_export_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} export {self.status}"


class Upload(models.Model):
    """A file a user uploaded (a resource's PDF, image, video ...): one row per stored upload, so the
    storage quota, the data export, account deletion and orphan clean-up read one place.

    The row names its objects in the storage: the file (``object_name``) and, for an image, a
    thumbnail (``thumbnail_name``). ``size`` is the stored file's size in bytes, which the user's
    quota counts (thumbnails and avatars do not count); ``content_type`` was decided from the bytes,
    and ``original_name`` is the name the client sent, cleaned, with the extension of that type. An
    image keeps its ``width`` and ``height`` in pixels (upright, as stored), so a client can lay it
    out before it loads. Objects are written before the row and deleted after the commit that
    deletes it (``accounts.uploads``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The composite index below leads with the user, so the key needs no index of its own.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads", db_index=False)
    purpose = models.CharField(max_length=16, choices=UploadPurpose.choices)
    object_name = models.CharField(max_length=300, unique=True)
    thumbnail_name = models.CharField(max_length=300, null=True, blank=True)
    size = models.PositiveBigIntegerField(help_text="bytes")
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(max_length=255)
    width = models.PositiveIntegerField(null=True, blank=True, help_text="pixels, for an image")
    height = models.PositiveIntegerField(null=True, blank=True, help_text="pixels, for an image")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "content_type"], name="accounts_upload_user_type")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.size} bytes)"

    @property
    def object_names(self) -> list[str]:
        """Every object of this upload in the storage."""
        return [name for name in (self.object_name, self.thumbnail_name) if name]

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from learnflow.models import UUIDModel
from learnflow.validators import WebURLValidator, validate_web_url

from .choices import (
    GroupType,
    InvitationStatus,
    MessageType,
    PostCategory,
    ProgressStatus,
    ResourceType,
    Role,
    Visibility,
)


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


class Group(UUIDModel):
    """A study group. Private groups are invisible to outsiders (404) except through an invitation;
    ``is_active`` false is a soft delete."""

    group_name = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True)
    image = models.CharField(
        max_length=500, blank=True, validators=[validate_web_url], help_text="an http(s) URL or a path on this site"
    )
    group_type = models.CharField(max_length=20, choices=GroupType.choices, default=GroupType.COMMUNITY)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC)
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code, editable=False)
    max_members = models.PositiveIntegerField(default=50, validators=[MinValueValidator(2), MaxValueValidator(1000)])
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.group_name


class Membership(models.Model):
    """A user's role in a group, one per (group, user)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="community_one_membership")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} in {self.group_id}"


class Invitation(UUIDModel):
    """An invitation to a group; pending ones expire after 7 days (``runjob expire_invitations``)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invitee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    message = models.TextField(max_length=500, blank=True, help_text="the inviter's note to the invitee")
    status = models.CharField(max_length=8, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "invitee"], condition=models.Q(status="pending"), name="community_one_pending_invite"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitee_id} to {self.group_id} ({self.status})"


class Post(UUIDModel):
    """A forum post. ``likes`` and ``comment_count`` are kept with ``F()`` beside the unique like rows
    and the comments; deleting is soft (``is_deleted``) and staff can hide (``is_hidden``). A post
    outlives its author's account, as from "deleted user" (``author`` empty)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        help_text='empty once the author\'s account is deleted (shown as from "deleted user")',
    )
    title = models.CharField(max_length=200)
    content = models.TextField(max_length=10_000)
    category = models.CharField(max_length=12, choices=PostCategory.choices, default=PostCategory.GENERAL)
    likes = models.PositiveIntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    is_deleted = models.BooleanField(default=False, editable=False)
    is_hidden = models.BooleanField(default=False, help_text="hidden by staff")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["category", "-created_at"], name="community_post_category")]

    def __str__(self) -> str:
        return self.title


class Comment(UUIDModel):
    """A comment on a post, or a reply to another comment of the same post. A comment outlives its
    author's account, as from "deleted user" (``author`` empty)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text='empty once the author\'s account is deleted (shown as from "deleted user")',
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    thread = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        help_text="the top-level comment this reply is under (empty for a top-level comment)",
    )
    content = models.TextField(max_length=5000)
    likes = models.PositiveIntegerField(default=0, editable=False)
    is_deleted = models.BooleanField(default=False, editable=False)
    is_hidden = models.BooleanField(default=False, help_text="hidden by staff")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # a page of a post's top-level comments, oldest first
            models.Index(
                fields=["post", "created_at", "id"],
                condition=models.Q(parent__isnull=True),
                name="community_comment_top",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.post_id}"


class PostLike(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="like_rows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="community_one_post_like")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"


class CommentLike(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="like_rows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "comment"], name="community_one_comment_like")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.comment_id}"


class Conversation(UUIDModel):
    """A 1:1 conversation. The pair is stored in a fixed order (``user_a`` < ``user_b``) under a
    unique constraint, so two first messages sent at once still make one conversation."""

    user_a = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    user_b = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at"]
        constraints = [models.UniqueConstraint(fields=["user_a", "user_b"], name="community_one_conversation")]

    def __str__(self) -> str:
        return f"{self.user_a_id} & {self.user_b_id}"


class Message(UUIDModel):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content = models.TextField(max_length=5000)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["conversation", "-created_at"], name="community_message_conv")]

    def __str__(self) -> str:
        return f"{self.sender_id} in {self.conversation_id}"


class GroupMessage(UUIDModel):
    """A message in a group's chat; members only. Edits are stamped, deletes are soft. A message
    outlives its sender's account, as from "deleted user" (``sender`` empty).

    An ``image`` message holds an uploaded image (``upload``, on its sender's quota) and an optional
    caption (``content``). The image goes for good when the message is deleted (its row now, its
    objects after the commit) and with its sender's account, as resources do: the message then
    stays an ``image`` message without an upload ("image removed")."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="chat")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text='empty once the sender\'s account is deleted (shown as from "deleted user")',
    )
    message_type = models.CharField(max_length=5, choices=MessageType.choices, default=MessageType.TEXT)
    content = models.TextField(max_length=5000, blank=True, help_text="the text, or an image's caption")
    upload = models.OneToOneField(
        "accounts.Upload",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_message",
        help_text="the image of an image message; empty once it was removed with its sender's account",
    )
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["group", "-created_at"], name="community_chat_group")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(message_type="image") | models.Q(upload__isnull=True),
                name="community_chat_upload_is_an_image",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender_id} in {self.group_id}"


class Resource(UUIDModel):
    """A study resource: a link, or a video, image or file (by URL, or uploaded: ``upload``), or a
    folder holding others.

    Without a group it is personal: its uploader's alone. With a group it belongs to the group's
    library, visible to members only. A folder's contents are in the same library (same group, or
    the same owner's personal library); folders nest at most ``FOLDER_DEPTH`` deep and never in
    themselves. Deleting is soft (``is_deleted``), but an upload goes at once: its row now and its
    objects after the commit, freeing the uploader's quota. The upload is always the uploader's
    (only they take a resource to another library), so moving keeps it; deleting the account
    deletes it with the resource, in groups too."""

    FOLDER_DEPTH = 10

    # Both foreign keys lead a composite index below, so they need no index of their own.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resources", db_index=False
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="resources", db_index=False
    )
    resource_type = models.CharField(max_length=6, choices=ResourceType.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    url = models.URLField(max_length=2000, blank=True, validators=[WebURLValidator(allow_site_path=False)])
    parent_folder = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    file_size = models.PositiveBigIntegerField(null=True, blank=True, help_text="bytes")
    upload = models.OneToOneField(
        "accounts.Upload",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resource",
        help_text="The uploaded file, for a file, image or video stored here instead of a URL.",
    )
    is_deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["group", "parent_folder"], name="community_resource_group"),
            models.Index(fields=["uploaded_by", "group"], name="community_resource_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(resource_type=ResourceType.FOLDER) | models.Q(url="", upload__isnull=True),
                name="community_folder_has_no_url",
            ),
            # A deleted resource has let its upload go (the quota is freed at once).
            models.CheckConstraint(
                condition=models.Q(resource_type=ResourceType.FOLDER)
                | ~models.Q(url="")
                | models.Q(upload__isnull=False)
                | models.Q(is_deleted=True),
                name="community_resource_has_url",
            ),
            models.CheckConstraint(
                condition=models.Q(upload__isnull=True) | models.Q(url=""),
                name="community_upload_has_no_url",
            ),
            models.CheckConstraint(
                condition=models.Q(upload__isnull=True)
                | models.Q(resource_type__in=[ResourceType.FILE, ResourceType.IMAGE, ResourceType.VIDEO]),
                name="community_upload_is_a_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ResourceProgress(UUIDModel):
    """One user's own progress on a resource, self-reported: status, percentage and notes.
    ``started_at`` and ``completed_at`` are set by the server as the status changes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resource_progress")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(max_length=11, choices=ProgressStatus.choices, default=ProgressStatus.NOT_STARTED)
    progress_percentage = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    notes = models.TextField(max_length=5000, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="community_one_progress"),
            models.CheckConstraint(
                condition=models.Q(progress_percentage__lte=100), name="community_progress_at_most_100"
            ),
        ]
        indexes = [models.Index(fields=["user", "status"], name="community_progress_status")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} {self.progress_percentage}% of {self.resource_id}"

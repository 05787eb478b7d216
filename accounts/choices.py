from django.db import models


class Tier(models.TextChoices):
    FREE = "free", "Free"
    PREMIUM = "premium", "Premium"


class NotificationKind(models.TextChoices):
    WELCOME = "welcome", "Welcome"
    TASK_REMINDER = "task_reminder", "Task reminder"
    GOAL_REMINDER = "goal_reminder", "Goal reminder"
    INVITATION = "invitation", "Group invitation"
    MESSAGE = "message", "Message"
    REPLY = "reply", "Reply to your post or comment"
    ACHIEVEMENT = "achievement", "Achievement unlocked"
    CHALLENGE = "challenge", "Challenge completed"
    SYSTEM = "system", "System"


class ProfileVisibility(models.TextChoices):
    """Who sees a user's public stats (``preferences["profile_visibility"]``); the profile itself
    (username, avatar ...) is always seen by signed-in users."""

    PUBLIC = "public", "Everyone signed in"
    GROUPS = "groups", "Members of my groups"
    PRIVATE = "private", "Only me"


class DataExportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class UploadPurpose(models.TextChoices):
    """What an uploaded file was stored for (``accounts.Upload``)."""

    RESOURCE = "resource", "Resource file"
    CHAT_IMAGE = "chat_image", "Group chat image"

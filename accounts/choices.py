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


class DataExportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"

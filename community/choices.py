from django.db import models


class GroupType(models.TextChoices):
    LEADER_CONTROLLED = "leader_controlled", "Leader-controlled"
    COMMUNITY = "community", "Community"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"


class Role(models.TextChoices):
    LEADER = "leader", "Leader"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"


class MessageType(models.TextChoices):
    """What a group chat message is: text, or an uploaded image with an optional caption."""

    TEXT = "text", "Text"
    IMAGE = "image", "Image"


class PostCategory(models.TextChoices):
    GENERAL = "general", "General"
    STUDY_TIPS = "study_tips", "Study tips"
    QUESTION = "question", "Question"
    MOTIVATION = "motivation", "Motivation"
    RESOURCES = "resources", "Resources"


class ResourceType(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    FILE = "file", "File"
    FOLDER = "folder", "Folder"
    LINK = "link", "Link"


#: The resource types that may hold an uploaded file instead of a URL.
UPLOAD_RESOURCE_TYPES = [
    (kind.value, kind.label) for kind in (ResourceType.FILE, ResourceType.IMAGE, ResourceType.VIDEO)
]


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    PAUSED = "paused", "Paused"

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from learnflow.models import UUIDModel

from .choices import GroupType, InvitationStatus, Role, Visibility


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


class Group(UUIDModel):
    """A study group. Private groups are invisible to outsiders (404) except through an invitation;
    ``is_active`` false is a soft delete."""

    group_name = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True)
    image = models.CharField(max_length=500, blank=True)
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

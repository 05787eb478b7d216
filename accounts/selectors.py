"""Reads for accounts."""

import uuid

from django.db.models import QuerySet

from .models import Notification, User


def users_by_login_name(name: str) -> QuerySet[User]:
    """The account a login name names, in any letter case: an email when it has ``@`` (usernames
    cannot), else a username."""
    return User.objects.filter(**({"email__iexact": name} if "@" in name else {"username__iexact": name}))


def user_find(*, identifier: str) -> User:
    """A user by UUID, username or email (for operators' commands); raises ``User.DoesNotExist``."""
    try:
        return User.objects.get(pk=uuid.UUID(identifier))
    except ValueError:
        pass
    return users_by_login_name(identifier).get()


def user_list_public() -> QuerySet[User]:
    return User.objects.filter(is_active=True).only(
        "id", "username", "full_name", "avatar_source", "avatar_key", "bio", "created_at"
    )


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def notification_unread_count(*, user: User | uuid.UUID) -> int:
    """How many of the user's notifications are unread (``user``: the user or their id)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def user_export(*, user: User) -> dict:
    """The user's own account data, as the ``account`` section of ``export_user_data``."""
    fields = (
        "id", "username", "email", "full_name", "avatar_url", "bio", "timezone", "daily_focus_goal_minutes",
        "preferences", "onboarding_completed", "tier", "is_staff", "created_at", "updated_at", "last_login",
    )  # fmt: skip
    return {field: getattr(user, field) for field in fields}


def notifications_export(*, user: User) -> list[dict]:
    return list(
        Notification.objects.filter(user=user)
        .order_by("created_at")
        .values("id", "kind", "title", "body", "data", "read_at", "created_at")
    )

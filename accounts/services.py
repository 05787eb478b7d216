"""Writes for accounts: registration, profile changes, deletion and the notifications inbox."""

import logging

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from learnflow import events

from . import live
from .choices import NotificationKind
from .models import Notification, User

logger = logging.getLogger(__name__)

#: Fields a user may change on their own profile. Tier, staff status and onboarding are not here.
PROFILE_FIELDS = frozenset(
    {"username", "email", "full_name", "avatar_url", "bio", "timezone", "daily_focus_goal_minutes", "preferences"}
)

_UNIQUE_CONSTRAINT_FIELDS = {
    "accounts_user_username_ci_unique": "username",
    "accounts_user_username_key": "username",
    "accounts_user_email_ci_unique": "email",
}


def _check_unique(*, username: str | None, email: str | None, exclude_pk=None) -> None:
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    errors = {}
    if username is not None and others.filter(username__iexact=username).exists():
        errors["username"] = ["A user with that username already exists."]
    if email is not None and others.filter(email__iexact=email).exists():
        errors["email"] = ["A user with that email already exists."]
    if errors:
        raise ValidationError(errors)


def _save_unique(user: User, **save_kwargs) -> None:
    """Save, turning a lost uniqueness race (two sign-ups at once) into a 400 naming the field."""
    try:
        with transaction.atomic():
            user.save(**save_kwargs)
    except IntegrityError as exc:
        message = str(exc)
        for constraint, field in _UNIQUE_CONSTRAINT_FIELDS.items():
            if constraint in message:
                raise ValidationError({field: [f"A user with that {field} already exists."]}) from exc
        if "username" in message:
            raise ValidationError({"username": ["A user with that username already exists."]}) from exc
        raise


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str,
    full_name: str = "",
    avatar_url: str | None = None,
    timezone_name: str | None = None,
) -> User:
    """Register a user. Privileges (tier, staff) always start at their defaults."""
    user = User(
        username=User.normalize_username(username),
        email=User.objects.normalize_email(email),
        full_name=full_name,
        avatar_url=avatar_url or None,
    )
    if timezone_name:
        user.timezone = timezone_name
    _check_unique(username=user.username, email=user.email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    _save_unique(user, force_insert=True)

    from .jobs import welcome_user

    transaction.on_commit(lambda: welcome_user.delay(str(user.pk)))
    return user


@transaction.atomic
def user_update(*, user: User, data: dict) -> User:
    """Change the user's own profile fields; anything outside ``PROFILE_FIELDS`` is refused."""
    unknown = set(data) - PROFILE_FIELDS
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in sorted(unknown)})
    if "email" in data:
        data = {**data, "email": User.objects.normalize_email(data["email"])}
    _check_unique(username=data.get("username"), email=data.get("email"), exclude_pk=user.pk)
    old_timezone = user.timezone
    for field, value in data.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    _save_unique(user, update_fields=[*data.keys(), "updated_at"])
    if user.timezone != old_timezone:
        events.timezone_changed(user=user, old=old_timezone, new=user.timezone)
    return user


def user_avatar_set(*, user: User, avatar_url: str | None) -> User:
    return user_update(user=user, data={"avatar_url": avatar_url or None})


@transaction.atomic
def user_onboarding_complete(*, user: User, preferences: dict | None = None, avatar_url: str | None = None) -> User:
    """Finish onboarding: the given preferences are merged into the stored ones, the avatar is kept
    unless a new one is given, and the user is marked as onboarded (repeating it is harmless)."""
    data = {}
    if preferences:
        data["preferences"] = {**(user.preferences or {}), **preferences}
    if avatar_url:
        data["avatar_url"] = avatar_url
    if data:
        user_update(user=user, data=data)
    user.onboarding_completed = True
    user.save(update_fields=["onboarding_completed", "updated_at"])
    return user


def user_deletion_preview(*, user: User) -> dict[str, int]:
    """What deleting the user would remove, as ``{"app.Model": count}``."""
    collector = Collector(using="default")
    collector.collect([user])
    counts: dict[str, int] = {}
    for model, instances in collector.data.items():
        counts[model._meta.label] = counts.get(model._meta.label, 0) + len(instances)
    for qs in collector.fast_deletes:
        label = qs.model._meta.label
        counts[label] = counts.get(label, 0) + qs.count()
    return {label: n for label, n in sorted(counts.items()) if n}


@transaction.atomic
def user_delete(*, user: User) -> dict[str, int]:
    """Delete the user and everything they own; returns what was removed per model."""
    _, per_model = user.delete()
    return {label: n for label, n in sorted(per_model.items()) if n}


def notification_create(
    *,
    user: User,
    title: str,
    kind: str = NotificationKind.SYSTEM,
    body: str = "",
    data: dict | None = None,
    dedupe_key: str | None = None,
    email: bool = False,
) -> tuple[Notification, bool]:
    """Put a notification in the user's inbox (and optionally email it).

    With a ``dedupe_key`` the call is idempotent: a retried job or a second worker finds the first
    row and neither stores nor emails nor pushes it again. The email is sent inside the transaction,
    so a failed send leaves no row behind and the caller's retry tries both again. A new row is
    pushed to the user's open ``/ws/notifications/`` sockets once the transaction commits.
    """
    with transaction.atomic():
        if dedupe_key is not None:
            notification, created = Notification.objects.get_or_create(
                user=user,
                dedupe_key=dedupe_key,
                defaults={"kind": kind, "title": title, "body": body, "data": data or {}},
            )
        else:
            notification = Notification.objects.create(user=user, kind=kind, title=title, body=body, data=data or {})
            created = True
        if created and email and user.email:
            send_mail(subject=title, message=body or title, from_email=None, recipient_list=[user.email])
        if created:
            live.notification_created(notification=notification)
    return notification, created


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read; when that changed the unread count, push the new count."""
    if notification.read_at is None:
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now()):
            live.unread_changed(user_id=notification.user_id)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; push the new count when any was."""
    marked = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        live.unread_changed(user_id=user.pk)
    return marked


def notifications_purge(*, older_than) -> int:
    """Delete read notifications created before ``older_than``; unread ones are kept."""
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=older_than).delete()
    return deleted

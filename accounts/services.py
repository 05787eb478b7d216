"""Writes for accounts: registration, profile changes, deletion and the notifications inbox."""

import logging
import re

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from learnflow import events, files

from . import avatars, live
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


def _full_clean(user: User) -> None:
    """Validate the fields a profile change touches; the avatar URL's errors name ``avatar_url``, the
    field the API takes it as."""
    try:
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
        if "avatar_source" in errors:
            errors["avatar_url"] = errors.pop("avatar_source")
        raise ValidationError(errors) from exc


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
        avatar_source=avatar_url or None,
    )
    if timezone_name:
        user.timezone = timezone_name
    _check_unique(username=user.username, email=user.email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    _full_clean(user)
    _save_unique(user, force_insert=True)

    from .jobs import welcome_user

    transaction.on_commit(lambda: welcome_user.delay(str(user.pk)))
    return user


@transaction.atomic
def user_update(*, user: User, data: dict) -> User:
    """Change the user's own profile fields; anything outside ``PROFILE_FIELDS`` is refused.

    ``avatar_url`` sets the avatar to that URL (``None`` or ``""``: the generated default), and an
    uploaded avatar it replaces is deleted after the commit. Sending back the ``avatar_url`` the
    profile shows changes nothing, so a client saving its whole profile form keeps an upload."""
    unknown = set(data) - PROFILE_FIELDS
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in sorted(unknown)})
    data = dict(data)
    avatar_source = data.pop("avatar_url", user.avatar_url) or None
    new_avatar = avatar_source != user.avatar_url
    if "email" in data:
        data["email"] = User.objects.normalize_email(data["email"])
    _check_unique(username=data.get("username"), email=data.get("email"), exclude_pk=user.pk)
    old_timezone = user.timezone
    for field, value in data.items():
        setattr(user, field, value)
    if new_avatar:
        user.avatar_source = avatar_source
    _full_clean(user)
    _save_unique(user, update_fields=[*data.keys(), "updated_at"])
    if new_avatar:
        _avatar_replace(user=user, key="", source=avatar_source)
    if user.timezone != old_timezone:
        events.timezone_changed(user=user, old=old_timezone, new=user.timezone)
    return user


def user_avatar_set(*, user: User, avatar_url: str | None) -> User:
    return user_update(user=user, data={"avatar_url": avatar_url or None})


#: The endpoint that takes an avatar upload (for the request body limit, ``hooks.upload_limits``).
AVATAR_UPLOAD_PATH = re.compile(r"^/api/users/profile/avatar/?$")


def avatar_upload_limit(*, path: str) -> int | None:
    return settings.LEARNFLOW_AVATAR_MAX_BYTES if AVATAR_UPLOAD_PATH.match(path) else None


def user_avatar_upload(*, user: User, upload) -> User:
    """Make an uploaded image the user's avatar.

    The image is a JPEG, PNG or WebP by its bytes, at most ``LEARNFLOW_AVATAR_MAX_BYTES`` (5 MB,
    else 413); it is decoded completely (a corrupt or truncated one is a 400 naming ``file``) and
    written anew, without any metadata (EXIF, GPS), as square WebP renditions cut from its centre
    (``avatars.AVATAR_SIZES``). The renditions are stored before the user row changes; if that
    change fails they are deleted again, and the avatar they replace is deleted after the commit."""
    mime = files.upload_check(upload, max_bytes=settings.LEARNFLOW_AVATAR_MAX_BYTES, allowed=avatars.AVATAR_TYPES)
    largest = max(avatars.AVATAR_SIZES)
    image = files.image_open(upload, mime=mime, draft_size=(largest, largest))
    renditions = {size: files.image_encode(files.image_square(image, size)) for size in avatars.AVATAR_SIZES}
    key = avatars.new_key(user.pk)
    stored = []
    try:
        for size, content in renditions.items():
            name = avatars.object_name(key, size)
            stored.append(files.object_save(name, content, content_type=avatars.RENDITION_TYPE))
        with transaction.atomic():
            _avatar_replace(user=user, key=key, source=None)
    except BaseException:
        files.objects_delete(stored)
        raise
    return user


def _avatar_replace(*, user: User, key: str, source: str | None) -> None:
    """Point the user's avatar at the upload ``key`` or the URL ``source`` (both empty: the default);
    the upload it replaces is deleted once this commits. The row is locked while the old key is
    read, so of two replacements at once each deletes what it really replaced."""
    old_key = User.objects.select_for_update().values_list("avatar_key", flat=True).get(pk=user.pk)
    user.avatar_key, user.avatar_source = key, source
    user.save(update_fields=["avatar_key", "avatar_source", "updated_at"])
    if old_key and old_key != key:
        names = avatars.object_names(old_key)
        transaction.on_commit(lambda: files.objects_delete(names))


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
    """Delete the user and everything they own; returns what was removed per model. An uploaded
    avatar's files are deleted once the deletion commits."""
    if user.avatar_key:
        names = avatars.object_names(user.avatar_key)
        transaction.on_commit(lambda: files.objects_delete(names))
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

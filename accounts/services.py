"""Writes for accounts: registration, profile changes, data exports, deletion and the notifications inbox."""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.deletion import Collector
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from learnflow import events, files, hooks
from learnflow.exceptions import Conflict
from learnflow.outbox import outbox_enqueue

from . import avatars, live, selectors, uploads
from .choices import DataExportStatus, NotificationKind
from .models import DataExport, Notification, User

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

    outbox_enqueue(welcome_user, str(user.pk))
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
    """Delete the account and the personal data every app holds, in one transaction; returns what
    was removed per model. The one way an account goes (``DELETE /api/users/me``, ``manage.py
    delete_user``, the admin).

    The user row is locked first, so nothing new is added for them meanwhile. Each app's deletion
    handler (``hooks.user_deletion_handlers``) then settles what the cascade alone would leave wrong:
    group leadership handed over, like counters, final ranks closed up, a room seat given up. Every
    outstanding refresh token is blacklisted, and the user row goes with everything that cascades
    from it. What others still read (forum posts, comments, group chat messages) stays, shown as
    from "deleted user". Once the deletion commits, the account's open sockets are closed and the
    files of an uploaded avatar and of every upload (``accounts.uploads``; group resources included,
    as they go with the account) are deleted."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    for _, handler in hooks.user_deletion_handlers.items():
        handler(user=user)
    refresh_tokens_blacklist(user=user)
    live.account_deleted(user_id=user.pk)
    user.refresh_from_db(fields=["avatar_key"])
    names = avatars.object_names(user.avatar_key) if user.avatar_key else []
    names += uploads.object_names_of(user=user)
    if names:
        transaction.on_commit(lambda: files.objects_delete(names))
    _, per_model = user.delete()
    return {label: n for label, n in sorted(per_model.items()) if n}


def user_delete_own(*, user: User, password: str | None) -> dict[str, int]:
    """A user deletes their own account, confirming it with their password (a 400 naming
    ``password`` when it is missing or wrong)."""
    if not password or not user.check_password(password):
        raise ValidationError({"password": ["The password is not correct."]})
    return user_delete(user=user)


def refresh_tokens_blacklist(*, user: User) -> int:
    """Blacklist every refresh token issued to the user and not spent yet, so none refreshes again.
    The token rows outlive the user (their ``user`` becomes NULL), and with them the blacklist."""
    unspent = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).values_list("pk", flat=True)
    rows = [BlacklistedToken(token_id=pk) for pk in unspent]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- data exports -------------------------------------------------------------------------------


def data_export_request(*, user: User) -> DataExport:
    """Start an export of everything held about the user, built by a job queued after commit. While
    one is pending or running, another is a conflict, also for parallel requests (a partial unique
    index keeps one active export per user)."""
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
    except IntegrityError:
        raise Conflict("An export of your data is already being prepared.") from None
    from .jobs import build_data_export

    outbox_enqueue(build_data_export, str(export.pk))
    return export


@transaction.atomic
def data_export_build(*, export_id) -> DataExport | None:
    """Build a pending export: claim it (its row locked as running, so a parallel run waits and then
    finds nothing to do), store the document and keep it ``LEARNFLOW_DATA_EXPORT_DAYS``, all in one
    transaction: a worker killed mid-build leaves it pending for the redelivered job. A failure
    marks it failed, so its owner can start another. Returns the export, or ``None`` when it was not
    pending."""
    export = (
        DataExport.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=export_id, status=DataExportStatus.PENDING)
        .first()
    )
    if export is None:
        return None
    DataExport.objects.filter(pk=export_id).update(status=DataExportStatus.RUNNING, started_at=timezone.now())
    status, document = DataExportStatus.READY, None
    try:
        with transaction.atomic():
            document = selectors.user_data_document(user=export.user)
    except Exception:
        logger.exception("data export %s failed", export_id)
        status = DataExportStatus.FAILED
    now = timezone.now()
    DataExport.objects.filter(pk=export_id, status=DataExportStatus.RUNNING).update(
        status=status,
        document=document,
        finished_at=now,
        expires_at=now + timedelta(days=settings.LEARNFLOW_DATA_EXPORT_DAYS),
    )
    export.refresh_from_db()
    return export


def data_exports_purge(*, now=None) -> dict[str, int]:
    """Delete the exports past their ``expires_at``, and fail those pending or running for longer
    than ``LEARNFLOW_DATA_EXPORT_STALE_MINUTES`` (a lost job), so their owners can start another.
    A state predicate: running it again changes nothing more."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=settings.LEARNFLOW_DATA_EXPORT_STALE_MINUTES)
    failed = DataExport.objects.filter(
        Q(status=DataExportStatus.PENDING, created_at__lt=stale)
        | Q(status=DataExportStatus.RUNNING, started_at__lt=stale)
    ).update(
        status=DataExportStatus.FAILED,
        finished_at=now,
        expires_at=now + timedelta(days=settings.LEARNFLOW_DATA_EXPORT_DAYS),
    )
    purged, _ = DataExport.objects.filter(expires_at__lte=now).delete()
    return {"purged": purged, "failed": failed}


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


def notifications_purge(*, older_than, batch: int = 5000) -> int:
    """Delete read notifications created before ``older_than``; unread ones are kept. In keyset
    batches (``pk > last``), each its own short statement, so memory and locks stay small; two runs
    at once delete each row once (a row the other run deleted first is simply gone)."""
    stale = Notification.objects.filter(read_at__isnull=False, created_at__lt=older_than).order_by("pk")
    deleted, last = 0, None
    while True:
        page = list((stale.filter(pk__gt=last) if last is not None else stale).values_list("pk", flat=True)[:batch])
        if not page:
            return deleted
        last = page[-1]
        count, _ = Notification.objects.filter(pk__in=page, read_at__isnull=False).delete()
        deleted += count

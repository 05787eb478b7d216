"""Reads for accounts."""

import operator
import uuid
from functools import reduce

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from learnflow import hooks
from learnflow.compiled import CompiledValues, scalar
from learnflow.timeutils import user_zone

from .choices import ProfileVisibility
from .models import DataExport, Notification, User

PUBLIC_FIELDS = ("id", "username", "full_name", "avatar_source", "avatar_key", "bio", "created_at")


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
    return User.objects.filter(is_active=True).only(*PUBLIC_FIELDS)


def _stats_visible(*, viewer) -> Q:
    """The owners whose public stats ``viewer`` sees: themselves; owners whose ``profile_visibility``
    is ``public`` or unset; owners with ``groups`` who count the viewer in their audience (the
    ``profile_audiences`` registry: community says "shares an active group"). ``private``, and any
    value stored before the preference was validated, shows them to the owner only."""
    visible = (
        Q(pk=viewer.pk)
        | ~Q(preferences__has_key="profile_visibility")
        | Q(preferences__profile_visibility=ProfileVisibility.PUBLIC)
    )
    audiences = [audience(viewer=viewer) for _, audience in hooks.profile_audiences.items()]
    if audiences:
        visible |= Q(preferences__profile_visibility=ProfileVisibility.GROUPS) & reduce(operator.or_, audiences)
    return visible


def users_with_visible_stats(*, viewer) -> QuerySet[User]:
    """Active users whose public stats (study figures, streaks, achievements) ``viewer`` may see; to
    the stats endpoints anybody else is as unknown as a user who does not exist."""
    return User.objects.filter(is_active=True).filter(_stats_visible(viewer=viewer))


def user_profile_public(*, viewer) -> QuerySet[User]:
    """Active users' public profiles, each annotated with ``stats_visible`` (may ``viewer`` see its
    stats?), with the timezone the stats are counted in; one query."""
    return (
        User.objects.filter(is_active=True)
        .only(*PUBLIC_FIELDS, "timezone")
        .annotate(stats_visible=ExpressionWrapper(_stats_visible(viewer=viewer), output_field=BooleanField()))
    )


def user_public_stats(*, users) -> dict:
    """``{user_id: {key: value}}``: each user's public stats, from every ``public_stats_providers``
    contributor, in a fixed number of queries however many users and however much history."""
    stats = {user.pk: {} for user in users}
    for _, provider in hooks.public_stats_providers.items():
        for user_id, figures in provider(users=users).items():
            stats[user_id].update(figures)
    return stats


def public_stats(*, users) -> dict:
    """Accounts' own figure of public profiles: the local day (in the owner's timezone) they joined."""
    return {user.pk: {"member_since": user.created_at.astimezone(user_zone(user)).date()} for user in users}


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


#: What a user's public face (username and ``avatar_url``) is made of.
FACE_FIELDS = ("username", "full_name", "avatar_key", "avatar_source")


def face_columns(relation: str) -> tuple[str, ...]:
    """The ``values()`` names of ``FACE_FIELDS`` through ``relation`` (``"author"``: ``author__username``, ...)."""
    return tuple(f"{relation}__{field}" for field in FACE_FIELDS)


def user_face(row: dict, relation: str, pk) -> User:
    """An unsaved user holding what their summary shows, from a ``values()`` row's ``face_columns``
    through ``relation``: a leaderboard's, a post's or a conversation's user without loading them."""
    return User(pk=pk, **{field: row[f"{relation}__{field}"] for field in FACE_FIELDS})


# Compiled once (learnflow.compiled): the badge is read on every screen.
_unread_notifications = CompiledValues(
    lambda *, user: (
        User.objects.filter(pk=user)
        .order_by()
        .values(n=scalar(Notification.objects.filter(user=user, read_at__isnull=True)))
    ),
    user=uuid.UUID,
)


def notification_unread_count(*, user: User | uuid.UUID) -> int:
    """How many of the user's notifications are unread (``user``: the user or their id)."""
    rows = _unread_notifications(user=getattr(user, "pk", user))
    return rows[0]["n"] if rows else 0


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


def user_data_document(*, user: User) -> dict:
    """Everything LearnFlow holds about the user: one section per registered exporter
    (``hooks.user_data_exporters``), as ``manage.py export_user_data`` prints it and a data export
    stores it."""
    return {name: export(user=user) for name, export in hooks.user_data_exporters.items()}


def data_export_list(*, user: User) -> QuerySet[DataExport]:
    """The user's exports that have not expired (an expired one is gone even before the purge)."""
    return DataExport.objects.filter(user=user).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))

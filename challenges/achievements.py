"""Achievements: unlocked automatically, once, by the event that reaches their requirement, with
ledger points and a notification.

Requirement values count verified activity only, since achievements earn points: timed focus
sessions, their minutes, the longest run of local days with one, and completed weekly challenges.
Other apps provide the metrics they own through ``learnflow.hooks.achievement_metrics`` (the forum
adds ``community_posts``); a metric nobody provides yet reads 0.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.choices import NotificationKind
from accounts.models import Notification
from accounts.services import notification_create
from focus.choices import SessionType
from focus.selectors import counted_timer_sessions, counts_as_session, verified_sessions
from learnflow import bulk, hooks
from learnflow.timeutils import day_runs, user_zone

from .choices import ParticipationStatus, PointsReason, RequirementType
from .models import Achievement, Participation, PointsEntry, UserAchievement
from .services import LEDGER_FIELDS, NOTICE_FIELDS, participations_refresh_for_user, points_award, points_rebuild
from .weeks import week_of

#: The default set, installed by migration 0004 and again by ``install_defaults`` when staff deleted one.
DEFAULT_ACHIEVEMENTS = (
    (
        "first-focus",
        "First Focus",
        "Complete your first timed focus session.",
        "sessions",
        "total_sessions",
        1,
        10,
        "sparkles",
    ),
    (
        "ten-sessions",
        "Getting Into Rhythm",
        "Complete 10 timed focus sessions.",
        "sessions",
        "total_sessions",
        10,
        25,
        "repeat",
    ),
    (
        "hundred-sessions",
        "Centurion",
        "Complete 100 timed focus sessions.",
        "sessions",
        "total_sessions",
        100,
        100,
        "trophy",
    ),
    (
        "first-hour",
        "First Hour",
        "Focus for 60 verified minutes in total.",
        "time",
        "total_focus_minutes",
        60,
        10,
        "clock",
    ),
    (
        "deep-worker",
        "Deep Worker",
        "Focus for 10 verified hours in total.",
        "time",
        "total_focus_minutes",
        600,
        50,
        "brain",
    ),
    (
        "marathon",
        "Marathon",
        "Focus for 50 verified hours in total.",
        "time",
        "total_focus_minutes",
        3000,
        150,
        "medal",
    ),
    ("streak-3", "On a Roll", "Focus on 3 days in a row.", "streak", "streak_days", 3, 15, "flame"),
    ("streak-7", "Week Warrior", "Focus on 7 days in a row.", "streak", "streak_days", 7, 50, "fire"),
    ("streak-30", "Unstoppable", "Focus on 30 days in a row.", "streak", "streak_days", 30, 200, "volcano"),
    (
        "first-post",
        "Voice of the Community",
        "Write your first forum post.",
        "social",
        "community_posts",
        1,
        10,
        "chat",
    ),
    ("challenger", "Challenger", "Complete a weekly challenge.", "challenges", "challenges_completed", 1, 20, "flag"),
    ("champion", "Champion", "Complete 10 weekly challenges.", "challenges", "challenges_completed", 10, 100, "crown"),
)


def achievements_install_defaults(*, dry_run: bool = False, stdout=None) -> list[str]:
    missing = [row for row in DEFAULT_ACHIEVEMENTS if not Achievement.objects.filter(code=row[0]).exists()]
    for code, name, description, category, requirement_type, value, points, icon in missing:
        if stdout:
            stdout.write(f"{'would install' if dry_run else 'installing'} achievement {name}")
        if not dry_run:
            Achievement.objects.create(
                code=code, name=name, description=description, category=category,
                requirement_type=requirement_type, requirement_value=value, points=points, icon=icon,
            )  # fmt: skip
    return [row[0] for row in missing]


def _timed_focus(user):
    return verified_sessions().filter(user=user)


def total_sessions(*, user) -> int:
    return counted_timer_sessions(user=user, session_type=SessionType.FOCUS).count()


def total_focus_minutes(*, user) -> int:
    return _timed_focus(user).aggregate(s=Coalesce(Sum("duration_seconds"), 0))["s"] // 60


def streak_days(*, user) -> int:
    """The longest run of consecutive local days with a focus session that counts (10 minutes or more)."""
    days = (
        counted_timer_sessions(user=user, session_type=SessionType.FOCUS)
        .annotate(day=Coalesce("local_date", TruncDate("started_at", tzinfo=user_zone(user))))
        .order_by()
        .values_list("day", flat=True)
        .distinct()
    )
    longest, _, _ = day_runs(sorted(days))
    return longest


def challenges_completed(*, user) -> int:
    return Participation.objects.filter(user=user, status=ParticipationStatus.COMPLETED).count()


def metric_value(*, user, requirement_type: str, cache: dict | None = None) -> int:
    cache = {} if cache is None else cache
    if requirement_type not in cache:
        provider = hooks.achievement_metrics.get(requirement_type)
        cache[requirement_type] = provider(user=user) if provider else 0
    return cache[requirement_type]


def achievements_progress(*, user) -> list[dict]:
    unlocked = dict(UserAchievement.objects.filter(user=user).values_list("achievement_id", "unlocked_at"))
    values: dict = {}
    return [
        {
            "achievement": achievement,
            "current_value": metric_value(user=user, requirement_type=achievement.requirement_type, cache=values),
            "unlocked": achievement.pk in unlocked,
            "unlocked_at": unlocked.get(achievement.pk),
        }
        for achievement in Achievement.objects.filter(is_active=True)
    ]


def achievements_check(*, user, requirement_types=None) -> list[Achievement]:
    """Unlock every active achievement (of ``requirement_types`` when given) whose requirement the
    user now meets, once each (the unique row): the ledger points and the notification follow only
    the first unlock. Only achievements still locked are looked at, each metric counted once."""
    locked = Achievement.objects.filter(is_active=True).exclude(unlocks__user=user)
    if requirement_types is not None:
        locked = locked.filter(requirement_type__in=requirement_types)
    values: dict = {}
    new = []
    for achievement in locked:
        if metric_value(user=user, requirement_type=achievement.requirement_type, cache=values) < (
            achievement.requirement_value
        ):
            continue
        try:
            with transaction.atomic():
                UserAchievement.objects.create(user=user, achievement=achievement)
                points_award(
                    user=user,
                    points=achievement.points,
                    reason=PointsReason.ACHIEVEMENT,
                    source_type="achievement",
                    source_id=achievement.code,
                )
                notification_create(user=user, **_unlock_notice(achievement))
        except IntegrityError:
            continue
        new.append(achievement)
    return new


def _unlock_notice(achievement: Achievement) -> dict:
    return {
        "kind": NotificationKind.ACHIEVEMENT,
        "title": f"Achievement unlocked: {achievement.name}",
        "body": f"{achievement.description} +{achievement.points} points.",
        "data": {"achievement": achievement.code},
        "dedupe_key": f"achievement:{achievement.code}",
    }


def metric_values_many(*, user_ids, requirement_type: str) -> dict:
    """A metric of many users at once (user id to value; absent reads 0): from the provider's
    ``achievement_metrics_many`` variant when it has one, else one user at a time."""
    provider = hooks.achievement_metrics_many.get(requirement_type)
    if provider is not None:
        return provider(user_ids=user_ids)
    single = hooks.achievement_metrics.get(requirement_type)
    if single is None:
        return {}
    return {user.pk: single(user=user) for user in get_user_model().objects.filter(pk__in=user_ids)}


def achievements_check_many(*, user_ids) -> int:
    """``achievements_check`` for many users at once (the demo seed, batch repairs): each metric
    counted for all of them in one query, the unlocks, their ledger points and notifications
    written in bulk, each once (the same unique rows), then the users' points rebuilt from the
    ledger. Returns how many achievements were unlocked."""
    user_ids = list(user_ids)
    week = week_of(timezone.now())
    unlocks, entries, notices = [], [], []
    with transaction.atomic():
        unlocked = set(UserAchievement.objects.filter(user_id__in=user_ids).values_list("user_id", "achievement_id"))
        values: dict = {}
        for achievement in Achievement.objects.filter(is_active=True):
            kind = achievement.requirement_type
            if kind not in values:
                values[kind] = metric_values_many(user_ids=user_ids, requirement_type=kind)
            notice = _unlock_notice(achievement)
            for user_id in user_ids:
                reached = values[kind].get(user_id, 0) >= achievement.requirement_value
                if not reached or (user_id, achievement.pk) in unlocked:
                    continue
                unlocks.append((user_id, achievement.pk))
                entries.append(
                    (user_id, achievement.points, PointsReason.ACHIEVEMENT.value, "achievement", achievement.code,
                     week, "")
                )  # fmt: skip
                notices.append((user_id, *(notice[f] for f in NOTICE_FIELDS)))
        added = bulk.insert_missing(UserAchievement, ("user_id", "achievement_id"), unlocks)
        bulk.insert_missing(PointsEntry, LEDGER_FIELDS, entries)
        bulk.insert_missing(Notification, ("user_id", *NOTICE_FIELDS), notices)
        points_rebuild(user_ids=user_ids)
    return added


def _grouped(queryset, value) -> dict:
    return dict(queryset.order_by().values("user_id").annotate(value=value).values_list("user_id", "value"))


def total_sessions_many(*, user_ids) -> dict:
    counted = verified_sessions().filter(counts_as_session(), user_id__in=user_ids)
    return _grouped(counted, Count("pk"))


def total_focus_minutes_many(*, user_ids) -> dict:
    seconds = _grouped(verified_sessions().filter(user_id__in=user_ids), Sum("duration_seconds"))
    return {user_id: total // 60 for user_id, total in seconds.items()}


def streak_days_many(*, user_ids) -> dict:
    zones = {pk: user_zone(u) for pk, u in get_user_model().objects.in_bulk(user_ids).items()}
    days: dict = defaultdict(set)
    counted = verified_sessions().filter(counts_as_session(), user_id__in=user_ids)
    for user_id, local_date, started_at in counted.values_list("user_id", "local_date", "started_at"):
        days[user_id].add(local_date or started_at.astimezone(zones[user_id]).date())
    return {user_id: day_runs(sorted(found))[0] for user_id, found in days.items()}


def challenges_completed_many(*, user_ids) -> dict:
    done = Participation.objects.filter(user_id__in=user_ids, status=ParticipationStatus.COMPLETED)
    return _grouped(done, Count("pk"))


def challenges_refresh_for_user(*, user, challenge_types=None, requirement_types=None) -> int:
    """Derive the user's progress in this week's joined challenges again, then check their
    achievements: progress first, since a challenge it completes may unlock one. ``challenge_types``
    and ``requirement_types`` narrow both to what one activity can move (everything by default, as
    the repair job does); a challenge completed on the way always has ``challenges_completed``
    checked. Returns how many participations were refreshed."""
    refreshed = participations_refresh_for_user(user_id=user.pk, challenge_types=challenge_types)
    if requirement_types is not None and any(p.status == ParticipationStatus.COMPLETED for p in refreshed):
        requirement_types = {*requirement_types, RequirementType.CHALLENGES_COMPLETED}
    if requirement_types is None or requirement_types:
        achievements_check(user=user, requirement_types=requirement_types)
    return len(refreshed)


METRICS = {
    RequirementType.TOTAL_SESSIONS: total_sessions,
    RequirementType.TOTAL_FOCUS_MINUTES: total_focus_minutes,
    RequirementType.STREAK_DAYS: streak_days,
    RequirementType.CHALLENGES_COMPLETED: challenges_completed,
}


METRICS_MANY = {
    RequirementType.TOTAL_SESSIONS: total_sessions_many,
    RequirementType.TOTAL_FOCUS_MINUTES: total_focus_minutes_many,
    RequirementType.STREAK_DAYS: streak_days_many,
    RequirementType.CHALLENGES_COMPLETED: challenges_completed_many,
}

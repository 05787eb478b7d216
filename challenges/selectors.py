"""Reads for challenges: derived progress, the week's challenges, stats and the weekly leaderboard."""

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, ExtractHour, Greatest, RowNumber

from accounts.selectors import face_columns, user_face
from focus.choices import SessionType
from focus.models import ShutdownReflection, StudySession
from focus.selectors import counted_timer_sessions, counts_as_session, verified_sessions
from focus.shutdown import shutdown_streak
from learnflow import score_counts
from learnflow.cache import CacheReads
from learnflow.compiled import CompiledValues, scalar
from learnflow.generation_cache import generation_cached, generation_end
from learnflow.timeutils import local_today, user_zone
from tasks.selectors import tasks_rewarded_count

from .choices import ChallengeType, ParticipationStatus
from .models import (
    Achievement,
    Challenge,
    Participation,
    UserAchievement,
    UserPoints,
    WeeklyChallenge,
    WeeklyPointsCount,
)
from .weeks import current_week, week_bounds

#: A break counts for a break challenge when it starts within this long after a completed focus session.
BREAK_FOLLOWS_WITHIN = timedelta(minutes=30)
#: "Log off before 5pm": a shutdown day counts when its reflection was written before this local hour.
SHUTDOWN_BEFORE_HOUR = 17
LEADERBOARD_SIZE = 10
#: Shutdowns before this local hour count as the end of the previous day when averaging times.
DAY_STARTS_AT_HOUR = 4


def _verified_timer(user, session_type: str) -> QuerySet[StudySession]:
    return counted_timer_sessions(user=user, session_type=session_type)


def spaced_count(instants: list[datetime], *, spacing: timedelta) -> int:
    """How many of the sorted ``instants`` count when each must come ``spacing`` after the last one
    counted: per-local-day rewards need a real day between them, whatever the timezone does."""
    counted, last = 0, None
    for instant in instants:
        if last is None or instant - last >= spacing:
            counted, last = counted + 1, instant
    return counted


def challenge_progress(*, user, challenge_type: str, week: date) -> int:
    """What the user did in the challenge week, counted from verified activity only: completed timer
    focus sessions; completed timer breaks that start within 30 minutes after a completed focus
    session; tasks completed that earn rewards (``tasks_rewarded_count``); local days with a shutdown
    reflection written before 17:00 local, a real day apart (``spaced_count``).
    Manual logs never count. Activity from the whole week counts, also before the user joined."""
    start, end = week_bounds(week)
    if challenge_type == ChallengeType.FOCUS:
        return _verified_timer(user, SessionType.FOCUS).filter(ended_at__gte=start, ended_at__lt=end).count()
    if challenge_type == ChallengeType.BREAK:
        focus_before = _verified_timer(user, SessionType.FOCUS).filter(
            ended_at__lte=OuterRef("started_at"), ended_at__gte=OuterRef("started_at") - BREAK_FOLLOWS_WITHIN
        )
        return (
            _verified_timer(user, SessionType.BREAK)
            .filter(ended_at__gte=start, ended_at__lt=end)
            .filter(Exists(focus_before))
            .count()
        )
    if challenge_type == ChallengeType.TASK:
        return tasks_rewarded_count(user=user, start=start, end=end)
    if challenge_type == ChallengeType.SHUTDOWN:
        firsts = (
            ShutdownReflection.objects.filter(user=user, created_at__gte=start, created_at__lt=end)
            .annotate(hour=ExtractHour("created_at", tzinfo=user_zone(user)))
            .filter(hour__lt=SHUTDOWN_BEFORE_HOUR)
            .values("local_date")
            .annotate(first=Min("created_at"))
            .order_by("first")
            .values_list("first", flat=True)
        )
        return spaced_count(list(firsts), spacing=timedelta(hours=settings.LEARNFLOW_DAILY_AWARD_SPACING_HOURS))
    raise ValueError(challenge_type)


def challenge_progress_many(*, user_ids, challenge_type: str, week: date) -> dict:
    """``challenge_progress`` of many users at once (user id to value; a user with nothing done is
    absent): grouped in SQL for the focus challenge, one user at a time for the others."""
    if challenge_type == ChallengeType.FOCUS:
        start, end = week_bounds(week)
        done = (
            verified_sessions()
            .filter(counts_as_session(), user_id__in=user_ids, ended_at__gte=start, ended_at__lt=end)
            .values("user_id")
            .annotate(n=Count("pk"))
        )
        return {row["user_id"]: row["n"] for row in done}
    users = get_user_model().objects.filter(pk__in=user_ids)
    return {user.pk: challenge_progress(user=user, challenge_type=challenge_type, week=week) for user in users}


#: How many of the first joiners' avatars each challenge of the week shows.
JOINED_AVATARS = 3
#: The week's challenges as everybody sees them are cached under this generation, which a join, a
#: leave, a new weekly instance, a new challenge, a change in the admin and an account deletion end
#: (``week_changed``).
WEEK_GENERATION_KEY = "challenges:week-generation"
#: The longest a change that ends no generation (a joiner's new avatar or name) takes to show.
WEEK_CACHE_SECONDS = 60


def week_changed() -> None:
    """The week's challenges as everybody sees them changed: the next read computes them again
    (once the current transaction commits)."""
    generation_end(WEEK_GENERATION_KEY)


def week_cache_keys(*, week: date) -> list[str]:
    """The cache keys a read of the week looks up, to be read with the token's user in one round trip
    (``learnflow.cache.CacheReads``)."""
    return [WEEK_GENERATION_KEY, _week_key(week)]


def _week_key(week: date) -> str:
    return f"challenges:week:{week.isoformat()}"


def week_challenges_checked(*, user, week: date, reads: CacheReads | None = None) -> tuple[list[dict], bool]:
    """The week's active challenges (by name), each as the API shows it: the challenge's fields,
    ``joined_count``, the first joiners' avatars and the caller's ``progress`` / ``total`` / ``status``
    (null when not joined); and whether an active weekly challenge still lacks its instance this week
    (also true when the week has none yet). What everybody sees comes from the cache while nothing
    changed it (``week_changed``); the caller's part is one query."""
    shared, lacking = generation_cached(
        key=_week_key(week),
        generation_key=WEEK_GENERATION_KEY,
        compute=lambda: _week_shared(week),
        timeout=WEEK_CACHE_SECONDS,
        reads=reads,
    )
    mine = {}
    if shared:
        mine = {
            row[0]: row[1:]
            for row in Participation.objects.filter(
                user=user, weekly_challenge_id__in=[item["id"] for item in shared]
            ).values_list("weekly_challenge_id", "progress", "status")
        }
    items = []
    for item in shared:
        progress, status = mine.get(item["id"], (None, None))
        joined = status is not None
        items.append(
            {
                **item,
                "progress": progress if joined else None,
                "total": item["target_value"] if joined else None,
                "status": status,
            }
        )
    return items, lacking


def week_challenges(*, user, week: date) -> list[dict]:
    """The week's challenges as ``week_challenges_checked`` gives them."""
    return week_challenges_checked(user=user, week=week)[0]


def _week_shared(week: date) -> tuple[list[dict], bool]:
    """The week's active challenges without the caller's part, and whether one is lacking; two
    queries, one when nobody joined yet."""
    lacking = Challenge.objects.filter(is_active=True, is_weekly=True).exclude(weeks__week_start=week)
    rows = list(
        WeeklyChallenge.objects.filter(week_start=week, challenge__is_active=True)
        .order_by("challenge__name")
        .values(
            "id",
            "created_at",
            "week_start",
            "challenge__name",
            "challenge__description",
            "challenge__points",
            "challenge__challenge_type",
            "challenge__target_value",
            "challenge__duration_days",
            "challenge__is_active",
            joined=Count("participations"),
            lacking=Exists(lacking),
        )
    )
    avatars = _first_joiners_avatars([row["id"] for row in rows if row["joined"]])
    items = [
        {
            "id": row["id"],
            "name": row["challenge__name"],
            "description": row["challenge__description"],
            "points": row["challenge__points"],
            "challenge_type": row["challenge__challenge_type"],
            "target_value": row["challenge__target_value"],
            "duration_days": row["challenge__duration_days"],
            "is_active": row["challenge__is_active"],
            "created_at": row["created_at"],
            "week_start": row["week_start"],
            "joined_count": row["joined"],
            "joined_avatars": avatars.get(row["id"], []),
        }
        for row in rows
    ]
    return items, not rows or rows[0]["lacking"]


def _first_joiners_avatars(weekly_challenge_ids: list) -> dict:
    """Weekly challenge id to the avatar URLs of its first joiners (``JOINED_AVATARS``), earliest
    first; one query, none without ids."""
    if not weekly_challenge_ids:
        return {}
    first = (
        Participation.objects.filter(weekly_challenge_id__in=weekly_challenge_ids)
        .annotate(place=Window(RowNumber(), partition_by=F("weekly_challenge_id"), order_by=F("created_at").asc()))
        .filter(place__lte=JOINED_AVATARS)
        .order_by("weekly_challenge_id", "place")
        .values("weekly_challenge_id", "user_id", *face_columns("user"))
    )
    avatars: dict = {}
    for row in first:
        joiner = user_face(row, "user", pk=row["user_id"])
        avatars.setdefault(row["weekly_challenge_id"], []).append(joiner.avatar_url)
    return avatars


def challenge_stats(*, user) -> dict:
    points = UserPoints.objects.filter(user=user).values_list("total_points", flat=True).first() or 0
    done = Participation.objects.filter(user=user, status=ParticipationStatus.COMPLETED).count()
    tz = user_zone(user)
    times = [
        created.astimezone(tz)
        for created in ShutdownReflection.objects.filter(user=user)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:30]
    ]
    average = "0:00"
    if times:
        # A shutdown after midnight belongs to the evening before: 23:30 and 00:30 average to 00:00.
        minutes = [t.hour * 60 + t.minute + (24 * 60 if t.hour < DAY_STARTS_AT_HOUR else 0) for t in times]
        mean = round(sum(minutes) / len(minutes)) % (24 * 60)
        average = f"{mean // 60:02d}:{mean % 60:02d}"
    return {
        "total_points": points,
        "challenges_done": done,
        "shutdown_streak": shutdown_streak(user=user, today=local_today(tz)),
        "avg_shutdown_time": average,
    }


#: A leaderboard row's fields: the points and their owner's public face.
LEADER_FIELDS = ("user_id", "weekly_points", *face_columns("user"))


def users_above_expression(*, week, points) -> Coalesce | Subquery:
    """How many users have more than ``points`` (an expression) in the challenge week, for a query to
    hold: the sum of the week's histogram (``WeeklyPointsCount``, how many users hold each score,
    kept by triggers on ``UserPoints``) over the higher scores, one row per distinct score instead
    of one per user; a COUNT where the histogram is not kept (``learnflow.score_counts``). 0 points
    or fewer ranks after everybody who scored."""
    above = Greatest(points, 0)
    if not score_counts.is_kept():
        return scalar(UserPoints.objects.filter(week_start=week, weekly_points__gt=above))
    counted = WeeklyPointsCount.objects.filter(week_start=week, weekly_points__gt=above)
    return Coalesce(scalar(counted, "SUM", F("users")), 0)


def _top_query(*, week: date) -> QuerySet:
    # The top rows straight from the (week_start, -weekly_points, user) index, which holds the tie
    # order too, so however many users share a score only ten rows are read; ranked in Python, since
    # a RANK() window would rank every user of the week on each request. Everybody with more points
    # than a top row is listed before it, so its position among equals gives its rank.
    top = UserPoints.objects.filter(week_start=week, weekly_points__gt=0).order_by("-weekly_points", "user_id")
    return top.values(*LEADER_FIELDS)[:LEADERBOARD_SIZE]


def _standing_query(*, user, week: date) -> QuerySet:
    """The user's points this week and how many users have more, in one row."""
    mine = Coalesce(Subquery(UserPoints.objects.filter(user=user, week_start=week).values("weekly_points")), 0)
    above = users_above_expression(week=week, points=mine)
    return get_user_model().objects.filter(pk=user).order_by().values(week_points=mine, users_above=above)


# The leaderboard's two reads, compiled once (learnflow.compiled): building and compiling them cost
# more than PostgreSQL's work.
_top = CompiledValues(_top_query, week=date)
_standing = CompiledValues(_standing_query, user=uuid.UUID, week=date)


def weekly_leaderboard(*, user, week: date | None = None) -> list[dict]:
    """The top 10 by points this challenge week (ties share a rank and list by user id), plus the
    caller's own row with their real rank when they are not in it, even with 0 points."""
    week = week or current_week()
    top = _top(week=week)
    rows, rank = [], 0
    for position, entry in enumerate(top, start=1):
        if position == 1 or entry["weekly_points"] != top[position - 2]["weekly_points"]:
            rank = position
        member = user_face(entry, "user", pk=entry["user_id"])
        rows.append(_leader_row(member, entry["weekly_points"], rank, user))
    if not any(row["is_current_user"] for row in rows):
        standing = _standing(user=user.pk, week=week)[0]
        rows.append(_leader_row(user, standing["week_points"], standing["users_above"] + 1, user))
    return rows


def _leader_row(member, points: int, rank: int, caller) -> dict:
    return {
        "rank": rank,
        "name": member.full_name or member.username,
        "avatar": member.avatar_url,
        "points": points,
        "is_current_user": member.pk == caller.pk,
    }


def points_export(*, user) -> dict:
    from .models import PointsEntry, WeeklyResult

    return {
        "totals": UserPoints.objects.filter(user=user).values("total_points", "weekly_points", "week_start").first(),
        "weekly_results": list(
            WeeklyResult.objects.filter(user=user).order_by("week_start").values("week_start", "points", "rank")
        ),
        "ledger": list(
            PointsEntry.objects.filter(user=user)
            .order_by("created_at")
            .values("points", "reason", "source_type", "source_id", "week_start", "note", "created_at")
        ),
        "participations": list(
            Participation.objects.filter(user=user)
            .order_by("created_at")
            .values(
                "weekly_challenge__challenge__name",
                "weekly_challenge__week_start",
                "progress",
                "status",
                "points_earned",
                "created_at",
                "completed_at",
            )
        ),
    }


def participations_to_refresh(*, user_id, week: date, challenge_types=None) -> QuerySet[Participation]:
    """The user's unfinished participations of the week (of ``challenge_types`` when given)."""
    participations = Participation.objects.filter(
        user_id=user_id, status=ParticipationStatus.IN_PROGRESS, weekly_challenge__week_start=week
    ).filter(Q(weekly_challenge__finalized_at__isnull=True))
    if challenge_types is not None:
        participations = participations.filter(weekly_challenge__challenge__challenge_type__in=challenge_types)
    return participations


def achievements_unlocked(*, user) -> list[Achievement]:
    """The user's unlocked achievements, the latest first, each with its ``unlocked_at``; one query."""
    rows = []
    for unlock in UserAchievement.objects.filter(user=user).select_related("achievement").order_by("-unlocked_at"):
        unlock.achievement.unlocked_at = unlock.unlocked_at
        rows.append(unlock.achievement)
    return rows


def public_stats(*, users) -> dict:
    """How many achievements each of ``users`` unlocked, for public profiles; one query."""
    stats = {user.pk: {"achievements_unlocked": 0} for user in users}
    rows = UserAchievement.objects.filter(user__in=list(stats)).values("user_id").annotate(n=Count("pk")).order_by()
    for row in rows:
        stats[row["user_id"]] = {"achievements_unlocked": row["n"]}
    return stats


def achievements_export(*, user) -> list[dict]:
    from .models import UserAchievement

    return list(
        UserAchievement.objects.filter(user=user)
        .order_by("unlocked_at")
        .values("achievement__code", "achievement__name", "unlocked_at")
    )

"""Writes for challenges: the points ledger, joining and leaving, derived progress, the weekly reset."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Min, Sum
from django.utils import timezone

from accounts.choices import NotificationKind
from accounts.models import Notification
from accounts.services import notification_create
from focus.models import ShutdownReflection
from learnflow import bulk, score_counts
from learnflow.cache import CacheReads
from learnflow.exceptions import Conflict

from .choices import ChallengeType, ParticipationStatus, PointsReason
from .models import Challenge, Participation, PointsEntry, UserPoints, WeeklyChallenge, WeeklyPointsCount, WeeklyResult
from .selectors import (
    challenge_progress,
    challenge_progress_many,
    participations_to_refresh,
    week_challenges,
    week_challenges_checked,
    week_changed,
)
from .weeks import current_week, week_bounds, week_of

logger = logging.getLogger(__name__)

#: The seed's three weekly challenges, installed by migration 0002 and again by ``install_defaults``
#: when staff deleted one.
DEFAULT_CHALLENGES = (
    {
        "name": "Healthy Boundaries",
        "description": "Log off before 5pm for 5 days",
        "points": 75,
        "challenge_type": ChallengeType.SHUTDOWN,
        "target_value": 5,
    },
    {
        "name": "Focus Sprint Master",
        "description": "Complete 10 focus sessions",
        "points": 75,
        "challenge_type": ChallengeType.FOCUS,
        "target_value": 10,
    },
    {
        "name": "Break Champion",
        "description": "Take proper breaks during 5 work sessions",
        "points": 75,
        "challenge_type": ChallengeType.BREAK,
        "target_value": 5,
    },
)


def challenges_install_defaults(*, dry_run: bool = False, stdout=None) -> list[str]:
    """Create the default challenges that are missing (by name); existing ones are left as staff set them."""
    missing = [d for d in DEFAULT_CHALLENGES if not Challenge.objects.filter(name=d["name"]).exists()]
    for definition in missing:
        if stdout:
            stdout.write(f"{'would install' if dry_run else 'installing'} challenge {definition['name']}")
        if not dry_run:
            Challenge.objects.create(**definition)
    if missing and not dry_run:
        week_changed()
    return [d["name"] for d in missing]


# --- the ledger ---------------------------------------------------------------------------------


@transaction.atomic
def points_award(
    *, user, points: int, reason: str, source_type: str, source_id, occurred_at=None, note: str = ""
) -> PointsEntry | None:
    """Add a ledger row, once per (user, reason, source): a second call (double click, retried job,
    another worker) finds the first and adds nothing. Returns the new row, or ``None``."""
    week = week_of(occurred_at or timezone.now())
    try:
        with transaction.atomic():
            entry = PointsEntry.objects.create(
                user=user,
                points=points,
                reason=reason,
                source_type=source_type,
                source_id=str(source_id),
                week_start=week,
                note=note,
            )
    except IntegrityError:
        return None
    UserPoints.objects.get_or_create(user=user)
    row = UserPoints.objects.select_for_update().get(user=user)
    this_week = current_week()
    if row.week_start != this_week:
        row.week_start, row.weekly_points = this_week, 0
    row.total_points += points
    if week == this_week:
        row.weekly_points += points
    row.save()
    return entry


def points_rebuild(*, user_ids=None) -> int:
    """Recompute every ``UserPoints`` row from the ledger (``manage.py rebuild_points``)."""
    this_week = current_week()
    entries = PointsEntry.objects.all()
    if user_ids is not None:
        entries = entries.filter(user_id__in=user_ids)
    totals = {row["user_id"]: row["total"] for row in entries.values("user_id").annotate(total=Sum("points"))}
    weekly = {
        row["user_id"]: row["total"]
        for row in entries.filter(week_start=this_week).values("user_id").annotate(total=Sum("points"))
    }
    with transaction.atomic():
        stale = UserPoints.objects.all() if user_ids is None else UserPoints.objects.filter(user_id__in=user_ids)
        stale.exclude(user_id__in=totals).delete()
        UserPoints.objects.bulk_create(
            [
                UserPoints(user_id=uid, total_points=total, weekly_points=weekly.get(uid, 0), week_start=this_week)
                for uid, total in totals.items()
            ],
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["total_points", "weekly_points", "week_start"],
            batch_size=2000,
        )
    if user_ids is None:
        POINTS_HISTOGRAM.rebuild()
    return len(totals)


#: How many users hold each weekly score (``WeeklyPointsCount``, kept by triggers on ``UserPoints``;
#: the leaderboard's ranks); rebuilt exactly by the weekly reset and a full ``points_rebuild``.
POINTS_HISTOGRAM = score_counts.Histogram(
    totals=UserPoints._meta.db_table,
    counts=WeeklyPointsCount._meta.db_table,
    keys=("week_start",),
    score="weekly_points",
)


# --- weekly challenges --------------------------------------------------------------------------


def weekly_challenges_ensure(*, week: date | None = None) -> list[WeeklyChallenge]:
    """This week's instance of every active weekly challenge (created on first need, so a fresh
    install shows them without running any job)."""
    week = week or current_week()
    weekly_challenges_create_missing(week=week)
    return list(WeeklyChallenge.objects.filter(week_start=week, challenge__is_active=True, challenge__is_weekly=True))


def weekly_challenges_create_missing(*, week: date) -> int:
    """Create the week's instance of each active weekly challenge that has none yet (two callers at
    once create each once); returns how many were missing."""
    missing = Challenge.objects.filter(is_active=True, is_weekly=True).exclude(weeks__week_start=week)
    created = WeeklyChallenge.objects.bulk_create(
        [WeeklyChallenge(challenge=challenge, week_start=week) for challenge in missing], ignore_conflicts=True
    )
    if created:
        week_changed()
    return len(created)


def week_challenges_ensured(*, user, week: date, reads: CacheReads | None = None) -> list[dict]:
    """The week's challenges for ``user`` (``selectors.week_challenges``), each active weekly
    challenge's instance made first when it is missing: a week already complete costs no write and
    no query more. ``reads``: the week's cache keys already read (``selectors.week_cache_keys``)."""
    items, lacking = week_challenges_checked(user=user, week=week, reads=reads)
    if lacking and weekly_challenges_create_missing(week=week):
        items = week_challenges(user=user, week=week)
    return items


def challenge_join(*, user, weekly_challenge: WeeklyChallenge) -> Participation:
    """Join a challenge of the current week. Joining twice is a conflict, also for two parallel
    requests (one participation per user and week's challenge). Progress counts the whole week."""
    if weekly_challenge.week_start != current_week() or weekly_challenge.finalized_at:
        raise Conflict("This challenge's week is over.")
    try:
        with transaction.atomic():
            participation = Participation.objects.create(user=user, weekly_challenge=weekly_challenge)
    except IntegrityError:
        raise Conflict("You have already joined this challenge.") from None
    week_changed()
    return participation_refresh(participation_id=participation.pk)


@transaction.atomic
def challenge_leave(*, user, weekly_challenge: WeeklyChallenge) -> None:
    participation = (
        Participation.objects.select_for_update().filter(user=user, weekly_challenge=weekly_challenge).first()
    )
    if participation is None:
        raise Conflict("You have not joined this challenge.")
    if participation.status != ParticipationStatus.IN_PROGRESS:
        raise Conflict("A finished challenge cannot be left.")
    participation.delete()
    week_changed()


def _locked(participations):
    return participations.select_for_update(of=("self",)).select_related("weekly_challenge__challenge", "user")


@transaction.atomic
def participation_refresh(*, participation_id) -> Participation:
    """Derive the participation's progress again; reaching the target completes it and awards its
    points once (the ledger's unique source)."""
    return _participation_derive(_locked(Participation.objects).get(pk=participation_id))


@transaction.atomic
def participations_refresh_for_user(*, user_id, challenge_types=None) -> list[Participation]:
    """Refresh the user's unfinished participations of this week (only those of ``challenge_types``
    when given), locked together in one query (in pk order, as everywhere) and derived in one
    transaction; returns them as refreshed."""
    candidates = participations_to_refresh(user_id=user_id, week=current_week(), challenge_types=challenge_types)
    return [_participation_derive(participation) for participation in _locked(candidates).order_by("pk")]


def _participation_derive(participation: Participation) -> Participation:
    """Progress of a locked participation, from the user's activity in the challenge week; reaching
    the target completes it, awards its points once and notifies the user."""
    if participation.status != ParticipationStatus.IN_PROGRESS:
        return participation
    challenge = participation.weekly_challenge.challenge
    done = challenge_progress(
        user=participation.user, challenge_type=challenge.challenge_type, week=participation.weekly_challenge.week_start
    )
    participation.progress = min(done, challenge.target_value)
    if done >= challenge.target_value:
        participation.status = ParticipationStatus.COMPLETED
        participation.completed_at = timezone.now()
        participation.points_earned = challenge.points
        # The points count for the challenge's week, also when the weekly reset's last refresh
        # completes it after that week has ended.
        _, week_end = week_bounds(participation.weekly_challenge.week_start)
        points_award(
            user=participation.user,
            points=challenge.points,
            reason=PointsReason.CHALLENGE_COMPLETED,
            source_type="participation",
            source_id=participation.pk,
            occurred_at=min(participation.completed_at, week_end - timedelta(microseconds=1)),
        )
        notification_create(user=participation.user, **_completion_notice(participation))
    participation.save()
    return participation


def _completion_notice(participation: Participation) -> dict:
    challenge = participation.weekly_challenge.challenge
    return {
        "kind": NotificationKind.CHALLENGE,
        "title": f"Challenge completed: {challenge.name}",
        "body": f"You earned {challenge.points} points.",
        "data": {"challenge_id": str(participation.weekly_challenge_id)},
        "dedupe_key": f"challenge-completed:{participation.pk}",
    }


def _completion_week(participation: Participation) -> date:
    """The challenge week a completion's points count for: its own, also when completed after it."""
    _, week_end = week_bounds(participation.weekly_challenge.week_start)
    return week_of(min(participation.completed_at, week_end - timedelta(microseconds=1)))


@transaction.atomic
def participations_refresh_many(*, participations) -> int:
    """``participation_refresh`` for many participations at once (the demo seed, batch repairs):
    locked together in pk order, progress counted per challenge and week in one query where the
    challenge allows, completions awarded through the ledger's unique source and notified once.
    The caller rebuilds the users' ``UserPoints`` (``points_rebuild``). Returns how many changed."""
    locked = list(_locked(participations).filter(status=ParticipationStatus.IN_PROGRESS).order_by("pk"))
    groups: dict[tuple, list[Participation]] = {}
    for participation in locked:
        key = (participation.weekly_challenge.challenge.challenge_type, participation.weekly_challenge.week_start)
        groups.setdefault(key, []).append(participation)
    now = timezone.now()
    changed, entries, notices = [], [], []
    for (challenge_type, week), members in groups.items():
        done = challenge_progress_many(user_ids=[p.user_id for p in members], challenge_type=challenge_type, week=week)
        for participation in members:
            challenge = participation.weekly_challenge.challenge
            value = done.get(participation.user_id, 0)
            participation.progress = min(value, challenge.target_value)
            if value >= challenge.target_value:
                participation.status = ParticipationStatus.COMPLETED
                participation.completed_at = now
                participation.points_earned = challenge.points
                entries.append(
                    (participation.user_id, challenge.points, PointsReason.CHALLENGE_COMPLETED.value,
                     "participation", str(participation.pk), _completion_week(participation), "")
                )  # fmt: skip
                notice = _completion_notice(participation)
                notices.append((participation.user_id, *(notice[f] for f in NOTICE_FIELDS)))
            changed.append(participation)
    bulk.update_rows(
        Participation,
        "id",
        ["progress", "status", "points_earned", "completed_at", "updated_at"],
        [(p.pk, p.progress, p.status, p.points_earned, p.completed_at, now) for p in changed],
    )
    bulk.insert_missing(PointsEntry, LEDGER_FIELDS, entries)
    bulk.insert_missing(Notification, ("user_id", *NOTICE_FIELDS), notices)
    return len(changed)


#: The columns of ``bulk.insert_missing`` rows of the ledger and of notifications.
LEDGER_FIELDS = ("user_id", "points", "reason", "source_type", "source_id", "week_start", "note")
NOTICE_FIELDS = ("kind", "title", "body", "data", "dedupe_key")


@transaction.atomic
def shutdown_day_award(*, reflection) -> PointsEntry | None:
    """The day's shutdown points (the seed's formula at the time of the reflection), once per local
    day, and only a real day after the last ones: no other local day's first reflection within
    ``LEARNFLOW_DAILY_AWARD_SPACING_HOURS`` of this one was paid, so hopping to a timezone where it is
    already tomorrow pays nothing. The user's points row is locked first, so two awards of one user
    are decided one after the other."""
    from focus.shutdown import shutdown_summary

    user = reflection.user
    UserPoints.objects.get_or_create(user=user)
    UserPoints.objects.select_for_update().get(user=user)
    if _shutdown_paid_nearby(reflection):
        return None
    points = shutdown_summary(user=user, now=reflection.created_at)["pointsEarned"]
    return points_award(
        user=reflection.user,
        points=points,
        reason=PointsReason.SHUTDOWN_DAY,
        source_type="shutdown_day",
        source_id=reflection.local_date.isoformat(),
        occurred_at=reflection.created_at,
    )


def _shutdown_paid_nearby(reflection) -> bool:
    spacing = timedelta(hours=settings.LEARNFLOW_DAILY_AWARD_SPACING_HOURS)
    at = reflection.created_at
    firsts = (
        ShutdownReflection.objects.filter(user=reflection.user, created_at__gt=at - spacing - timedelta(days=2))
        .exclude(local_date=reflection.local_date)
        .values("local_date")
        .annotate(first=Min("created_at"))
        .filter(first__gt=at - spacing, first__lt=at + spacing)
        .values_list("local_date", flat=True)
    )
    days = [day.isoformat() for day in firsts]
    return (
        bool(days)
        and PointsEntry.objects.filter(
            user=reflection.user, reason=PointsReason.SHUTDOWN_DAY, source_type="shutdown_day", source_id__in=days
        ).exists()
    )


# --- the weekly reset ---------------------------------------------------------------------------


def weekly_reset(*, now=None, batch: int = 1000) -> dict:
    """Finalize every past week not yet finalized (a last progress refresh, unfinished participations
    closed as incomplete, final ranks kept), create this week's challenges, restart weekly points, and
    rebuild the weekly scores' histogram (``POINTS_HISTOGRAM``) from the points, exactly.
    A second run finds nothing left to do; two runs at once split the work: a week's challenge being
    finalized is locked (the other run skips it), ranks are unique per (user, week), and the weekly
    points restart is a state predicate. Participations and points go in keyset batches of
    ``batch`` rows, so memory stays flat at any number of users."""
    this_week = current_week(now)
    finalized = 0
    for instance in WeeklyChallenge.objects.filter(week_start__lt=this_week, finalized_at__isnull=True).order_by("pk"):
        finalized += _weekly_challenge_finalize(instance.pk, batch=batch)
    ranked_weeks = _record_results(before=this_week)
    created = len(weekly_challenges_ensure(week=this_week))
    restarted, last = 0, None
    stale = UserPoints.objects.exclude(week_start=this_week).order_by("pk")
    while page := list((stale.filter(pk__gt=last) if last else stale).values_list("pk", flat=True)[:batch]):
        last = page[-1]
        restarted += stale.filter(pk__in=page).update(week_start=this_week, weekly_points=0)
    POINTS_HISTOGRAM.rebuild()
    return {
        "finalized": finalized,
        "weeks_ranked": ranked_weeks,
        "challenges": created,
        "weekly_points_reset": restarted,
    }


@transaction.atomic
def _weekly_challenge_finalize(pk, *, batch: int) -> int:
    locked = WeeklyChallenge.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
    if locked is None or locked.finalized_at:
        return 0
    open_ = locked.participations.filter(status=ParticipationStatus.IN_PROGRESS).order_by("pk")
    last = None
    while page := list((open_.filter(pk__gt=last) if last else open_).values_list("pk", flat=True)[:batch]):
        last = page[-1]
        participations_refresh_many(participations=Participation.objects.filter(pk__in=page))
        points_rebuild(user_ids=Participation.objects.filter(pk__in=page).values_list("user_id", flat=True))
    locked.participations.filter(status=ParticipationStatus.IN_PROGRESS).update(
        status=ParticipationStatus.INCOMPLETE, updated_at=timezone.now()
    )
    locked.finalized_at = timezone.now()
    locked.save(update_fields=["finalized_at", "updated_at"])
    return 1


def _record_results(*, before: date) -> int:
    """Final points and ranks (ties share a rank) of each finished week that has none yet, ranked
    by the database (``RANK() OVER``) and inserted in one statement per week, once per (user, week)."""
    done_weeks = set(WeeklyResult.objects.values_list("week_start", flat=True).distinct())
    weeks = (
        PointsEntry.objects.filter(week_start__lt=before)
        .exclude(week_start__in=done_weeks)
        .order_by()
        .values_list("week_start", flat=True)
        .distinct()
    )
    results, entries = WeeklyResult._meta.db_table, PointsEntry._meta.db_table
    recorded = 0
    for week in list(weeks):
        with connection.cursor() as cursor:
            # "WHERE true" lets SQLite tell the ON CONFLICT clause from a join's ON.
            cursor.execute(
                f"INSERT INTO {results} (user_id, week_start, points, rank) "
                "SELECT user_id, week_start, total, RANK() OVER (ORDER BY total DESC) FROM ("
                f"  SELECT user_id, week_start, SUM(points) AS total FROM {entries} WHERE week_start = %s"
                "  GROUP BY user_id, week_start"
                ") AS totals WHERE true ORDER BY user_id ON CONFLICT DO NOTHING",
                [week],
            )
        recorded += 1
    return recorded


@transaction.atomic
def week_changed_for_deletion(*, user) -> None:
    """A deleted account's participations go with it: the week's joined counts and avatars change."""
    week_changed()


def weekly_results_close_up(*, user) -> int:
    """Take a user whose account is being deleted out of the finished weeks' final ranks, and close
    the ranks up behind them: everybody who had fewer points that week moves up one (ties keep
    sharing a rank, as ``_record_results`` ranks them). Their ledger, totals and participations go
    with the account, so the live leaderboards close up by themselves. Returns the weeks changed."""
    results = list(WeeklyResult.objects.select_for_update().filter(user=user).values_list("pk", "week_start", "points"))
    for _, week, points in results:
        WeeklyResult.objects.filter(week_start=week, points__lt=points).update(rank=F("rank") - 1)
    WeeklyResult.objects.filter(pk__in=[pk for pk, _, _ in results]).delete()
    return len(results)

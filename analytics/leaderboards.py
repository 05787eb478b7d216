"""Leaderboards by verified focus time: this challenge week, this month (both in
``LEARNFLOW_WEEK_TIMEZONE``, one calendar for everybody) or all time.

Only completed, verified timer focus sessions count, by when they ended. Each user's totals per
period live in ``FocusTotal``, recomputed from the sessions (never incremented, so a retried job
cannot double count); the board reads the top rows from an index (ties by user id, which the index
holds), the caller's own total from their sessions, and the caller's rank from the histogram of the
period's scores (``FocusScoreCount``: how many users hold each score, kept by triggers on the
totals; see ``learnflow.score_counts``), so no read walks the users above the caller.
"""

import uuid
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Count, Exists, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.selectors import FACE_FIELDS, face_columns, user_face
from challenges.weeks import current_week, week_zone
from focus.selectors import verified_sessions
from learnflow import bulk, score_counts
from learnflow.compiled import CompiledValues, scalar
from learnflow.timeutils import local_midnight

from .models import FocusScoreCount, FocusTotal

Period = FocusTotal.Period
ALL_TIME_START = date(1970, 1, 1)
BOARD_SIZE = 10
#: How many users hold each score of each period (``FocusScoreCount``, kept by triggers).
HISTOGRAM = score_counts.Histogram(
    totals=FocusTotal._meta.db_table,
    counts=FocusScoreCount._meta.db_table,
    keys=("period", "period_start"),
    score="seconds",
)


def period_start(period: str, now=None) -> date:
    if period == Period.WEEKLY:
        return current_week(now)
    if period == Period.MONTHLY:
        return (now or timezone.now()).astimezone(week_zone()).date().replace(day=1)
    return ALL_TIME_START


def _period_end(period: str, start: date) -> date | None:
    if period == Period.WEEKLY:
        return start + timedelta(days=7)
    if period == Period.MONTHLY:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return None


def _verified_focus(user):
    return verified_sessions().filter(user=user)


def _period_bounds(period: str, start: date) -> tuple[datetime, datetime] | None:
    """The instants the period beginning on ``start`` spans (``None``: all time)."""
    if period == Period.ALL_TIME:
        return None
    tz = week_zone()
    return local_midnight(tz, start), local_midnight(tz, _period_end(period, start))


def _ended_within(period: str, start: date) -> Q | None:
    """Sessions that ended in the period beginning on ``start`` (``None``: all time)."""
    bounds = _period_bounds(period, start)
    return None if bounds is None else Q(ended_at__gte=bounds[0], ended_at__lt=bounds[1])


def focus_totals_refresh(*, user, at=()) -> None:
    """Recompute the user's stored totals from their sessions for the periods holding now and each
    instant in ``at`` (a session that ended just before a week turned still lands in its own week).

    The user's rows are locked before the sessions are read, so of two refreshes racing (a job and
    the nightly repair, two jobs) the one that writes last has also read last and counts every
    session committed before it. All periods are summed in one query."""
    keys = {(period, period_start(period, instant)) for period in Period.values for instant in (timezone.now(), *at)}
    wanted = Q()
    for period, start in keys:
        wanted |= Q(period=period, period_start=start)
    locked = FocusTotal.objects.select_for_update().filter(wanted, user=user).order_by("pk")
    with transaction.atomic():
        rows = list(locked.all())
        if len(rows) < len(keys):
            FocusTotal.objects.bulk_create(
                [FocusTotal(user=user, period=period, period_start=start) for period, start in keys],
                ignore_conflicts=True,
            )
            rows = list(locked.all())
        sums = {}
        for index, row in enumerate(rows):
            window = _ended_within(row.period, row.period_start)
            sums[f"seconds_{index}"] = Coalesce(Sum("duration_seconds", filter=window), 0)
            sums[f"sessions_{index}"] = Count("pk", filter=window)
        totals = _verified_focus(user).aggregate(**sums)
        now = timezone.now()
        for index, row in enumerate(rows):
            row.seconds, row.sessions, row.updated_at = totals[f"seconds_{index}"], totals[f"sessions_{index}"], now
        FocusTotal.objects.bulk_update(rows, ["seconds", "sessions", "updated_at"])


def focus_totals_refresh_many(*, user_ids) -> int:
    """``focus_totals_refresh`` of the current periods for many users at once (the nightly repair's
    batches, the demo seed): the rows are created when missing and locked in pk order before the
    sessions are read, every period summed in one grouped query. Returns the rows that changed."""
    user_ids = list(user_ids)
    keys = [(period, period_start(period)) for period in Period.values]
    with transaction.atomic():
        bulk.insert_missing(
            FocusTotal, ("user_id", "period", "period_start"), [(u, p, s) for u in user_ids for p, s in keys]
        )
        wanted = Q()
        for period, start in keys:
            wanted |= Q(period=period, period_start=start)
        rows = list(
            FocusTotal.objects.select_for_update()
            .filter(wanted, user_id__in=user_ids)
            .order_by("pk")
            .values_list("pk", "user_id", "period", "seconds", "sessions")
        )
        sums = {}
        for period, start in keys:
            window = _ended_within(period, start)
            sums[f"seconds_{period}"] = Coalesce(Sum("duration_seconds", filter=window), 0)
            sums[f"sessions_{period}"] = Count("pk", filter=window)
        totals = {
            row["user_id"]: row
            for row in verified_sessions().filter(user_id__in=user_ids).order_by().values("user_id").annotate(**sums)
        }
        now, empty, values = timezone.now(), {}, []
        for pk, user_id, period, seconds, sessions in rows:
            counted = totals.get(user_id, empty)
            fresh = (counted.get(f"seconds_{period}", 0), counted.get(f"sessions_{period}", 0))
            # Only the rows that change are written: the nightly repair of 100k users then leaves the
            # rest of the table's pages all-visible, so the boards' rank counts stay index-only.
            if fresh != (seconds, sessions):
                values.append((pk, *fresh, now))
        return bulk.update_rows(FocusTotal, "id", ["seconds", "sessions", "updated_at"], values)


#: A board row's fields: the total and its owner's public face.
ROW_FIELDS = ("user_id", "seconds", "sessions", *face_columns("user"))


def _row(total: dict, rank: int, caller) -> dict:
    owner = user_face(total, "user", pk=total["user_id"])
    return {
        "rank": rank,
        "user": {"id": owner.pk, "username": owner.username, "avatar_url": owner.avatar_url},
        "total_minutes": total["seconds"] // 60,
        "session_count": total["sessions"],
        "is_current_user": owner.pk == caller.pk,
    }


def _others(*, user, period: str, start: date, group=None) -> QuerySet[FocusTotal]:
    """The stored totals of everybody else who studied in the period (of ``group``'s members)."""
    others = FocusTotal.objects.filter(period=period, period_start=start, seconds__gt=0).exclude(user=user)
    if group is not None:
        others = others.filter(user__memberships__group=group)
    return others


def _top_query(*, user, period: str, start: date, size: int = BOARD_SIZE, group=None) -> QuerySet:
    # Ten rows of the (period, period_start, -seconds, user) index, which holds the tie order too.
    others = _others(user=user, period=period, start=start, group=group)
    return others.order_by("-seconds", "user_id").values(*ROW_FIELDS)[:size]


def _own_query(*, user, since: datetime | None = None, until: datetime | None = None) -> QuerySet:
    """The user's verified focus that ended in ``[since, until)`` (all of it without bounds): one
    row, none without sessions."""
    sessions = _verified_focus(user)
    if since is not None:
        sessions = sessions.filter(ended_at__gte=since, ended_at__lt=until)
    totals = {"seconds": Coalesce(Sum("duration_seconds"), 0), "sessions": Count("pk")}
    return sessions.order_by().values("user_id").annotate(**totals)


def _above_query(*, user, period: str, start: date, seconds: int) -> QuerySet:
    """How many other users' stored totals of the period are above ``seconds``: the sum of the
    histogram's counts above it, one row per distinct score, less the user's own stored total when
    that one is above it (a COUNT of the totals where the histogram is not kept)."""
    others = FocusTotal.objects.filter(period=period, period_start=start, seconds__gt=seconds)
    if not score_counts.is_kept():
        return get_user_model().objects.filter(pk=user).order_by().values(n=scalar(others.exclude(user_id=user)))
    counted = FocusScoreCount.objects.filter(period=period, period_start=start, seconds__gt=seconds)
    stored_above = Case(When(Exists(others.filter(user_id=user)), then=Value(1)), default=Value(0))
    above = Coalesce(scalar(counted, "SUM", F("users")), 0) - stored_above
    return get_user_model().objects.filter(pk=user).order_by().values(n=above)


# The board's three reads for each period, compiled once (learnflow.compiled): building and compiling
# them cost more than PostgreSQL's work.
def _compiled_top(period: str) -> CompiledValues:
    return CompiledValues(
        lambda *, user, start: _top_query(user=user, period=period, start=start), user=uuid.UUID, start=date
    )


def _compiled_above(period: str) -> CompiledValues:
    return CompiledValues(
        lambda *, user, start, seconds: _above_query(user=user, period=period, start=start, seconds=seconds),
        user=uuid.UUID,
        start=date,
        seconds=int,
    )


_TOP = {period: _compiled_top(period) for period in Period.values}
_ABOVE = {period: _compiled_above(period) for period in Period.values}
_OWN = CompiledValues(_own_query, user=uuid.UUID, since=datetime, until=datetime)
_OWN_ALL_TIME = CompiledValues(_own_query, user=uuid.UUID)


def own_focus_total(*, user, period: str, start: date) -> dict:
    """The user's total of the period counted from their sessions now (not stored), with their
    public face as a board row shows it."""
    bounds = _period_bounds(period, start)
    rows = _OWN(user=user.pk, since=bounds[0], until=bounds[1]) if bounds else _OWN_ALL_TIME(user=user.pk)
    return {
        "user_id": user.pk,
        "seconds": rows[0]["seconds"] if rows else 0,
        "sessions": rows[0]["sessions"] if rows else 0,
        **{f"user__{field}": getattr(user, field) for field in FACE_FIELDS},
    }


def global_leaderboard(*, user, period: str, size: int = BOARD_SIZE, group=None) -> list[dict]:
    """The top ``size`` by verified focus time (ties share a rank and list by user id), plus the
    caller's own row with their real rank when they are not among them. With a ``group``, only its
    members are ranked.

    Read-your-writes: the caller's own total is counted from their sessions on each read, so it
    already holds the session they just completed; everybody else's comes from the stored totals,
    which a job refreshes right after each completed session (and the nightly repair), so others
    see a new session a moment later."""
    start = period_start(period)
    mine = own_focus_total(user=user, period=period, start=start)
    hot = group is None and size == BOARD_SIZE  # the compiled reads; a group's board builds its own
    if hot:
        top = _TOP[period](user=user.pk, start=start)
    else:
        top = list(_top_query(user=user, period=period, start=start, size=size, group=group))
    if mine["seconds"] > 0:
        top = sorted([*top, mine], key=lambda total: (-total["seconds"], total["user_id"]))[:size]
    rows, rank = [], 0
    for position, total in enumerate(top, start=1):
        if position == 1 or total["seconds"] != top[position - 2]["seconds"]:
            rank = position
        rows.append(_row(total, rank, user))
    if not any(row["is_current_user"] for row in rows):
        if hot:
            above = _ABOVE[period](user=user.pk, start=start, seconds=mine["seconds"])[0]["n"]
        else:
            others = _others(user=user, period=period, start=start, group=group)
            above = others.filter(seconds__gt=mine["seconds"]).count()
        rows.append(_row(mine, above + 1, user))
    return rows

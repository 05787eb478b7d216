"""The whole product's activity for staff (the admin's Activity page, ``/api/admin/activity``).

Product rules (docs/product-rules.md, "Staff activity charts"):

* **Days** are calendar days of the site calendar, ``LEARNFLOW_WEEK_TIMEZONE`` (the challenge week's
  zone, UTC by default), the same 24 hours for everybody; the range is ``start`` to ``end``
  inclusive, 30 days ending today by default, at most ``MAX_DAYS``. Every day of the range is
  listed, zero days included.
* **Active users** of a day are the distinct users who recorded something in it: a study session
  that started that day (timed, in a room, or logged by hand for that day, whatever its status), a
  task completed, a forum post or comment written, a weekly challenge joined, a shutdown reflection
  written. Reading, liking and messaging do not count.
* **Verified focus minutes** of a day are the verified focus time (``focus.selectors
  .verified_sessions``) of the sessions started that day, in whole minutes of the summed
  seconds.
* **Sessions by local hour** count the study sessions that count in personal stats (completed focus
  sessions, timed or logged: ``selectors.COUNTED``) started in the range, by the hour of the local
  clock they started in, read in each user's current timezone, as the personal reports do: on an
  autumn DST night both 01:30s land in hour 1, on a spring night the skipped hour stays empty.
* **Challenge joins and completions** are participations created, and completed, that day.
* **Top topics** are the topics of those same counted sessions, most minutes first (then most
  sessions, then by name), exactly as typed; sessions without a topic are left out.
* **Registrations** are accounts created that day (staff included).

Everything is counted in SQL, in a fixed number of queries whatever the range and the data, and
the answer is kept in the cache for ``CACHE_SECONDS`` per range.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate

from challenges.models import Participation
from challenges.weeks import week_zone
from community.models import Comment, Post
from focus.models import ShutdownReflection, StudySession
from focus.selectors import verified_sessions
from learnflow.timeutils import local_midnight, local_today
from tasks.models import Task

from .selectors import COUNTED

MAX_DAYS = 366
DEFAULT_DAYS = 30
TOP_TOPICS = 10
CACHE_SECONDS = 60
CACHE_KEY = "analytics:activity:v1:{start}:{end}"
BEST_FIRST = ("-seconds", "-sessions", "topic")


class LocalHour(Func):
    """The hour (0 to 23) an instant shows on the clock of a timezone named by another expression,
    e.g. each row's user's own zone. PostgreSQL converts with ``AT TIME ZONE``; SQLite (the embedded
    profile) with the function Django registers for ``ExtractHour``, which takes the zone as an
    argument."""

    arity = 2
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(HOUR FROM (%(expressions)s)) AS integer)",
            arg_joiner=" AT TIME ZONE ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(
            compiler, connection, template="django_datetime_extract('hour', %(expressions)s, %%s)", **extra_context
        )
        return sql, (*params, connection.timezone_name)


def site_today() -> date:
    """Today on the site calendar."""
    return local_today(week_zone())


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _as_date(value) -> date:
    """A day as a ``date``: SQLite answers a raw query's ``TruncDate`` as text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _within(queryset: QuerySet, field: str, bounds: tuple[datetime, datetime]) -> QuerySet:
    return queryset.filter(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]}).order_by()


def _per_day(queryset: QuerySet, field: str, bounds, tz, **aggregates) -> dict[date, dict]:
    rows = (
        _within(queryset, field, bounds)
        .annotate(day=TruncDate(field, tzinfo=tz))
        .values("day")
        .annotate(**aggregates)
        .order_by()
    )
    return {row.pop("day"): row for row in rows}


#: What makes a user active on a day: (rows, the user column, the moment column).
ACTIVITY_SOURCES = (
    (StudySession.objects.all(), "user_id", "started_at"),
    (Task.objects.filter(completed=True), "user_id", "completed_at"),
    (Post.objects.all(), "author_id", "created_at"),
    (Comment.objects.all(), "author_id", "created_at"),
    (Participation.objects.all(), "user_id", "created_at"),
    (ShutdownReflection.objects.all(), "user_id", "created_at"),
)


def _active_users(bounds, tz) -> dict[date, int]:
    """Distinct active users per day, in one query: the ``UNION`` of every source's distinct
    (day, user) pairs, counted per day. Django cannot aggregate over a union, so the outer
    ``GROUP BY`` wraps the union's compiled SQL (its values stay parameters); posts and comments of
    deleted accounts (no author) count nobody."""
    pairs = [
        _within(rows, moment, bounds)
        .annotate(day=TruncDate(moment, tzinfo=tz), actor=F(actor))
        .values_list("day", "actor")
        for rows, actor, moment in ACTIVITY_SOURCES
    ]
    union = pairs[0].union(*pairs[1:])
    sql, params = union.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT day, COUNT(actor) FROM ({sql}) activity GROUP BY day", params)
        return {_as_date(day): count for day, count in cursor.fetchall()}


def _sessions_by_hour(bounds) -> list[int]:
    rows = (
        _within(StudySession.objects.filter(COUNTED), "started_at", bounds)
        .annotate(hour=LocalHour("started_at", "user__timezone"))
        .values("hour")
        .annotate(sessions=Count("pk"))
        .order_by()
    )
    by_hour = {row["hour"]: row["sessions"] for row in rows}
    return [by_hour.get(hour, 0) for hour in range(24)]


def _top_topics(bounds) -> list[dict]:
    rows = (
        _within(StudySession.objects.filter(COUNTED).exclude(topic=""), "started_at", bounds)
        .values("topic")
        .annotate(sessions=Count("pk"), seconds=Coalesce(Sum("duration_seconds"), 0))
        .order_by(*BEST_FIRST)[:TOP_TOPICS]
    )
    return [{"topic": row["topic"], "sessions": row["sessions"], "minutes": row["seconds"] // 60} for row in rows]


def activity_overview(*, start: date, end: date) -> dict:
    """The charts' data for the site-calendar days ``start`` to ``end`` inclusive (module docstring),
    computed afresh: 7 queries."""
    tz = week_zone()
    bounds = (local_midnight(tz, start), local_midnight(tz, end + timedelta(days=1)))
    active = _active_users(bounds, tz)
    focus = _per_day(verified_sessions(), "started_at", bounds, tz, seconds=Sum("duration_seconds"))
    joins = _per_day(Participation.objects.all(), "created_at", bounds, tz, n=Count("pk"))
    completions = _per_day(Participation.objects.all(), "completed_at", bounds, tz, n=Count("pk"))
    registrations = _per_day(get_user_model().objects.all(), "created_at", bounds, tz, n=Count("pk"))
    days = [
        {
            "date": day,
            "active_users": active.get(day, 0),
            "verified_focus_minutes": (focus.get(day, {}).get("seconds") or 0) // 60,
            "challenge_joins": joins.get(day, {}).get("n", 0),
            "challenge_completions": completions.get(day, {}).get("n", 0),
            "registrations": registrations.get(day, {}).get("n", 0),
        }
        for day in _days(start, end)
    ]
    return {
        "start": start,
        "end": end,
        "timezone": settings.LEARNFLOW_WEEK_TIMEZONE,
        "days": days,
        "sessions_by_local_hour": [{"hour": hour, "sessions": n} for hour, n in enumerate(_sessions_by_hour(bounds))],
        "top_topics": _top_topics(bounds),
    }


def activity_overview_cached(*, start: date, end: date) -> dict:
    """``activity_overview``, kept ``CACHE_SECONDS`` per range: a page reloaded, or opened by several
    staff at once, costs no query for a minute. Numbers may lag by as much."""
    key = CACHE_KEY.format(start=start.isoformat(), end=end.isoformat())
    overview = cache.get(key)
    if overview is None:
        overview = activity_overview(start=start, end=end)
        cache.set(key, overview, CACHE_SECONDS)
    return overview

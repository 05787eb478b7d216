"""Benchmark: the analytics endpoints for a user with a long history.

Creates (once; reused on later runs) a user in Europe/Berlin with SESSIONS counted study sessions
over the last YEARS years up to now (timer, room and manual, many topics, local hours 06-23), plus
one break per five sessions and a stopped timer per twenty (rows every query must skip), with
INTERLEAVE sessions of other users written beside each of theirs (so their rows are spread over
the table as in production), and a user with 30 sessions. Then requests each analytics endpoint
REQUESTS times through the whole Django stack (middleware, JWT authentication, view, serializer,
JSON) with the test client, and reports p50 / p99 in milliseconds and the SQL queries per request
for both users. The target: every
analytics endpoint under 50 ms at 20,000 sessions, and the home dashboard (``/api/dashboard``; the
big user also has TASKS tasks, due from two years ago to next month, and as many notifications)
under 30 ms, each with as many queries as for the small user.

Run it in the production profile (PostgreSQL, Redis, ``DJANGO_DEBUG=0``); ``DATABASE_URL`` names a
database it may fill:

    DATABASE_URL=postgres://... REDIS_URL=redis://... DJANGO_SECRET_KEY=... DJANGO_DEBUG=0 \\
        .venv/bin/python bench/analytics.py --sessions 20000 --requests 300
"""

import argparse
import os
import random
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Notification, User  # noqa: E402
from analytics.streaks import streak_refresh  # noqa: E402
from focus.choices import SessionSource, SessionStatus, SessionType  # noqa: E402
from focus.models import StudySession  # noqa: E402
from learnflow.benchmarking import percentile, timed  # noqa: E402
from learnflow.testing import client_for  # noqa: E402
from learnflow.timeutils import local_now, local_today, zone  # noqa: E402
from tasks.models import Task  # noqa: E402

PREFIX = "bench-an-"
TZ = "Europe/Berlin"
TOPICS = [f"Topic {n}" for n in range(40)] + [""]
ANALYTICS_MS = 50
#: endpoint: (path, p50 target in ms)
ENDPOINTS = {
    "daily": ("/api/study-sessions/analytics/daily", ANALYTICS_MS),
    "weekly": ("/api/study-sessions/analytics/weekly", ANALYTICS_MS),
    "monthly": ("/api/study-sessions/analytics/monthly", ANALYTICS_MS),
    "comprehensive": ("/api/study-sessions/analytics/comprehensive", ANALYTICS_MS),
    "summary/today": ("/api/study-sessions/summary/today", ANALYTICS_MS),
    "summary/week": ("/api/study-sessions/summary/week", ANALYTICS_MS),
    "dashboard": ("/api/dashboard", 30),
}


def _session(user, rng, began, **fields) -> StudySession:
    minutes = fields.pop("minutes", rng.choice((10, 25, 25, 30, 45, 50, 60, 90)))
    source = fields.pop("source", rng.choices(list(SessionSource), weights=(70, 20, 10))[0])
    return StudySession(
        user=user,
        session_type=fields.pop("session_type", SessionType.FOCUS),
        status=fields.pop("status", SessionStatus.COMPLETED),
        source=source,
        verified=source != SessionSource.MANUAL,
        topic=rng.choice(TOPICS),
        started_at=began,
        local_date=local_now(zone(TZ), began).date(),
        ended_at=began + timedelta(minutes=minutes),
        duration_seconds=minutes * 60,
        planned_duration=None if source == SessionSource.MANUAL else minutes,
        **fields,
    )


def _others(count: int) -> list[User]:
    names = [f"{PREFIX}n{n}" for n in range(count)]
    existing = {user.username: user for user in User.objects.filter(username__in=names)}
    User.objects.bulk_create(
        [
            User(username=name, email=f"{name}@bench.invalid", password=make_password(None), timezone=TZ)
            for name in names
            if name not in existing
        ]
    )
    return list(User.objects.filter(username__in=names))


def _start(rng, day, now):
    """A start on the local ``day`` between 06:00 and 23:59, never later than two hours ago."""
    began = datetime.combine(day, time(rng.randint(6, 23), rng.randint(0, 59)), tzinfo=zone(TZ))
    return min(began, now - timedelta(hours=2, minutes=rng.randint(0, 600)))


def prepare(name: str, sessions: int, years: float, interleave: int = 0) -> User:
    """A user in Berlin with ``sessions`` counted sessions spread over the last ``years`` years.

    With ``interleave``, that many sessions of 50 other users are written beside each of theirs, and
    all in time order, as a live table fills: the user's rows are spread over the table's pages
    instead of packed together, as they are in production."""
    user, _ = User.objects.get_or_create(
        username=f"{PREFIX}{name}",
        defaults={"email": f"{PREFIX}{name}@bench.invalid", "password": make_password(None), "timezone": TZ},
    )
    others = _others(50) if interleave else []
    counted = StudySession.objects.filter(user=user, session_type="focus", status="completed")
    if counted.count() == sessions and StudySession.objects.filter(user__in=others).count() == sessions * interleave:
        return user
    StudySession.objects.filter(user__in=[user, *others]).delete()
    rng = random.Random(13)
    now = timezone.now()
    today = local_today(zone(TZ))
    span_days = max(1, int(365 * years))
    rows = []
    for n in range(sessions):
        # Newest first: the last days always have study, so today, this week and month are not empty.
        day = today - timedelta(days=min(span_days - 1, int(n * span_days / sessions)))
        began = _start(rng, day, now)
        rows.append(_session(user, rng, began))
        if n % 5 == 0:
            rows.append(_session(user, rng, began + timedelta(hours=2), session_type=SessionType.BREAK, minutes=5))
        if n % 20 == 0:
            rows.append(_session(user, rng, began + timedelta(hours=3), status=SessionStatus.STOPPED, minutes=12))
        for _ in range(interleave):
            rows.append(_session(rng.choice(others), rng, _start(rng, day, now)))
    rows.sort(key=lambda row: row.started_at)
    for offset in range(0, len(rows), 20_000):
        StudySession.objects.bulk_create(rows[offset : offset + 20_000], batch_size=5000)
        print(f"  created {min(offset + 20_000, len(rows))} / {len(rows)} sessions", flush=True)
    streak_refresh(user=user)
    return user


def prepare_home(user, tasks: int) -> None:
    """Tasks due from two years ago to a month ahead (a third of them done) and as many
    notifications (half read), for the dashboard."""
    if Task.objects.filter(user=user).count() == tasks:
        return
    Task.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    rng = random.Random(7)
    now = timezone.now()
    Task.objects.bulk_create(
        [
            Task(
                user=user,
                title=f"Task {n}",
                due_date=now + timedelta(hours=rng.randint(-24 * 730, 24 * 30)),
                completed=n % 3 == 0,
                completed_at=now if n % 3 == 0 else None,
            )
            for n in range(tasks)
        ],
        batch_size=5000,
    )
    Notification.objects.bulk_create(
        [Notification(user=user, title=f"Note {n}", read_at=now if n % 2 else None) for n in range(tasks)],
        batch_size=5000,
    )


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, secure=True)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return len(context.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--years", type=float, default=3)
    parser.add_argument("--interleave", type=int, default=9, help="other users' sessions written after each of theirs")
    parser.add_argument("--tasks", type=int, default=3000, help="tasks and notifications of the big user")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = {
        "big": prepare("big", args.sessions, args.years, args.interleave),
        "small": prepare("small", 30, 0.1),
    }
    prepare_home(users["big"], args.tasks)
    if connection.vendor == "postgresql":
        # As autovacuum keeps a live table: fresh statistics and a current visibility map, without
        # which PostgreSQL cannot answer from the covering index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE focus_studysession, tasks_task, accounts_notification")
    clients = {name: client_for(user) for name, user in users.items()}

    print(
        f"{args.sessions} sessions over {args.years:g} years ({StudySession.objects.count()} in the table) vs 30; "
        f"{args.requests} requests each, "
        f"through the Django stack (DEBUG={settings.DEBUG}, {connection.vendor})"
    )
    print(f"  {'endpoint':<15} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8}   {'30: p50':>8} {'queries':>8}")
    slow = []
    for name, (path, target) in ENDPOINTS.items():
        cells = []
        for who in ("big", "small"):
            client = clients[who]
            count = queries(client, path)
            samples = timed(lambda c=client, p=path: c.get(p, secure=True), args.requests, warm_up=True)
            cells.append((percentile(samples, 50), percentile(samples, 99), count))
        (p50, p99, count), (small_p50, _, small_count) = cells
        print(f"  {name:<15} {p50:>8.2f} {p99:>8.2f} {count:>8}   {small_p50:>8.2f} {small_count:>8}")
        if p50 >= target or count != small_count:
            slow.append(f"{name} (target {target} ms)")
    if slow:
        print(f"  over the p50 target or more queries than for the small user: {', '.join(slow)}")
    else:
        print("  every endpoint under its p50 target, with as many queries as for the small user")


if __name__ == "__main__":
    main()

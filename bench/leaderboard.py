"""Benchmark: the global focus leaderboard from the stored per-period totals vs aggregating the
sessions on each request.

Creates USERS users (usernames bench-lb-N) with SESSIONS_PER_USER verified focus sessions each this
week and their FocusTotal rows (once; reused on later runs), then times, REQUESTS times each:

* stored: ``analytics.leaderboards.global_leaderboard`` (top 10 from an index + the caller's rank),
* aggregated: the same answer computed from the sessions (GROUP BY user over the week).

Run against PostgreSQL (DATABASE_URL) for meaningful figures; compare the ratio, measured in one run:

    .venv/bin/python bench/leaderboard.py --users 100000 --sessions-per-user 5
"""

import argparse
import os
import random
import statistics
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from analytics.leaderboards import global_leaderboard, period_start  # noqa: E402
from analytics.models import FocusTotal  # noqa: E402
from challenges.weeks import week_bounds  # noqa: E402
from focus.models import StudySession  # noqa: E402
from learnflow.benchmarking import report, timed  # noqa: E402

PREFIX = "bench-lb-"


def prepare(users: int, per_user: int) -> User:
    existing = User.objects.filter(username__startswith=PREFIX).count()
    week = period_start("weekly")
    start, _ = week_bounds(week)
    if existing != users or StudySession.objects.filter(user__username__startswith=PREFIX).count() != users * per_user:
        User.objects.filter(username__startswith=PREFIX).delete()
        password = make_password(None)
        rng = random.Random(11)
        now = timezone.now()
        span = max(60, int((now - start).total_seconds() // 60) - 60)
        for offset in range(0, users, 5000):
            batch = [
                User(username=f"{PREFIX}{n}", email=f"{PREFIX}{n}@bench.invalid", password=password)
                for n in range(offset, min(offset + 5000, users))
            ]
            User.objects.bulk_create(batch)
            sessions, totals = [], []
            for user in batch:
                seconds = 0
                for _ in range(per_user):
                    minutes = rng.choice((25, 30, 45, 50))
                    began = start + timedelta(minutes=rng.randint(0, span))
                    sessions.append(
                        StudySession(
                            user=user, session_type="focus", status="completed", source="timer", verified=True,
                            started_at=began, ended_at=began + timedelta(minutes=minutes),
                            duration_seconds=minutes * 60, planned_duration=minutes,
                        )
                    )  # fmt: skip
                    seconds += minutes * 60
                totals.append(
                    FocusTotal(user=user, period="weekly", period_start=week, seconds=seconds, sessions=per_user)
                )
            StudySession.objects.bulk_create(sessions, batch_size=5000)
            FocusTotal.objects.bulk_create(totals, batch_size=5000)
            print(f"  created {min(offset + 5000, users)} / {users} users", flush=True)
    return User.objects.get(username=f"{PREFIX}{users // 2}")


def aggregated_board(user, size: int = 10) -> list:
    start, end = week_bounds(period_start("weekly"))
    totals = (
        StudySession.objects.filter(
            session_type="focus",
            status="completed",
            source="timer",
            verified=True,
            ended_at__gte=start,
            ended_at__lt=end,
        )
        .values("user_id")
        .annotate(seconds=Sum("duration_seconds"), n=Count("pk"))
    )
    top = list(totals.order_by("-seconds", "user_id")[:size])
    mine = next(iter(totals.filter(user_id=user.pk)), None)
    rank = totals.filter(seconds__gt=mine["seconds"] if mine else 0).count() + 1
    return [*top, rank]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--sessions-per-user", type=int, default=5)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    caller = prepare(args.users, args.sessions_per_user)
    stored = timed(lambda: global_leaderboard(user=caller, period="weekly"), args.requests)
    aggregated = timed(lambda: aggregated_board(caller), args.requests)
    report(
        f"{args.users} users, {args.users * args.sessions_per_user} sessions, {args.requests} requests each",
        {"stored": stored, "aggregated": aggregated},
    )
    print(f"stored totals are {statistics.fmean(aggregated) / statistics.fmean(stored):.1f}x faster")


if __name__ == "__main__":
    main()

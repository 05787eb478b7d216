"""Benchmark: weekly and monthly goal summaries with and without the cache.

Creates (or reuses) the user ``bench-summaries`` with ENTRIES progress entries spread over two years
on GOALS goals, then runs ``manage.py benchmark_cache`` for that user. Run it against the embedded
default or any DATABASE_URL / REDIS_URL; the ratio (speed-up) is the figure to compare, measured in
one run on one machine:

    .venv/bin/python bench/summaries.py --entries 20000 --requests 200
"""

import argparse
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from tasks.models import Goal, Progress  # noqa: E402
from tasks.services import goal_create  # noqa: E402

USERNAME = "bench-summaries"


def prepare(entries: int, goals: int) -> User:
    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"email": f"{USERNAME}@bench.invalid"})
    if Progress.objects.filter(goal__user=user).count() == entries:
        return user
    Goal.objects.filter(user=user).delete()
    rng = random.Random(7)
    now = timezone.now()
    made = [goal_create(user=user, goal_name=f"Goal {n}", category="Primary") for n in range(goals)]
    rows = []
    for i in range(entries):
        goal = made[i % goals]
        total = timedelta(hours=rng.randint(1, 4))
        rows.append(
            Progress(
                goal=goal, number=i + 1, logged_hours=total * rng.random(), total_hours=total, progress=f"entry {i}"
            )
        )
    Progress.objects.bulk_create(rows, batch_size=5000)
    # Spread the entries over two years (created_at is set on insert, so move it afterwards).
    spread = list(Progress.objects.filter(goal__user=user).only("pk"))
    for entry in spread:
        entry.created_at = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
    Progress.objects.bulk_update(spread, ["created_at"], batch_size=5000)
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--goals", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    user = prepare(args.entries, args.goals)
    print(f"user {user.username}: {args.entries} entries on {args.goals} goals")
    call_command("benchmark_cache", user=user.username, requests=args.requests)


if __name__ == "__main__":
    main()

import multiprocessing
import random
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from faker import Faker
from tqdm import tqdm

from accounts.choices import Tier
from accounts.models import User
from learnflow import bulk, hooks

DEMO_EMAIL_DOMAIN = "demo.learnflow.test"
DEMO_TIMEZONES = (
    "UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
    "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo",
)  # fmt: skip
#: Users seeded in one transaction (with all their data): big enough for fast bulk writes, small
#: enough that memory stays flat and an interrupted seed keeps every finished batch.
BATCH_USERS = 2000


class Command(BaseCommand):
    help = (
        "Create realistic demo users and data at any scale. Demo users have emails at "
        f"@{DEMO_EMAIL_DOMAIN} and can log in with the demo password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=20, help="how many demo users to add (default 20)")
        parser.add_argument("--reset", action="store_true", help="delete existing demo users and their data first")
        parser.add_argument("--password", default="learnflow-demo", help="password of every demo user")
        parser.add_argument("--seed", type=int, default=None, help="random seed, for repeatable data")
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="worker processes seeding batches side by side (PostgreSQL; default 1)",
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")

    def handle(self, *args, users, reset, password, seed, dry_run, jobs, **options):
        if users < 0:
            raise CommandError("--users cannot be negative")
        demo_users = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        existing = demo_users.count()
        if dry_run:
            if reset:
                self.stdout.write(f"would delete {existing} demo user(s) and their data")
            self.stdout.write(
                f"would create {users} demo user(s) with: {', '.join(n for n, _ in hooks.demo_seeders.items())}"
            )
            return
        with transaction.atomic():
            if reset and existing:
                demo_users.delete()
                self.stdout.write(f"deleted {existing} demo user(s)")
        start = _next_demo_number()
        password_hash = make_password(password)
        counts: dict[str, int] = {}
        seconds: dict[str, float] = {}
        batches = [
            (range(start + offset, start + min(offset + BATCH_USERS, users)), seed, password_hash)
            for offset in range(0, users, BATCH_USERS)
        ]
        with tqdm(total=users, desc="demo users", unit="user", disable=None) as bar:
            for batch_counts, batch_seconds, done in _run(batches, jobs=jobs):
                for name, count in batch_counts.items():
                    counts[name] = counts.get(name, 0) + count
                    seconds[name] = seconds.get(name, 0.0) + batch_seconds[name]
                bar.update(done)
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} row(s) in {seconds[name]:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(f"created {users} demo user(s); log in as demo{start:05d} / {password}")
            if users
            else "no users created"
        )


def _run(batches: list, *, jobs: int):
    """Seed the batches here, or in ``jobs`` worker processes (each with its own connection) whose
    results come back as they finish."""
    if jobs <= 1 or len(batches) <= 1 or connections["default"].vendor != "postgresql":
        yield from map(_seed_batch, batches)
        return
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap_unordered(_seed_batch, batches)


def _seed_batch(batch: tuple) -> tuple[dict, dict, int]:
    """One batch of demo users and all their data, in one transaction. The batch's data depends only
    on ``--seed`` and its user numbers, not on the order batches run in."""
    numbers, seed, password_hash = batch
    rng = random.Random(f"{seed}:{numbers.start}") if seed is not None else random.Random()
    fake = Faker()
    fake.seed_instance(rng.random())
    counts, seconds = {}, {}
    with transaction.atomic():
        user_ids = _create_users(numbers, rng=rng, fake=fake, password_hash=password_hash)
        for name, seeder in hooks.demo_seeders.items():
            began = time.perf_counter()
            counts[name] = seeder(user_ids=user_ids, rng=rng)
            seconds[name] = time.perf_counter() - began
    return counts, seconds, len(numbers)


def _next_demo_number() -> int:
    """One past the highest demo number in use, so a rerun (with the same --seed or not) adds
    users next to the existing ones instead of colliding with them."""
    numbered = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}", username__regex=r"^demo[0-9]+$")
    highest = numbered.annotate(number=Cast(Substr("username", 5), IntegerField())).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


def _create_users(numbers: range, *, rng, fake, password_hash: str) -> list:
    batch = []
    for number in numbers:
        username = f"demo{number:05d}"
        batch.append(
            User(
                username=username,
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                full_name=fake.name(),
                bio=fake.sentence(nb_words=10),
                avatar_source=f"/avatars/avatar-{rng.randint(1, 12)}.png",
                timezone=rng.choice(DEMO_TIMEZONES),
                daily_focus_goal_minutes=rng.choice((120, 180, 240, 300, 480)),
                onboarding_completed=rng.random() < 0.8,
                tier=Tier.PREMIUM if rng.random() < 0.1 else Tier.FREE,
                password=password_hash,
            )
        )
    bulk.copy_objects(batch)
    return [user.pk for user in batch]

import random

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from faker import Faker
from tqdm import tqdm

from accounts.choices import Tier
from accounts.models import User
from learnflow import hooks

DEMO_EMAIL_DOMAIN = "demo.learnflow.test"
DEMO_TIMEZONES = (
    "UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
    "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo",
)  # fmt: skip


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
        parser.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")

    def handle(self, *args, users, reset, password, seed, dry_run, **options):
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
        rng = random.Random(seed)
        fake = Faker()
        fake.seed_instance(seed)
        with transaction.atomic():
            if reset and existing:
                demo_users.delete()
                self.stdout.write(f"deleted {existing} demo user(s)")
                existing = 0
            start = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").count() + 1
            password_hash = make_password(password)
            user_ids = []
            with tqdm(total=users, desc="users", unit="user", disable=None) as bar:
                for offset in range(0, users, 1000):
                    batch = []
                    for number in range(start + offset, start + min(offset + 1000, users)):
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
                    User.objects.bulk_create(batch)
                    user_ids.extend(u.pk for u in batch)
                    bar.update(len(batch))
            for name, seeder in hooks.demo_seeders.items():
                with tqdm(total=len(user_ids), desc=name, unit="user", disable=None) as bar:
                    count = seeder(user_ids=user_ids, rng=rng, progress=bar)
                self.stdout.write(f"{name}: {count} row(s)")
        self.stdout.write(
            self.style.SUCCESS(f"created {len(user_ids)} demo user(s); log in as demo{start:05d} / {password}")
            if user_ids
            else "no users created"
        )

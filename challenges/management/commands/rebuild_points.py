from django.core.management.base import BaseCommand

from challenges.models import PointsEntry, UserPoints
from challenges.services import points_rebuild


class Command(BaseCommand):
    help = "Recompute every user's total and weekly points from the ledger (the ledger is the truth)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be rebuilt, change nothing")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            users = PointsEntry.objects.values("user_id").distinct().count()
            self.stdout.write(f"would rebuild {users} user(s) from {PointsEntry.objects.count()} ledger row(s)")
            return
        count = points_rebuild()
        self.stdout.write(self.style.SUCCESS(f"rebuilt {count} user(s); {UserPoints.objects.count()} row(s) in place"))

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.selectors import user_find
from accounts.services import user_delete, user_deletion_preview


class Command(BaseCommand):
    help = "Delete a user and all their data (by username, email or id). Needs --yes; --dry-run shows what would go."

    def add_arguments(self, parser):
        parser.add_argument("user", help="username, email or id")
        parser.add_argument("--yes", action="store_true", help="really delete")
        parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, change nothing")

    def handle(self, *args, user, yes=False, dry_run=False, **options):
        try:
            found = user_find(identifier=user)
        except User.DoesNotExist:
            raise CommandError(f"No user {user!r}.") from None
        if dry_run or not yes:
            for label, count in user_deletion_preview(user=found).items():
                self.stdout.write(f"{label}: {count}")
            if not dry_run:
                raise CommandError(f"Not deleted: pass --yes to delete {found.username} and the rows above.")
            return
        removed = user_delete(user=found)
        for label, count in removed.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"deleted {found.username}"))

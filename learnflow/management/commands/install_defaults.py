from django.core.management.base import BaseCommand

from learnflow import hooks


class Command(BaseCommand):
    help = "Install the defaults every LearnFlow needs (periodic schedules, and what later apps add). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be installed, change nothing")

    def handle(self, *args, dry_run=False, **options):
        for name, install in hooks.default_installers.items():
            self.stdout.write(f"{name}:")
            install(dry_run=dry_run, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("defaults are installed" if not dry_run else "dry run: nothing changed"))

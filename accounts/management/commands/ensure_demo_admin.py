from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User


class Command(BaseCommand):
    help = "Create the local staff user of the embedded profile if it is missing, and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="learnflow-admin")
        parser.add_argument("--email", default="admin@learnflow.local")

    def handle(self, *args, username, password, email, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing to create a known-password admin with debug off; use createsuperuser.")
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            User.objects.create_superuser(
                username=username, email=email, password=password, full_name="LearnFlow Admin"
            )
            self.stdout.write(self.style.SUCCESS(f"Admin login at /admin/: user {username}, password {password}"))
        else:
            self.stdout.write(f"Admin login at /admin/: user {username} (exists; password unchanged)")

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from accounts.models import User
from accounts.selectors import user_data_document, user_find


class Command(BaseCommand):
    help = "Print everything LearnFlow holds about a user as JSON (by username, email or id)."

    def add_arguments(self, parser):
        parser.add_argument("user", help="username, email or id")
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args, user, output=None, **options):
        try:
            found = user_find(identifier=user)
        except User.DoesNotExist:
            raise CommandError(f"No user {user!r}.") from None
        document = user_data_document(user=found)
        text = json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(text)

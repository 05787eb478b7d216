import statistics

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.selectors import user_find
from learnflow.benchmarking import p95, timed
from tasks.summaries import summary_get


class Command(BaseCommand):
    help = "Time the weekly and monthly summaries of a user with and without the cache, as a table."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username, email or id")
        parser.add_argument("--requests", type=int, default=100, help="requests per case (default 100)")

    def handle(self, *args, user, requests, **options):
        try:
            found = user_find(identifier=user)
        except User.DoesNotExist:
            raise CommandError(f"No user {user!r}.") from None
        if requests < 1:
            raise CommandError("--requests must be at least 1")
        rows = []
        for period in ("weekly", "monthly"):
            uncached = timed(lambda p=period: summary_get(user=found, period=p, use_cache=False), requests)
            summary_get(user=found, period=period)
            cached = timed(lambda p=period: summary_get(user=found, period=p), requests)
            rows.append((period, uncached, cached))
        header = ("summary", "no cache ms", "cache ms", "p95 no cache", "p95 cache", "speed-up")
        self.stdout.write("{:<9} {:>12} {:>10} {:>13} {:>10} {:>9}".format(*header))
        for period, uncached, cached in rows:
            mean_u, mean_c = statistics.fmean(uncached), statistics.fmean(cached)
            self.stdout.write(
                f"{period:<9} {mean_u:>12.3f} {mean_c:>10.3f} {p95(uncached):>13.3f} {p95(cached):>10.3f}"
                f" {mean_u / mean_c if mean_c else float('inf'):>8.1f}x"
            )
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        self.stdout.write(f"{requests} requests per case; cache backend {backend}")

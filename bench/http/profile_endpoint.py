"""Profile endpoints as one gunicorn worker runs them: the whole WSGI stack (middleware, DRF, the view,
the renderer) in this process, on data seeded as ``run.py`` seeds it, in the production profile.

For each path: the SQL queries of one request (after a warm-up), the Redis commands it sent (the
server's ``INFO commandstats`` before and after), the mean time per request over REQUESTS requests
(each as the next demo user), and cProfile's top functions by own time over them.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/http/profile_endpoint.py \\
        [--requests 300] [--top 25] /api/tasks/?page_size=10 /api/challenges/week
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from live_stack import access_token, bench_environment  # noqa: E402

UNTHROTTLED_ENV = {"LEARNFLOW_PROGRESS_RATE_FREE": "1000000/s", "LEARNFLOW_PROGRESS_RATE_PREMIUM": "1000000/s"}


def redis_calls(client) -> dict[str, int]:
    return {name: stats["calls"] for name, stats in client.info("commandstats").items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    os.environ.update(UNTHROTTLED_ENV)
    with bench_environment("http_profile", 9):
        import redis
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from accounts.models import User

        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", users=args.users, seed=7, stdout=quiet)
        tokens = [access_token(user) for user in User.objects.filter(username__startswith="demo")]
        client = Client(HTTP_HOST="127.0.0.1")
        server = redis.Redis.from_url(os.environ["REDIS_URL"])
        for path in args.paths:
            for token in tokens:  # warm every user's caches, as a running server's would be
                response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
                assert response.status_code == 200, (path, response.status_code, response.content[:300])
            before = redis_calls(server)
            with CaptureQueriesContext(connection) as queries:
                client.get(path, HTTP_AUTHORIZATION=f"Bearer {tokens[0]}")
            after = redis_calls(server)
            sent = {
                name.removeprefix("cmdstat_"): after[name] - before.get(name, 0)
                for name in after
                if after[name] != before.get(name, 0) and name != "cmdstat_info"
            }
            profiler = cProfile.Profile()
            began = time.perf_counter()
            profiler.enable()
            for number in range(args.requests):
                client.get(path, HTTP_AUTHORIZATION=f"Bearer {tokens[number % len(tokens)]}")
            profiler.disable()
            elapsed = (time.perf_counter() - began) / args.requests * 1000
            print(f"\n=== {path}: {elapsed:.2f} ms per request (profiled), {len(queries)} queries, Redis: {sent}")
            for query in queries.captured_queries:
                print(f"  SQL {query['time']}s: {query['sql'][:400]}")
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top + 15)
            print(out.getvalue())


if __name__ == "__main__":
    main()

"""Profile endpoints as one gunicorn worker runs them: the whole WSGI stack (middleware, DRF, the view,
the renderer) in this process, on data seeded as ``run.py`` seeds it, in the production profile.

For each path: the SQL queries of one request (after a warm-up), the Redis commands it sent (the
server's ``INFO commandstats`` before and after), the CPU time (this process's) and the wall time per
request over REQUESTS requests (each as the next demo user), and, unless ``--no-profile``, cProfile's
top functions by own time over as many more. CPU time per request is the figure to compare on a busy
machine: other processes stretch the wall time, hardly the CPU time; it leaves out PostgreSQL's and
Redis's own work, which the queries and commands show.

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
    parser.add_argument("--no-profile", action="store_true", help="only the queries, commands and times")
    args = parser.parse_args()
    os.environ.update(UNTHROTTLED_ENV)
    with bench_environment("http_profile", 9):
        import redis
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

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
            queries = []  # (a wrapper: the request's start clears connection.queries_log)

            def record(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(record):
                client.get(path, HTTP_AUTHORIZATION=f"Bearer {tokens[0]}")
            after = redis_calls(server)
            sent = {
                name.removeprefix("cmdstat_"): after[name] - before.get(name, 0)
                for name in after
                if after[name] != before.get(name, 0) and name != "cmdstat_info"
            }
            cpu, wall = time.process_time(), time.perf_counter()
            for number in range(args.requests):
                client.get(path, HTTP_AUTHORIZATION=f"Bearer {tokens[number % len(tokens)]}")
            cpu = (time.process_time() - cpu) / args.requests * 1000
            wall = (time.perf_counter() - wall) / args.requests * 1000
            print(f"\n=== {path}: CPU {cpu:.2f} ms per request (wall {wall:.2f} ms)")
            print(f"  {len(queries)} queries, Redis: {sent}")
            for sql in queries:
                print(f"  SQL: {sql[:300]}")
            if args.no_profile:
                continue
            profiler = cProfile.Profile()
            began = time.perf_counter()
            profiler.enable()
            for number in range(args.requests):
                client.get(path, HTTP_AUTHORIZATION=f"Bearer {tokens[number % len(tokens)]}")
            profiler.disable()
            elapsed = (time.perf_counter() - began) / args.requests * 1000
            print(f"--- profiled: {elapsed:.2f} ms per request (wall, with the profiler's overhead)")
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top + 15)
            print(out.getvalue())


if __name__ == "__main__":
    main()

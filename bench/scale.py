"""Data at 100k users (issue 15 §2): seeding, the periodic jobs, and the read endpoints that rank
everybody, at 1k and at 100k users in one run.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/scale.py all

``all`` makes two databases on DATABASE_URL's server (``<name>_bench_scale_1k`` and
``<name>_bench_scale_100k``, kept afterwards so a rerun can skip seeding with ``--reuse``), seeds
them with ``seed_demo --jobs 2``, measures the endpoints over HTTP (gunicorn in the production
profile, one server per database, started the same way) and then times each periodic job on the
big one. Each step also runs alone:

    bench/scale.py seed --database NAME --users 100000    # (re)make NAME and time seed_demo
    bench/scale.py http --small NAME --big NAME          # p50 of each endpoint on both, and the ratio
    bench/scale.py jobs --database NAME                  # time and peak RSS of each periodic job

``jobs`` first gives the data work to do (it changes the database): due task reminders on 1% of
the open tasks, one goal in 20 quiet for 8 days, last week's copy of this week's participations (so the
weekly reset has a week to finalize and rank), and half of the notifications read and old enough
to purge. Each job runs as ``manage.py runjob NAME`` in its own process, timed, its peak RSS read
from the kernel (``wait4``).
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from live_stack import free_port, gunicorn_command, start_server, stop, wait_until_healthy  # noqa: E402

PYTHON = sys.executable
ENDPOINTS = (
    ("challenge leaders", "/api/challenges/leaders"),
    ("global leaderboard, week", "/api/study-sessions/leaderboards/global?period=weekly"),
    ("global leaderboard, month", "/api/study-sessions/leaderboards/global?period=monthly"),
    ("global leaderboard, all time", "/api/study-sessions/leaderboards/global?period=all_time"),
    ("/api/stats", "/api/stats"),
    ("group leaderboard", "/api/study-sessions/leaderboards/group/{group}"),
)
JOBS = (
    "weekly_reset",
    "recompute_streaks",
    "recompute_focus_totals",
    "task_reminders",
    "goal_reminders",
    "purge_old_notifications",
)


def database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("set DATABASE_URL (PostgreSQL, a role that may create databases) and REDIS_URL")
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def environment(name: str) -> dict:
    """The production profile on database ``name`` (what the servers and commands run with)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "learnflow.settings",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database_url(name),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "EMAIL_URL": os.environ.get("EMAIL_URL", "dummymail://"),
        "PYTHONUNBUFFERED": "1",
    }


def sql(name: str, statement: str, params=()) -> list:
    import psycopg

    with psycopg.connect(database_url(name), autocommit=True) as connection:
        cursor = connection.execute(statement, params or None)
        return cursor.fetchall() if cursor.description else []


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def timed(command: list[str], env: dict) -> dict:
    """Run ``command``; its wall time, CPU time (its own and its children's) and peak RSS."""
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return {
        "seconds": time.perf_counter() - began,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "output": output.strip(),
    }


def postgres_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL server's processes (its backends come and go, so
    this reads the postmaster's children as they are; the seed's backends run until it ends)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            if comm.startswith("postgres"):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / os.sysconf(
                    "SC_CLK_TCK"
                )
        except OSError:
            continue
    return total


# --- seed ----------------------------------------------------------------------------------------


def seed(name: str, users: int, jobs: int) -> dict:
    sql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sql("postgres", f'CREATE DATABASE "{name}"')
    env = environment(name)
    timed([PYTHON, "manage.py", "migrate", "-v0"], env)
    before, pg_before = load(), postgres_cpu()
    result = timed([PYTHON, "manage.py", "seed_demo", "--users", str(users), "--seed", "1", "--jobs", str(jobs)], env)
    result.update(load_before=before, load_after=load(), postgres_cpu=postgres_cpu() - pg_before, users=users)
    print(
        f"seed_demo --users {users} --jobs {jobs}: {result['seconds']:.0f} s wall, "
        f"{result['cpu']:.0f} CPU s in the command (workers included), about {result['postgres_cpu']:.0f} CPU s "
        f"in PostgreSQL; {result['load_before']} before, {result['load_after']} after"
    )
    print(result["output"])
    return result


# --- http ----------------------------------------------------------------------------------------


def _request(connection, path: str, token: str) -> float:
    began = time.perf_counter()
    connection.request("GET", path, headers={"Host": "127.0.0.1", "Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return (time.perf_counter() - began) * 1000


def _caller(name: str) -> tuple[str, str]:
    """The first demo user who leads a group (and so is ranked in it), and that group."""
    rows = sql(
        name,
        "SELECT u.username, m.group_id FROM accounts_user u JOIN community_membership m ON m.user_id = u.id "
        "WHERE u.email LIKE '%@demo.learnflow.test' AND m.role = 'leader' ORDER BY u.username LIMIT 1",
    )
    return rows[0][0], str(rows[0][1])


def measure_http(name: str, requests: int, port: int) -> dict:
    username, group = _caller(name)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST",
        "/api/token/",
        body=json.dumps({"username": username, "password": "learnflow-demo"}),
        headers={"Host": "127.0.0.1", "Content-Type": "application/json"},
    )
    answer = connection.getresponse()
    token = json.loads(answer.read())["access"]
    p50 = {}
    for label, path in ENDPOINTS:
        path = path.format(group=group)
        for _ in range(10):
            _request(connection, path, token)
        p50[label] = statistics.median(_request(connection, path, token) for _ in range(requests))
    connection.close()
    return p50


def http_compare(small: str, big: str, requests: int) -> dict:
    """Serve both databases with gunicorn (the same command, one worker with two threads each) and
    measure each endpoint on both, one after the other, in one run."""
    servers, ports = [], {}
    logs = Path(os.environ.get("TMPDIR", "/tmp"))
    try:
        for name in (small, big):
            port = free_port()
            log = logs / f"bench-scale-{name}.log"
            server = start_server(gunicorn_command(port), environment(name), log)
            servers.append(server)
            wait_until_healthy(port, server, log)
            ports[name] = port
        figures = {name: measure_http(name, requests, ports[name]) for name in (small, big)}
    finally:
        for server in servers:
            stop(server)
    counts = {name: sql(name, "SELECT count(*) FROM accounts_user")[0][0] for name in (small, big)}
    print(f"\nHTTP p50 in ms, {requests} requests each, gunicorn 1 worker x 2 threads; {load()}")
    print(f"| endpoint | {counts[small]:,} users | {counts[big]:,} users | ratio (target <= 2) |")
    print("| --- | --- | --- | --- |")
    for label, _ in ENDPOINTS:
        a, b = figures[small][label], figures[big][label]
        print(f"| {label} | {a:.1f} | {b:.1f} | {b / a:.2f} |")
    return figures


# --- jobs ----------------------------------------------------------------------------------------


def prepare_jobs(name: str) -> None:
    """Give each job work to do at this scale (see the module's docstring)."""
    sql(name, "UPDATE tasks_task SET reminder_enabled = false WHERE reminder_enabled AND reminder_sent_at IS NULL")
    sql(
        name,
        "UPDATE tasks_task SET reminder_enabled = true, reminder_time = now() - interval '5 minutes', "
        "reminder_sent_at = NULL WHERE completed = false AND abs(hashtext(id::text)) % 100 = 0",
    )
    sql(name, "UPDATE tasks_goal SET last_reminded_at = now() WHERE last_reminded_at IS NULL")
    sql(
        name,
        "UPDATE tasks_goal SET created_at = now() - interval '8 days', last_progress_at = NULL, "
        "last_reminded_at = NULL WHERE abs(hashtext(id::text)) % 20 = 0",
    )
    sql(
        name,
        "INSERT INTO challenges_weeklychallenge (id, challenge_id, week_start, created_at, updated_at) "
        "SELECT gen_random_uuid(), challenge_id, week_start - 7, now(), now() FROM challenges_weeklychallenge w "
        "WHERE NOT EXISTS (SELECT 1 FROM challenges_weeklychallenge o "
        "WHERE o.challenge_id = w.challenge_id AND o.week_start = w.week_start - 7) "
        "AND week_start = (SELECT max(week_start) FROM challenges_weeklychallenge)",
    )
    sql(
        name,
        "INSERT INTO challenges_participation (id, user_id, weekly_challenge_id, progress, status, points_earned, "
        "created_at, updated_at) SELECT gen_random_uuid(), p.user_id, last.id, 0, 'in_progress', 0, now(), now() "
        "FROM challenges_participation p JOIN challenges_weeklychallenge w ON w.id = p.weekly_challenge_id "
        "JOIN challenges_weeklychallenge last ON last.challenge_id = w.challenge_id "
        "AND last.week_start = w.week_start - 7 ON CONFLICT DO NOTHING",
    )
    sql(
        name,
        "UPDATE accounts_notification SET read_at = now() - interval '400 days', "
        "created_at = now() - interval '400 days' WHERE abs(hashtext(id::text)) % 2 = 0",
    )


def time_jobs(name: str, only: list[str] | None = None) -> dict:
    prepare_jobs(name)
    env = environment(name)
    users = sql(name, "SELECT count(*) FROM accounts_user")[0][0]
    print(f"\nperiodic jobs on {users:,} users, one process each (manage.py runjob); {load()}")
    print("| job | seconds | CPU s | peak RSS (MiB) | result |")
    print("| --- | --- | --- | --- | --- |")
    results = {}
    for job in only or JOBS:
        result = timed([PYTHON, "manage.py", "runjob", job], env)
        results[job] = result
        answer = result["output"].splitlines()[-1] if result["output"] else ""
        print(
            f"| {job} | {result['seconds']:.1f} | {result['cpu']:.1f} | {result['peak_rss_mib']:.0f} | {answer} |",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    seed_parser = sub.add_parser("seed")
    seed_parser.add_argument("--database", required=True)
    seed_parser.add_argument("--users", type=int, default=100_000)
    seed_parser.add_argument("--jobs", type=int, default=2)
    http_parser = sub.add_parser("http")
    http_parser.add_argument("--small", required=True)
    http_parser.add_argument("--big", required=True)
    http_parser.add_argument("--requests", type=int, default=200)
    jobs_parser = sub.add_parser("jobs")
    jobs_parser.add_argument("--database", required=True)
    jobs_parser.add_argument("--only", nargs="+", choices=JOBS, help="time these jobs only")
    all_parser = sub.add_parser("all")
    all_parser.add_argument("--small-users", type=int, default=1_000)
    all_parser.add_argument("--big-users", type=int, default=100_000)
    all_parser.add_argument("--requests", type=int, default=200)
    all_parser.add_argument("--reuse", action="store_true", help="keep the databases a previous run seeded")
    args = parser.parse_args()
    if args.command == "seed":
        seed(args.database, args.users, args.jobs)
    elif args.command == "http":
        http_compare(args.small, args.big, args.requests)
    elif args.command == "jobs":
        time_jobs(args.database, args.only)
    else:
        prefix = urlsplit(database_url("x")).path and urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
        small, big = f"{prefix}_bench_scale_1k", f"{prefix}_bench_scale_100k"
        if not args.reuse:
            seed(small, args.small_users, 2)
            seed(big, args.big_users, 2)
        http_compare(small, big, args.requests)
        time_jobs(big)


if __name__ == "__main__":
    main()

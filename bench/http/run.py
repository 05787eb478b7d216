"""HTTP benchmark: LearnFlow's endpoints over HTTP, each as a ratio to a ceiling measured in the same run.

It makes its own database on the PostgreSQL server DATABASE_URL names (``<name>_bench_http``, dropped
at the end) and uses Redis database 10 of REDIS_URL's server, migrates, seeds it with
``manage.py seed_demo --users USERS --seed 7`` (then ``VACUUM ANALYZE``, as a database in use would
have its statistics), mints an access token for every demo user (directly,
not over the throttled login), and starts gunicorn in the production profile (``DJANGO_DEBUG=0``,
PostgreSQL, the Redis cache; ``bench/live_stack.py``'s ``gunicorn_bench_command``: WORKERS workers of
THREADS threads, ``sync`` with one thread, else ``gthread``). The same server routes
``/bench/ceiling`` (``LEARNFLOW_BENCH_CEILING=1``): a bare Django JSON view behind the same middleware,
without authentication, database or DRF, the fastest any endpoint could answer on this stack here.
The server's throttles are raised out of reach (their environment variables), so none limits the
benchmark.

wrk (``-t2 -c8`` by default, DURATION seconds each, after a short warm-up of each endpoint) measures
every endpoint with the Lua scripts beside this file, each request as the next of the thread's users.
Endpoints and the ceiling are measured alternately (ceiling, endpoint, ceiling, endpoint, ... ,
ceiling), ROUNDS times, and each endpoint's ratio is its req/s over the mean of the two ceiling runs
around it, so a change of load on a shared machine hits both sides of a ratio alike. Reported per
endpoint: req/s, p50 and p99 latency, the ratio (median over the rounds) and failed requests (wrk's
non-2xx answers and socket errors). Writes ``bench/RESULTS.md``: the machine, the commit, the
settings, the load average around the run and the table, as its own section (between its markers):
the rest of the file (the load benchmark's section, the hand-written "What each change gained") is
left as it was.

    DATABASE_URL=postgres://learnflow@127.0.0.1:5432/learnflow REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/http/run.py [--users 200] [--duration 8] [--rounds 1] \\
        [--workers 2] [--threads 1] [--only tasks,challenges-week] [--no-write]
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from live_stack import (  # noqa: E402
    ROOT,
    access_token,
    analyze_database,
    bench_environment,
    free_port,
    gunicorn_bench_command,
    start_server,
    stop,
    wait_until_healthy,
)

WRK = os.environ.get("WRK", "/usr/bin/wrk")
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION_BEGIN, SECTION_END = "<!-- http:begin -->", "<!-- http:end -->"
REDIS_DB = 10
CEILING = ("ceiling", "get.lua", {"BENCH_PATH": "/bench/ceiling"})

#: name, script, its environment: every endpoint of issue 15 §1 that exists.
ENDPOINTS = [
    ("GET /api/tasks/?page_size=10", "get.lua", {"BENCH_PATH": "/api/tasks/?page_size=10"}),
    ("GET /api/goals/?page_size=10", "get.lua", {"BENCH_PATH": "/api/goals/?page_size=10"}),
    ("GET /api/summary/weekly/", "get.lua", {"BENCH_PATH": "/api/summary/weekly/"}),
    ("GET /api/summary/monthly/1", "get.lua", {"BENCH_PATH": "/api/summary/monthly/1"}),
    ("GET /api/challenges/week", "get.lua", {"BENCH_PATH": "/api/challenges/week"}),
    ("GET /api/challenges/leaders", "get.lua", {"BENCH_PATH": "/api/challenges/leaders"}),
    (
        "GET /api/study-sessions/leaderboards/global?period=weekly",
        "get.lua",
        {"BENCH_PATH": "/api/study-sessions/leaderboards/global?period=weekly"},
    ),
    ("GET /api/stats", "get.lua", {"BENCH_PATH": "/api/stats"}),
    ("GET /api/community/posts", "get.lua", {"BENCH_PATH": "/api/community/posts"}),
    ("GET /api/messages/conversations", "get.lua", {"BENCH_PATH": "/api/messages/conversations"}),
    ("GET /api/dashboard", "get.lua", {"BENCH_PATH": "/api/dashboard"}),
    ("POST /api/tasks/", "post.lua", {"BENCH_KIND": "task"}),
    ("POST /api/focus-sessions/start + complete", "focus.lua", {}),
    ("POST /api/community/posts/{id}/like", "post.lua", {"BENCH_KIND": "like"}),
]

#: Every throttle rate the settings read from the environment, out of reach for the benchmark.
UNTHROTTLED = dict.fromkeys(
    (
        "LEARNFLOW_LOGIN_RATE_IP", "LEARNFLOW_LOGIN_RATE_USERNAME", "LEARNFLOW_REGISTER_RATE",
        "LEARNFLOW_GROUP_JOIN_RATE", "LEARNFLOW_DATA_EXPORT_RATE", "LEARNFLOW_ACCOUNT_DELETE_RATE",
        "LEARNFLOW_PROGRESS_RATE_FREE", "LEARNFLOW_PROGRESS_RATE_PREMIUM", "LEARNFLOW_AI_RATE_FREE",
        "LEARNFLOW_AI_RATE_PREMIUM",
    ),
    "1000000/s",
)  # fmt: skip


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def seed(users: int, directory: Path) -> Path:
    """Seed the demo data, mint every demo user's access token; the Lua data file naming them."""
    from django.core.management import call_command

    from accounts.models import User
    from community.models import Post

    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", users=users, seed=7, stdout=quiet)
    analyze_database()
    demo = list(User.objects.filter(username__startswith="demo").order_by("username"))
    posts = [str(pk) for pk in Post.objects.values_list("pk", flat=True)]
    lines = ["return {", "  users = {"]
    lines += [f'    {{ id = "{user.pk}", token = "{access_token(user)}" }},' for user in demo]
    lines += ["  },", "  posts = {", *(f'    "{pk}",' for pk in posts), "  },", "}"]
    data = directory / "data.lua"
    data.write_text("\n".join(lines) + "\n")
    return data


def stop_running_timers() -> None:
    """End the timers a previous focus run left running (wrk stops mid-conversation), so every user
    can start one again."""
    from django.db.models import F

    from focus.choices import SessionStatus
    from focus.models import StudySession

    StudySession.objects.filter(status=SessionStatus.ACTIVE).update(
        status=SessionStatus.STOPPED, ended_at=F("started_at"), duration_seconds=0
    )


def wrk(port: int, script: str, env: dict, *, seconds: int, threads: int, connections: int) -> dict:
    """One wrk run; its figures (requests, req/s, p50 / p99 in ms, failed requests)."""
    if script == "focus.lua":
        stop_running_timers()
    run_env = {**os.environ, **env, "BENCH_THREADS": str(threads)}
    command = [
        WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
        "-s", str(HERE / script), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    out = subprocess.run(command, env=run_env, capture_output=True, text=True, check=True, timeout=seconds + 60)
    if env.get("BENCH_KIND") == "task":
        # The tasks it made would fill the users' first pages in the next round's list.
        from tasks.models import Task

        Task.objects.filter(title="Bench task").delete()
    found = re.search(r"^WRK_RESULT (\{.*\})$", out.stdout, re.MULTILINE)
    if not found:
        raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(found.group(1))
    failed = sum(raw[key] for key in ("connect", "read", "write", "status", "timeout"))
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "failed": failed,
    }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    cpu = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpu if "model name" in line), platform.processor())
    memory_gib = int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2
    return f"{model}, {os.cpu_count()} cores, {memory_gib:.1f} GiB RAM, {platform.system()} {platform.release()}"


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    changed = [line for line in git("status", "--porcelain").splitlines() if not line.endswith("bench/RESULTS.md")]
    return git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if changed else "")


def measure(port: int, endpoints: list, args) -> tuple[dict, dict]:
    """Warm every endpoint up, then ROUNDS rounds of ceiling / endpoint / ceiling / ...; per endpoint,
    the runs and the ratio of each run to the mean of the ceiling runs around it."""
    options = {"threads": args.wrk_threads, "connections": args.connections}
    for name, script, env in [CEILING, *endpoints]:
        wrk(port, script, env, seconds=args.warmup, **options)
        print(f"warmed up {name}", flush=True)
    runs: dict[str, list[dict]] = {name: [] for name, _, _ in endpoints}
    ceilings: list[dict] = []
    for number in range(args.rounds):
        before = wrk(port, *CEILING[1:], seconds=args.duration, **options)
        ceilings.append(before)
        for name, script, env in endpoints:
            result = wrk(port, script, env, seconds=args.duration, **options)
            after = wrk(port, *CEILING[1:], seconds=args.duration, **options)
            ceilings.append(after)
            result["ratio"] = result["rps"] / statistics.fmean((before["rps"], after["rps"]))
            runs[name].append(result)
            print(
                f"round {number + 1}: {name}: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, "
                f"p99 {result['p99']:.1f} ms, {result['ratio']:.1%} of the ceiling "
                f"({before['rps']:.0f} / {after['rps']:.0f}), {result['failed']} failed",
                flush=True,
            )
            before = after
    return runs, {"runs": ceilings}


def table(runs: dict, ceiling: dict) -> list[str]:
    def median(results: list[dict], key: str) -> float:
        return statistics.median(result[key] for result in results)

    ceilings = ceiling["runs"]
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | ratio to the ceiling | failed |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| ceiling (`/bench/ceiling`, {len(ceilings)} runs; min-max {min(c['rps'] for c in ceilings):,.0f}-"
        f"{max(c['rps'] for c in ceilings):,.0f}) | {median(ceilings, 'rps'):,.0f} | {median(ceilings, 'p50'):.1f} | "
        f"{median(ceilings, 'p99'):.1f} | 100 % | {sum(c['failed'] for c in ceilings)} |",
    ]
    for name, results in runs.items():
        ratios = sorted(result["ratio"] for result in results)
        spread = f" ({ratios[0]:.1%}-{ratios[-1]:.1%})" if len(ratios) > 1 else ""
        lines.append(
            f"| `{name}` | {median(results, 'rps'):,.0f} | {median(results, 'p50'):.1f} | "
            f"{median(results, 'p99'):.1f} | **{statistics.median(ratios):.1%}**{spread} | "
            f"{sum(result['failed'] for result in results)} |"
        )
    return lines


def write_results(path: Path, runs: dict, ceiling: dict, settings: dict) -> None:
    """Replace this benchmark's section of ``path`` (between its markers; made if missing), leaving
    every other section (the load benchmark's, the hand-written "What each change gained") as it was."""
    lines = [
        "## HTTP endpoints against the ceiling",
        "",
        "Written by `bench/http/run.py` (see `bench/README.md`); each ratio is an endpoint's req/s over the",
        "ceiling's (a bare Django JSON view served by the same gunicorn) measured around it in the same run.",
        "Compare ratios, not absolute figures, across runs and machines.",
        "",
        f"- run: {settings['when']}",
        f"- machine: {settings['machine']}",
        f"- commit: {settings['commit']}",
        f"- load average (1/5/15 min) before / after: {settings['load_before']} / {settings['load_after']}",
        f"- server: `{settings['server']}` (production profile: `DJANGO_DEBUG=0`, PostgreSQL, Redis cache; "
        "throttles raised out of reach; no access log)"
        + (f"; environment: `{settings['env']}`" if settings["env"] else ""),
        f"- load: `wrk -t{settings['wrk_threads']} -c{settings['connections']} -d{settings['duration']}s` per run, "
        f"{settings['rounds']} round(s), after a {settings['warmup']} s warm-up of each endpoint",
        f"- data: `seed_demo --users {settings['users']} --seed 7` ({settings['data']}); each request is the next "
        "of the wrk thread's users, each with its own access token",
        "",
        *table(runs, ceiling),
        "",
        "The ratio is the median over the rounds (the range in brackets when there are several). `failed`:",
        "non-2xx answers and socket errors. `POST /api/focus-sessions/start + complete` alternates both",
        "requests per user; its sessions end at once, so `complete` records them as stopped (too early to",
        "count), without the activity that a counted completion feeds (challenges, streaks).",
        "",
    ]
    block = f"{SECTION_BEGIN}\n" + "\n".join(lines).rstrip() + f"\n{SECTION_END}\n"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if SECTION_BEGIN in text:
        head, rest = text.split(SECTION_BEGIN, 1)
        text = head + block + "\n" + rest.split(SECTION_END, 1)[1].lstrip("\n")
    else:
        title, _, rest = text.partition("\n")
        text = f"{title}\n\n{block}\n{rest.lstrip()}"
    path.write_text(text.rstrip() + "\n")


def data_shape() -> str:
    from accounts.models import User
    from community.models import Message, Post
    from focus.models import StudySession
    from tasks.models import Goal, Progress, Task

    counts = {
        "users": User.objects.count(),
        "tasks": Task.objects.count(),
        "goals": Goal.objects.count(),
        "progress entries": Progress.objects.count(),
        "study sessions": StudySession.objects.count(),
        "posts": Post.objects.count(),
        "messages": Message.objects.count(),
    }
    return ", ".join(f"{value:,} {key}" for key, value in counts.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200, help="demo users to seed (default 200)")
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per endpoint (default 2)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds over every endpoint (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker; 1: sync, more: gthread")
    parser.add_argument("--keepalive", type=int, default=2, help="gunicorn --keep-alive seconds (gthread only)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c (default 8)")
    parser.add_argument("--only", default="", help="comma-separated words; endpoints whose name has one of them")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="an environment variable for the server"
    )
    parser.add_argument("--no-write", action="store_true", help="print only, leave bench/RESULTS.md alone")
    args = parser.parse_args()
    endpoints = ENDPOINTS
    if args.only:
        words = [word.strip() for word in args.only.split(",") if word.strip()]
        endpoints = [endpoint for endpoint in ENDPOINTS if any(word in endpoint[0] for word in words)]
    if not Path(WRK).exists():
        raise SystemExit(f"wrk not found at {WRK} (set WRK)")

    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp, bench_environment("http", REDIS_DB) as env:
        directory = Path(tmp)
        data = seed(args.users, directory)
        shape = data_shape()
        print(f"seeded: {shape}", flush=True)
        port = free_port()
        command = gunicorn_bench_command(port, workers=args.workers, threads=args.threads, keepalive=args.keepalive)
        server_env = {
            **env,
            **UNTHROTTLED,
            "LEARNFLOW_BENCH_CEILING": "1",
            "BENCH_DATA": str(data),
            **dict(item.split("=", 1) for item in args.env),
        }
        log = directory / "gunicorn.log"
        server = start_server(command, server_env, log)
        os.environ["BENCH_DATA"] = str(data)
        try:
            wait_until_healthy(port, server, log)
            began = time.monotonic()
            runs, ceiling = measure(port, endpoints, args)
            print(f"measured in {time.monotonic() - began:.0f} s", flush=True)
        finally:
            stop(server)
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line or "ERROR" in line]
        if errors:
            print("the server logged errors:\n" + log.read_text()[-4000:], flush=True)
    settings = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "commit": commit(),
        "load_before": load_before,
        "load_after": load_average(),
        "server": " ".join(Path(part).name if part.startswith("/") else part for part in command),
        "wrk_threads": args.wrk_threads,
        "connections": args.connections,
        "duration": args.duration,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "users": args.users,
        "data": shape,
        "env": " ".join(args.env),
    }
    print("\n".join(table(runs, ceiling)))
    print(f"load average before / after: {settings['load_before']} / {settings['load_after']}")
    if not args.no_write:
        write_results(RESULTS, runs, ceiling, settings)
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Load and capacity of the production profile (issue 15, section 3): SPA-like mixed traffic from
``bench/load/locustfile.py`` (locust, headless) against gunicorn and a Celery worker on PostgreSQL and
Redis, all on this machine.

It makes its own database (``<DATABASE_URL's name>_bench_load``, dropped at the end) and uses Redis
database 9, migrates, seeds users with ``manage.py seed_demo`` (the production password hasher: each
sign-in costs a full Argon2id hash), starts gunicorn as the Dockerfile runs it (``--workers 3 --threads 2
--keep-alive 5``, the access log on) and ``celery worker --concurrency=2`` as docker-compose.yml does, and runs locust
against them. Only this benchmark's servers relax the sign-in throttles (``LEARNFLOW_LOGIN_RATE_*``):
every simulated user signs in from 127.0.0.1.

Modes:

- ``--smoke``: 10 users for 30 s; exits non-zero on any error (the test gate runs it).
- ``--soak``: 50 users for 5 minutes; the target is 0 errors (else it exits non-zero) and p99 < 400 ms.
- ``--capacity``: steps of 50, 100, 200, 400, 800, 1600 users, each measured for ``--step-seconds``
  after its ramp and sign-ins; stops at the knee, the first step whose p99 exceeds 400 ms or that had
  an error.

Per step it reports req/s, p50, p99, errors, the CPU of gunicorn, PostgreSQL, Redis, the worker and
locust (percent of one core), the machine's whole CPU (so the share of other processes shows), and the
most PostgreSQL connections seen. Soak and capacity write their figures into ``bench/RESULTS.md``,
between this benchmark's markers.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/load/run.py --capacity
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import live_stack

ROOT = live_stack.ROOT
REDIS_DB = 9
PASSWORD = "learnflow-demo"
P99_LIMIT_MS = 400
RESULTS = ROOT / "bench" / "RESULTS.md"
LOGGED_ERROR = re.compile(r"Traceback|\b(ERROR|CRITICAL)\b")
SECTION_BEGIN, SECTION_END = "<!-- load-and-capacity:begin -->", "<!-- load-and-capacity:end -->"
MODES = {
    "smoke": {"steps": [10], "seconds": 30, "spawn_rate": 2},
    "soak": {"steps": [50], "seconds": 300, "spawn_rate": 2},
    "capacity": {"steps": [50, 100, 200, 400, 800, 1600], "seconds": 60, "spawn_rate": 4},
}
# Only this benchmark's servers get these: every simulated user signs in from 127.0.0.1.
BENCH_ENV = {
    "LEARNFLOW_LOGIN_RATE_IP": "1000000/hour",
    "LEARNFLOW_LOGIN_RATE_USERNAME": "1000000/hour",
    "EMAIL_URL": "consolemail://",
    "OPENAI_API_KEY": "",
}


# --- CPU accounting from /proc ----------------------------------------------------------------------
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def _children_of() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                children.setdefault(int(_stat_fields(int(entry))[1]), []).append(int(entry))
    return children


def tree_cpu_seconds(root: int, children: dict[int, list[int]]) -> float:
    """CPU seconds of a process, of the children it has reaped (PostgreSQL's backends that closed,
    gunicorn's restarted workers) and of its live descendants."""
    total, stack = 0.0, [root]
    with contextlib.suppress(OSError):
        fields = _stat_fields(root)
        total += (int(fields[13]) + int(fields[14])) / CLOCK_TICKS  # cutime, cstime of reaped children
    while stack:
        pid = stack.pop()
        with contextlib.suppress(OSError):
            fields = _stat_fields(pid)
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        stack.extend(children.get(pid, ()))
    return total


def machine_busy_seconds() -> float:
    """CPU seconds every core has spent busy (all processes), from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS


class Sampler(threading.Thread):
    """Once a second: CPU seconds so far of each role and of the machine, and PostgreSQL's connections."""

    def __init__(self, roots: dict[str, int], redis_client, database_url: str):
        super().__init__(daemon=True)
        self.roots, self.redis, self.database_url = roots, redis_client, database_url
        self.samples: list[dict] = []
        self.halt = threading.Event()

    def sample(self, connection) -> dict:
        children = _children_of()
        point = {"t": time.time(), "machine": machine_busy_seconds()}
        for role, pid in self.roots.items():
            point[role] = tree_cpu_seconds(pid, children)
        info = self.redis.info("cpu")
        point["redis"] = info["used_cpu_user"] + info["used_cpu_sys"]
        row = connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity"
            " WHERE backend_type = 'client backend'"
        ).fetchone()
        point["pg_connections"], point["pg_active"] = row
        return point

    def run(self):
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            while not self.halt.is_set():
                self.samples.append(self.sample(connection))
                self.halt.wait(1.0)

    def window(self, start: float, end: float) -> dict:
        """Each role's CPU over [start, end] as percent of one core; the most connections seen."""
        inside = [s for s in self.samples if start <= s["t"] <= end]
        if len(inside) < 2:
            return {}
        first, last = inside[0], inside[-1]
        seconds = last["t"] - first["t"]
        cpu = {role: 100 * (last[role] - first[role]) / seconds for role in (*self.roots, "redis", "machine")}
        cpu["others"] = cpu["machine"] - sum(cpu[role] for role in (*self.roots, "redis"))
        cpu["pg_connections_max"] = max(s["pg_connections"] for s in inside)
        cpu["pg_active_max"] = max(s["pg_active"] for s in inside)
        return cpu


def postmaster_pid(database_url: str) -> int:
    """PostgreSQL's postmaster is the parent of every backend, this connection's too."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        return int(_stat_fields(backend)[1])


def redis_pid(redis_client) -> int:
    return int(redis_client.info("server")["process_id"])


# --- the run ----------------------------------------------------------------------------------------
def gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    """The Dockerfile's command (docker-compose.yml's ``web``), on a loopback port."""
    return [
        str(live_stack.BIN / "gunicorn"), "learnflow.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads), "--access-logfile", "-", "--timeout", "30",
        "--keep-alive", "5", "--no-control-socket",
    ]  # fmt: skip


def worker_command() -> list[str]:
    return [str(live_stack.BIN / "celery"), "-A", "learnflow", "worker", "--loglevel=INFO", "--concurrency=2"]


def run_locust(
    url: str, steps: list[int], seconds: float, args, env: dict, report: Path, log: Path
) -> subprocess.Popen:
    locust_env = {
        **env,
        "LOAD_USERS": str(args.seed_users),
        "LOAD_PASSWORD": PASSWORD,
        "LOAD_STEPS": ",".join(map(str, steps)),
        "LOAD_STEP_SECONDS": str(seconds),
        "LOAD_SETTLE_SECONDS": str(args.settle_seconds),
        "LOAD_SPAWN_RATE": str(args.spawn_rate),
        "LOAD_P99_LIMIT_MS": str(P99_LIMIT_MS),
        "LOAD_REPORT": str(report),
    }
    command = [
        str(live_stack.BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
        "--host", url, "--loglevel", "WARNING", "--only-summary", "--exit-code-on-error", "1",
        "--stop-timeout", "10",
    ]  # fmt: skip
    with log.open("w") as out:
        locust = subprocess.Popen(command, cwd=ROOT, env=locust_env, stdout=out, stderr=subprocess.STDOUT)
    return locust


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    for name in MODES:
        mode.add_argument(f"--{name}", dest="mode", action="store_const", const=name)
    parser.add_argument("--steps", help="users per step, comma-separated (default: the mode's)")
    parser.add_argument("--step-seconds", type=float, help="seconds measured per step (default: the mode's)")
    parser.add_argument("--settle-seconds", type=float, default=10, help="after a step's ramp, before measuring")
    parser.add_argument("--spawn-rate", type=float, help="users started per second (default: the mode's)")
    parser.add_argument("--seed-users", type=int, help="seeded users (default: the largest step)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (the Dockerfile's: 3)")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker (the Dockerfile's: 2)")
    parser.add_argument(
        "--results", type=Path, help="write the figures here (default: bench/RESULTS.md for soak and capacity)"
    )
    parser.add_argument("--no-results", action="store_true", help="write no results file")
    parser.add_argument("--keep-logs", type=Path, help="copy the servers' and locust's logs into this directory")
    args = parser.parse_args()
    defaults = MODES[args.mode]
    args.steps = [int(s) for s in args.steps.split(",")] if args.steps else defaults["steps"]
    args.step_seconds = args.step_seconds or defaults["seconds"]
    args.spawn_rate = args.spawn_rate or defaults["spawn_rate"]
    args.seed_users = args.seed_users or max(args.steps)
    if args.results is None and not args.no_results and args.mode != "smoke":
        args.results = RESULTS
    return args


def main() -> int:
    args = parse_args()
    import redis

    live_stack.raise_open_files_limit(4096 + 2 * max(args.steps))
    load_before = os.getloadavg()
    with (
        tempfile.TemporaryDirectory(prefix="learnflow-load-") as tmp,
        live_stack.bench_environment("load", REDIS_DB) as env,
    ):
        tmp = Path(tmp)
        env = {**env, **BENCH_ENV, "LEARNFLOW_VAR_DIR": str(tmp / "var")}
        env.pop("JWT_ACCESS_MINUTES", None)  # the production lifetime (15 minutes): the SPA refreshes
        os.environ.update(env)
        from django.core.management import call_command

        started = time.monotonic()
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", users=args.seed_users, password=PASSWORD, seed=1, stdout=quiet)
        live_stack.analyze_database()
        seeded_in = time.monotonic() - started
        print(f"seeded {args.seed_users} users in {seeded_in:.0f} s", flush=True)

        port = live_stack.free_port()
        logs = {name: tmp / f"{name}.log" for name in ("gunicorn", "worker", "locust")}
        web = live_stack.start_server(gunicorn_command(port, args.workers, args.threads), env, logs["gunicorn"])
        worker = live_stack.start_server(worker_command(), env, logs["worker"])
        locust = None
        try:
            live_stack.wait_until_healthy(port, web, logs["gunicorn"])
            redis_client = redis.Redis.from_url(env["REDIS_URL"])
            roots = {"web": web.pid, "db": postmaster_pid(env["DATABASE_URL"]), "worker": worker.pid}
            report = tmp / "steps.jsonl"
            report.touch()
            locust = run_locust(
                f"http://127.0.0.1:{port}", args.steps, args.step_seconds, args, env, report, logs["locust"]
            )
            roots["locust"] = locust.pid
            sampler = Sampler(roots, redis_client, env["DATABASE_URL"])
            sampler.start()
            print(f"{args.mode}: steps {args.steps}, {args.step_seconds:.0f} s measured each", flush=True)
            seen = 0
            while locust.poll() is None:
                time.sleep(1)
                seen = print_new_steps(report, sampler, seen)
            sampler.halt.set()
            sampler.join()
            seen = print_new_steps(report, sampler, seen)
            steps = [json.loads(line) for line in report.read_text().splitlines()]
            for step in steps:
                step["cpu"] = sampler.window(step["measure_started"], step["measure_ended"])
            failed = check(args, steps, locust.returncode, logs)
            if args.results:
                write_results(args, steps, load_before, seeded_in)
            if args.keep_logs:
                args.keep_logs.mkdir(parents=True, exist_ok=True)
                for log in logs.values():
                    (args.keep_logs / log.name).write_bytes(log.read_bytes())
            return 1 if failed else 0
        finally:
            for process in (locust, worker, web):
                if process is not None and process.poll() is None:
                    live_stack.stop(process)


def print_new_steps(report: Path, sampler: Sampler, seen: int) -> int:
    lines = report.read_text().splitlines()
    for line in lines[seen:]:
        step = json.loads(line)
        cpu = sampler.window(step["measure_started"], step["measure_ended"])
        print(format_step(step, cpu), flush=True)
    return len(lines)


def format_step(step: dict, cpu: dict) -> str:
    parts = [
        f"{step['users']:>5} users: {step['rps']:6.1f} req/s, p50 {step['p50_ms']} ms, p99 {step['p99_ms']} ms,"
        f" errors {step['failures_step']}"
    ]
    if cpu:
        parts.append(
            "CPU % of a core: "
            + ", ".join(f"{role} {cpu[role]:.0f}" for role in ("web", "db", "redis", "worker", "locust", "others"))
            + f"; PostgreSQL connections max {cpu['pg_connections_max']} ({cpu['pg_active_max']} active)"
        )
    if step.get("ramp_sign_in"):
        ramp = step["ramp_sign_in"]
        parts.append(f"{ramp['count']} sign-ins in the ramp: p50 {ramp['p50_ms']} ms, p99 {ramp['p99_ms']} ms")
    if step["knee"]:
        parts.append("KNEE")
    for sample, count in step["failure_samples"].items():
        parts.append(f"\n    {count} x {sample}")
    return "; ".join(parts)


def check(args, steps: list[dict], returncode: int, logs: dict) -> bool:
    """Whether the run failed: for smoke and soak, any error or a missing report; locust's own code."""
    failed = False
    if not steps:
        print("no step completed; locust's log:\n" + logs["locust"].read_text()[-5000:], file=sys.stderr)
        return True
    if args.mode in ("smoke", "soak"):
        step = steps[0]
        if step["failures_step"] or returncode:
            print(f"{args.mode}: FAILED: {step['failures_step']} error(s), locust exited {returncode}", file=sys.stderr)
            print(logs["locust"].read_text()[-5000:], file=sys.stderr)
            failed = True
        if step["signed_in"] < step["users"]:
            print(f"{args.mode}: FAILED: only {step['signed_in']} of {step['users']} users signed in", file=sys.stderr)
            failed = True
        if args.mode == "soak" and step["p99_ms"] is not None and step["p99_ms"] >= P99_LIMIT_MS:
            print(f"soak: p99 {step['p99_ms']} ms, over the {P99_LIMIT_MS} ms target", file=sys.stderr)
        # An error logged while answering a request or running a job does not always show as a 5xx.
        for role in ("gunicorn", "worker"):
            logged = [line for line in logs[role].read_text().splitlines() if LOGGED_ERROR.search(line)]
            if logged:
                print(f"{args.mode}: FAILED: the {role} logged errors:", *logged[:20], sep="\n  ", file=sys.stderr)
                print(f"---------- {role} log (last 100 lines)", *logs[role].read_text().splitlines()[-100:], sep="\n")
                failed = True
    return failed


# --- bench/RESULTS.md ---------------------------------------------------------------------------------
def git_commit() -> str:
    with contextlib.suppress(Exception):
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()
    return "unknown"


def cpu_model() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def step_rows(steps: list[dict], mark_knee: bool = True) -> list[str]:
    rows = [
        "| users | req/s | p50 ms | p99 ms | errors | CPU % of one core: web / PostgreSQL / Redis / worker / locust"
        " / other processes | PostgreSQL connections (active) | sign-ins in the ramp: p50 / p99 ms |",
        "| ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for step in steps:
        cpu = step.get("cpu") or {}
        load = (
            " / ".join(f"{cpu[role]:.0f}" for role in ("web", "db", "redis", "worker", "locust", "others"))
            if cpu
            else "n/a"
        )
        connections = f"{cpu['pg_connections_max']} ({cpu['pg_active_max']})" if cpu else "n/a"
        ramp = step.get("ramp_sign_in")
        sign_ins = f"{ramp['p50_ms']} / {ramp['p99_ms']} ({ramp['count']})" if ramp else "n/a"
        mark = " **knee**" if step["knee"] and mark_knee else ""
        figures = (
            f"{step['users']}{mark}",
            f"{step['rps']:.1f}",
            step["p50_ms"],
            step["p99_ms"],
            step["failures_step"],
        )
        rows.append("| " + " | ".join(str(cell) for cell in (*figures, load, connections, sign_ins)) + " |")
    return rows


def slowest_endpoints(step: dict, count: int = 5) -> str:
    ranked = sorted(step["endpoints"].items(), key=lambda item: -(item[1]["p99_ms"] or 0))[:count]
    return ", ".join(f"`{name}` {figures['p99_ms']} ms" for name, figures in ranked)


def write_results(args, steps: list[dict], load_before: tuple, seeded_in: float) -> None:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {args.mode.capitalize()} ({now}, commit {git_commit()})",
        "",
        f"`bench/load/run.py --{args.mode}"
        + (f" --steps {','.join(map(str, args.steps))}" if args.steps != MODES[args.mode]["steps"] else "")
        + (f" --workers {args.workers}" if args.workers != 3 else "")
        + (f" --threads {args.threads}" if args.threads != 2 else "")
        + "`: "
        f"{cpu_model()}, {os.cpu_count()} cores; gunicorn {args.workers} workers x {args.threads} threads"
        f" (gthread), a Celery worker (concurrency 2), PostgreSQL, Redis and locust on the same machine;"
        f" {args.seed_users} users seeded by seed_demo in {seeded_in:.0f} s; think time 1.5-2.5 s;"
        f" {args.step_seconds:.0f} s measured per step after its ramp ({args.spawn_rate:g} users/s) and"
        f" {args.settle_seconds:.0f} s settling; load average before the run"
        f" {load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f}.",
        "",
        *step_rows(steps, mark_knee=args.mode == "capacity"),
        "",
    ]
    for step in steps:
        if args.mode != "capacity":
            errors, p99 = step["failures_step"], step["p99_ms"]
            lines.append(
                f"Targets: 0 errors ({'met' if not errors else f'missed: {errors}'}), p99 < {P99_LIMIT_MS} ms"
                f" ({'met' if p99 is not None and p99 < P99_LIMIT_MS else f'missed: {p99} ms'});"
                f" slowest p99: {slowest_endpoints(step)}."
            )
        elif step["knee"]:
            lines.append(f"Knee at {step['users']} users; slowest p99 there: {slowest_endpoints(step)}.")
        for sample, count in step["failure_samples"].items():
            lines.append(f"- {step['users']} users, {count} x `{sample}`")
    if args.mode == "capacity" and steps and not any(step["knee"] for step in steps):
        lines.append(f"No knee up to {steps[-1]['users']} users; slowest p99 there: {slowest_endpoints(steps[-1])}.")
    # One block per mode and server shape, so a run with other workers or threads sits beside the default's.
    shape = "" if (args.workers, args.threads) == (3, 2) else f"-{args.workers}x{args.threads}"
    update_section(args.results, args.mode + shape, "\n".join(lines).rstrip() + "\n")
    print(f"wrote {args.results}", flush=True)


def update_section(path: Path, mode: str, body: str) -> None:
    """Replace this mode's block inside the load-and-capacity section of ``path`` (made if missing),
    leaving every other section of the file as it was."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if SECTION_BEGIN not in text:
        text = text.rstrip() + f"\n\n{SECTION_BEGIN}\n## Load and capacity\n\n{SECTION_END}\n"
    head, rest = text.split(SECTION_BEGIN, 1)
    section, tail = rest.split(SECTION_END, 1)
    begin, end = f"<!-- load:{mode}:begin -->", f"<!-- load:{mode}:end -->"
    block = f"{begin}\n{body}{end}\n"
    if begin in section:
        before, after = section.split(begin, 1)
        rest = after.split(end, 1)[1].lstrip("\n")
        section = before + block + (f"\n{rest}" if rest else "")
    else:
        section = section.rstrip() + "\n\n" + block
    path.write_text(head + SECTION_BEGIN + section.rstrip("\n") + "\n" + SECTION_END + tail)


if __name__ == "__main__":
    sys.exit(main())

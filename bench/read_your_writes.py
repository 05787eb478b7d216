"""Benchmark: what read-your-writes costs the writes that feed derived numbers.

Times three writes over real HTTP, REQUESTS times each, against gunicorn in the production profile
(``DJANGO_DEBUG=0``, PostgreSQL, Redis cache and broker):

* ``POST /api/focus-sessions/{id}/complete`` (a completed timer focus session),
* ``POST /api/study-sessions/`` (a session logged by hand),
* ``PUT /api/tasks/{id}`` with ``{"completed": true}``,

for two trees of this repository in one run: BEFORE, a git revision (by default 0680dde, the last
one where the derived rows were only refreshed by jobs queued after commit) exported into a
temporary directory, and AFTER, this checkout as it is (the user's rows refreshed in the request).
Both run from the same virtualenv against the same servers, each with its own database (created and
migrated by its own tree, dropped at the end) and its own Redis database (13 and 14). No Celery
worker runs: queued jobs only land on the broker, so each side is timed as the user waits for it.

Each side gets one user with HISTORY_DAYS past days of timed focus sessions who joined every
challenge of the week (the seed's three and a task challenge, their targets raised out of reach, so
none completes during the run and each focus or task completion moves one). A 1-minute timer
completed at once is a completed session, since ``LEARNFLOW_FOCUS_GRACE_SECONDS`` is 60. The sides
are timed in alternating rounds of CHUNK requests, so drift on a busy machine hits both alike; the
ratio AFTER / BEFORE is the figure to compare. Run it against a PostgreSQL server with the default
durability (``fsync`` and ``synchronous_commit`` on): the sides commit different numbers of
transactions.

It needs running PostgreSQL and Redis servers (scripts/test.sh shows how to start both on loopback
ports); DATABASE_URL names a role that may create databases:

    DATABASE_URL=postgres://learnflow@127.0.0.1:5432/learnflow REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/read_your_writes.py --requests 200
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

#: The last revision whose activity handlers only queued jobs (before read-your-writes).
JOBS_ONLY_REVISION = "0680dde"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from learnflow.benchmarking import percentile, timed  # noqa: E402

USERNAME = "bench-writes"
PASSWORD = secrets.token_urlsafe(16)
SIDES = ("before", "after")

SETUP = """
from datetime import datetime, time, timedelta, timezone as tz
from django.utils import timezone
from accounts.models import User
from challenges.models import Challenge
from focus.models import StudySession

user = User.objects.create_user(username={username!r}, email="bench-writes@bench.invalid", password={password!r})
Challenge.objects.filter(is_active=True, is_weekly=True).update(target_value=1_000_000)
Challenge.objects.create(
    name="Bench tasks", description="Complete tasks", points=50, challenge_type="task", target_value=1_000_000
)
today = timezone.now().date()
sessions = []
for back in range(1, {days} + 1):
    began = datetime.combine(today - timedelta(days=back), time(9), tzinfo=tz.utc)
    sessions.append(StudySession(
        user=user, session_type="focus", topic="history", started_at=began, local_date=began.date(),
        ended_at=began + timedelta(minutes=25), planned_duration=25, duration_seconds=25 * 60,
        status="completed", source="timer", verified=True,
    ))
StudySession.objects.bulk_create(sessions)
"""


class Api:
    """An HTTP client of one gunicorn, sending JSON with the bench user's token (a connection per
    request, as an idle keep-alive connection may be closed by the server while the other side runs)."""

    def __init__(self, port: int):
        self.port = port
        self.token = ""

    def request(self, method: str, path: str, body=None, expect: int = 200):
        headers = {"Content-Type": "application/json", "Host": "127.0.0.1", "Connection": "close"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        if response.status != expect:
            raise RuntimeError(f"{method} {path} on port {self.port}: {response.status} {raw[:300]!r}")
        return json.loads(raw) if raw else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path))


def export_tree(revision: str, into: Path) -> Path:
    """The files of ``revision``, exported (no checkout, so no git metadata to clean up)."""
    tree = into / "before"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision], check=True, capture_output=True
    ).stdout
    archive_path = into / "before.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(tree, filter="data")
    return tree


def side_env(database_url: str, redis_url: str, var_dir: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "LEARNFLOW_VAR_DIR": str(var_dir),
        "LEARNFLOW_FOCUS_GRACE_SECONDS": "60",
        "JWT_ACCESS_MINUTES": "240",
    }


def recreate_database(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis(url: str) -> None:
    redis.Redis.from_url(url).flushdb()


def prepare(tree: Path, env: dict, history_days: int) -> None:
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=tree, env=env, check=True)
    code = SETUP.format(username=USERNAME, password=PASSWORD, days=history_days)
    subprocess.run([python, "manage.py", "shell", "-c", code], cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)


def serve(tree: Path, env: dict, port: int, log: Path) -> subprocess.Popen:
    """gunicorn as in docker-compose.yml, with one worker (the bench sends one request at a time)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "learnflow.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--threads", "2", "--timeout", "30"]
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until_healthy(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} did not become healthy")


def sign_in_and_join(api: Api) -> None:
    api.token = api.request("POST", "/api/token/", {"username": USERNAME, "password": PASSWORD})["access"]
    for challenge in api.request("GET", "/api/challenges/week"):
        api.request("POST", f"/api/challenges/{challenge['id']}/join")


def writes(api: Api) -> dict:
    """Each write as ``(setup, call)``: ``setup()`` prepares untimed what ``call`` then writes."""

    def start_timer():
        return api.request("POST", "/api/focus-sessions/start", {"duration_minutes": 1}, expect=201)["session_id"]

    def complete_timer(session_id):
        assert api.request("POST", f"/api/focus-sessions/{session_id}/complete")["status"] == "completed"

    def new_task():
        return api.request("POST", "/api/tasks/", {"title": "Bench task"}, expect=201)["id"]

    def complete_task(task_id):
        assert api.request("PUT", f"/api/tasks/{task_id}", {"completed": True})["completed"] is True

    def log_session(_):
        api.request("POST", "/api/study-sessions/", {"topic": "Bench", "duration_minutes": 30}, expect=201)

    return {
        "POST /api/focus-sessions/{id}/complete": (start_timer, complete_timer),
        "POST /api/study-sessions/": (lambda: None, log_session),
        "PUT /api/tasks/{id} (complete)": (new_task, complete_task),
    }


def measure(apis: dict[str, Api], requests: int, chunk: int, warm_up: int) -> dict[str, dict[str, list[float]]]:
    """Timings in ms by write and side, taken in alternating rounds of ``chunk`` requests per side."""
    plans = {side: writes(api) for side, api in apis.items()}
    samples: dict[str, dict[str, list[float]]] = {}
    for write in plans["after"]:
        samples[write] = {side: [] for side in SIDES}
        for side in SIDES:
            setup, call = plans[side][write]
            timed(call, warm_up, setup=setup)
        for done in range(0, requests, chunk):
            for side in SIDES:
                setup, call = plans[side][write]
                samples[write][side] += timed(call, min(chunk, requests - done), setup=setup)
    return samples


def print_table(samples: dict[str, dict[str, list[float]]], requests: int) -> None:
    print(f"\n{requests} requests per write and side; gunicorn 1 worker x 2 threads; one client")
    print(f"  {'write':<40} {'side':<7} {'p50 ms':>8} {'p99 ms':>8} {'p50 ratio':>10} {'p99 ratio':>10}")
    for write, by_side in samples.items():
        base50, base99 = percentile(by_side["before"], 50), percentile(by_side["before"], 99)
        for side in SIDES:
            p50, p99 = percentile(by_side[side], 50), percentile(by_side[side], 99)
            print(f"  {write:<40} {side:<7} {p50:>8.2f} {p99:>8.2f} {p50 / base50:>9.2f}x {p99 / base99:>9.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=JOBS_ONLY_REVISION, help=f"git revision of BEFORE ({JOBS_ONLY_REVISION})")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per write and side")
    parser.add_argument("--chunk", type=int, default=25, help="requests per side before switching sides")
    parser.add_argument("--warm-up", type=int, default=10, help="untimed requests per write and side first")
    parser.add_argument("--history-days", type=int, default=60)
    args = parser.parse_args()
    admin_url, redis_base = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not admin_url.startswith("postgres") or not redis_base.startswith("redis"):
        parser.error("set DATABASE_URL (PostgreSQL) and REDIS_URL to running servers")
    revision = args.before
    database = urlsplit(admin_url).path.lstrip("/") or "learnflow"
    servers: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="bench-ryw-") as temp:
        temp = Path(temp)
        trees = {"before": export_tree(revision, temp), "after": ROOT}
        apis: dict[str, Api] = {}
        try:
            for number, side in enumerate(SIDES):
                name = f"{database}_bench_{side}"
                recreate_database(admin_url, name)
                redis_url = with_path(redis_base, f"/{13 + number}")
                flush_redis(redis_url)
                env = side_env(with_path(admin_url, f"/{name}"), redis_url, temp / f"var-{side}")
                print(f"{side}: {'revision ' + revision[:10] if side == 'before' else 'this checkout'}", flush=True)
                prepare(trees[side], env, args.history_days)
                port = free_port()
                servers.append(serve(trees[side], env, port, temp / f"gunicorn-{side}.log"))
                wait_until_healthy(port, servers[-1])
                apis[side] = Api(port)
                sign_in_and_join(apis[side])
            samples = measure(apis, args.requests, args.chunk, args.warm_up)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
            for number, side in enumerate(SIDES):
                recreate_database(admin_url, f"{database}_bench_{side}", drop_only=True)
                flush_redis(with_path(redis_base, f"/{13 + number}"))
    print_table(samples, args.requests)


if __name__ == "__main__":
    main()

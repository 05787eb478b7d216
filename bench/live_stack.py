"""What the benchmarks of a live stack share (``rooms_fanout.py``, ``ws_idle.py``, ``upload.py``): a
database of their own on the PostgreSQL server DATABASE_URL names, made afresh and dropped at the
end, a Redis database of their own, Django set up on them in the production profile
(``DJANGO_DEBUG=0``, the Redis channel layer), users with access tokens, and the servers (uvicorn
for ``learnflow.asgi``, gunicorn for HTTP) as docker-compose.yml runs them, each in its own process
on a free loopback port.
"""

import contextlib
import http.client
import json
import os
import resource
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path))


def raise_open_files_limit(needed: int) -> int:
    """Raise this process's soft limit on open files (the servers started later inherit it) to at
    least ``needed`` if the hard limit allows; returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


@contextlib.contextmanager
def bench_environment(name: str, redis_db: int) -> Iterator[dict]:
    """Make the database ``<DATABASE_URL's name>_bench_<name>`` afresh and empty Redis database
    ``redis_db``, point this process's environment at them in the production profile, set Django up
    and migrate; yields the environment (for the servers). Drops the database and empties Redis after."""
    import psycopg
    import redis

    admin_url, redis_base = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not admin_url.startswith("postgres") or not redis_base.startswith("redis"):
        raise SystemExit("set DATABASE_URL (PostgreSQL, a role that may create databases) and REDIS_URL")
    database = f"{urlsplit(admin_url).path.lstrip('/') or 'learnflow'}_bench_{name}"
    redis_url = with_path(redis_base, f"/{redis_db}")

    def reset(create: bool) -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            if create:
                connection.execute(f'CREATE DATABASE "{database}"')
        redis.Redis.from_url(redis_url).flushdb()

    reset(create=True)
    env = {
        "DJANGO_SETTINGS_MODULE": "learnflow.settings",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": with_path(admin_url, f"/{database}"),
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_URL": redis_url,
        "CHANNEL_LAYER_PREFIX": f"bench-{name}",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "JWT_ACCESS_MINUTES": "240",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    try:
        call_command("migrate", verbosity=0)
        yield dict(os.environ)
    finally:
        from django.db import connections

        connections.close_all()
        reset(create=False)


def analyze_database() -> None:
    """``VACUUM ANALYZE`` the bench's database after seeding it: a freshly bulk-loaded database has no
    planner statistics and no visibility map yet, and autovacuum would make both during the first
    minute of measuring, beside the server and with the plans changing under it. A database in use
    has both."""
    from django.db import connection

    with connection.cursor() as cursor:  # (autocommit: VACUUM cannot run in a transaction)
        cursor.execute("VACUUM ANALYZE")


def make_users(prefix: str, count: int) -> list:
    """``count`` users (``<prefix>0`` ...) with unusable passwords; they sign in by token."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    password = make_password(None)
    User.objects.bulk_create(
        User(username=f"{prefix}{n}", email=f"{prefix}{n}@bench.invalid", password=password) for n in range(count)
    )
    return list(User.objects.filter(username__startswith=prefix).order_by("pk"))


def access_token(user) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return str(AccessToken.for_user(user))


def start_server(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def uvicorn_command(port: int) -> list[str]:
    """uvicorn as docker-compose.yml's ``asgi`` service runs it, as one process (no ``--workers``)."""
    return [
        str(BIN / "uvicorn"), "learnflow.asgi:application", "--host", "127.0.0.1", "--port", str(port),
        "--lifespan", "off", "--ws-max-size", "1048576", "--timeout-graceful-shutdown", "5",
    ]  # fmt: skip


def gunicorn_command(port: int, workers: int = 1) -> list[str]:
    return [
        str(BIN / "gunicorn"), "learnflow.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", "2", "--timeout", "30", "--no-control-socket",
    ]  # fmt: skip


def gunicorn_bench_command(port: int, *, workers: int = 2, threads: int = 1, keepalive: int = 2) -> list[str]:
    """gunicorn for the HTTP benchmark (``bench/http/run.py``): a fixed number of workers and
    threads per worker, the worker class named outright (``sync`` with one thread, ``gthread``
    otherwise: only gthread keeps client connections alive between requests, for ``keepalive``
    seconds), no access log (production writes one to stdout; here it would measure the disk)."""
    return [
        str(BIN / "gunicorn"), "learnflow.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads),
        "--worker-class", "sync" if threads == 1 else "gthread", "--keep-alive", str(keepalive),
        "--timeout", "30", "--no-control-socket",
    ]  # fmt: skip


def wait_until_healthy(port: int, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {server.returncode}:\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not become healthy:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def post_json(port: int, path: str, token: str) -> dict:
    """``POST path`` with the token; the decoded answer (a non-2xx raises)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST", path, headers={"Host": "127.0.0.1", "Authorization": f"Bearer {token}", "Connection": "close"}
        )
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    if not 200 <= response.status < 300:
        raise RuntimeError(f"POST {path}: {response.status} {raw[:300]!r}")
    return json.loads(raw)


def process_status(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` (peak RSS) of a process, in KiB, from ``/proc/<pid>/status``."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

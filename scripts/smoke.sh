#!/usr/bin/env bash
# The production smoke stage. LearnFlow installed from requirements.txt alone (what the Dockerfile
# installs) into .venv-prod, with production settings, runs its production roles on PostgreSQL and
# Redis: migrate, collectstatic, gunicorn, uvicorn (the ASGI server for WebSockets), a Celery worker
# and celery beat; scripts/smoke.py drives them over loopback HTTP and real WebSockets (a focus room's
# phase takes its whole minute to end by itself). scripts/test.sh runs it after the suite, on its
# servers; `make smoke` runs it alone, starting PostgreSQL and Redis itself unless DATABASE_URL /
# REDIS_URL name running ones.
# It works in its own database (learnflow_smoke, made afresh beside the one DATABASE_URL names) and
# its own Redis database (15), stops every process it started, and on failure prints their logs.
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
cd "$(dirname "$0")/.."
source scripts/lib.sh

PROD_VENV="${PROD_VENV:-.venv-prod}"
SMOKE_DATABASE=learnflow_smoke
SMOKE_REDIS_DB=15

tmp="$(mktemp -d -t learnflow-smoke.XXXXXX)"
chmod 755 "$tmp"
roles=()
logs=()

stop_roles() {
  local pid deadline
  for pid in "${roles[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + 20))
  for pid in "${roles[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

cleanup() {
  local status=$?
  # Everything below runs whatever fails on the way: the processes and servers must always go.
  set +e
  [ -z "${collectstatic:-}" ] || kill -TERM "$collectstatic" 2>/dev/null || true
  stop_roles
  if [ "$status" != 0 ]; then
    echo "smoke: FAILED; the logs of what it ran follow" >&2
    for log in "${logs[@]}"; do
      [ -f "$log" ] || continue
      echo "---------- $(basename "$log") (last 200 lines)" >&2
      tail -n 200 "$log" >&2
    done
  fi
  services_stop "$tmp"
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_role NAME COMMAND...: run a production role in the background, its output in NAME.log.
start_role() {
  local name="$1"
  shift
  "$@" >"$tmp/$name.log" 2>&1 &
  roles+=($!)
  logs+=("$tmp/$name.log")
}

# run_logged NAME COMMAND...: run a one-off command, its output in NAME.log.
run_logged() {
  local name="$1"
  shift
  logs+=("$tmp/$name.log")
  "$@" >"$tmp/$name.log" 2>&1
}

# with_path URL PATH: URL with its path replaced (another database on the same server).
with_path() {
  "$PY" -c 'import sys; from urllib.parse import urlsplit; print(urlsplit(sys.argv[1])._replace(path=sys.argv[2]).geturl())' "$1" "$2"
}

echo "== smoke: $PROD_VENV from requirements.txt alone"
ensure_venv requirements.txt "$PROD_VENV"
"$PY" -m pip check

started=$SECONDS
services_start "$tmp"

# The production profile, as the Dockerfile and docker-compose.yml set it, on a plain-HTTP loopback
# stack; no AI key, so summaries come from the offline summarizer.
export PYTHONUNBUFFERED=1 DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_SECURE_PROXY_SSL_HEADER=0
export DJANGO_STATIC_ROOT="$tmp/static"
export LEARNFLOW_VAR_DIR="$tmp/var"
export EMAIL_URL=consolemail:// OPENAI_API_KEY=
unset CELERY_BROKER_URL

server_database_url="$DATABASE_URL"
DATABASE_URL="$(with_path "$DATABASE_URL" "/$SMOKE_DATABASE")"
REDIS_URL="$(with_path "$REDIS_URL" "/$SMOKE_REDIS_DB")"
export DATABASE_URL REDIS_URL
"$PY" - "$server_database_url" "$SMOKE_DATABASE" <<'EOF'
import sys

import psycopg

server_url, name = sys.argv[1:]
with psycopg.connect(server_url, autocommit=True) as connection:
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.execute(f'CREATE DATABASE "{name}"')
EOF
"$PY" -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()'

echo "== smoke: migrate and collectstatic (manifest storage), side by side"
logs+=("$tmp/collectstatic.log")
"$PY" manage.py collectstatic --noinput >"$tmp/collectstatic.log" 2>&1 &
collectstatic=$!
run_logged migrate "$PY" manage.py migrate --noinput
# The task_reminders schedule that migrate installed runs every minute, counted from its install: mark
# it last run a day ago (as after downtime), so beat sends it as soon as it starts.
run_logged schedule "$PY" manage.py shell -c '
from datetime import timedelta
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
due = PeriodicTask.objects.filter(name="task_reminders", enabled=True)
assert due.update(last_run_at=timezone.now() - timedelta(days=1)) == 1, "no enabled task_reminders schedule"
'
wait "$collectstatic"
collectstatic=""

port="$(free_port)"
base_url="http://127.0.0.1:$port"
asgi_port="$(free_port)"
while [ "$asgi_port" = "$port" ]; do asgi_port="$(free_port)"; done
asgi_url="http://127.0.0.1:$asgi_port"
echo "== smoke: gunicorn on $base_url, uvicorn on $asgi_url, a Celery worker [$((SECONDS - started))s]"
start_role gunicorn "$PROD_VENV/bin/gunicorn" learnflow.wsgi:application --bind "127.0.0.1:$port" \
  --workers 2 --threads 2 --access-logfile - --timeout 30 --control-socket "$tmp/gunicorn.ctl"
start_role uvicorn "$PROD_VENV/bin/uvicorn" learnflow.asgi:application --host 127.0.0.1 --port "$asgi_port" \
  --workers 2 --lifespan off --ws-max-size 1048576 --timeout-graceful-shutdown 5
start_role worker "$PROD_VENV/bin/celery" -A learnflow worker --loglevel=INFO --concurrency=2
"$PY" scripts/smoke.py web "$base_url" "$tmp/state.json"

echo "== smoke: WebSockets on uvicorn (/ws/notifications/) [$((SECONDS - started))s]"
"$PY" scripts/smoke.py live "$base_url" "$tmp/state.json" --asgi-url "$asgi_url" --asgi-log "$tmp/uvicorn.log"

# Before beat starts: the end of the room's phase can only come from the job its start scheduled.
echo "== smoke: a focus room over HTTP and WebSockets, its phase ended by the worker [$((SECONDS - started))s]"
"$PY" scripts/smoke.py rooms "$base_url" "$tmp/state.json" --asgi-url "$asgi_url" --worker-log "$tmp/worker.log"

echo "== smoke: celery beat (DatabaseScheduler) [$((SECONDS - started))s]"
start_role beat "$PROD_VENV/bin/celery" -A learnflow beat --loglevel=INFO
"$PY" scripts/smoke.py beat "$base_url" "$tmp/state.json"

# An error logged while answering a request or running a job does not always show as a 5xx.
if grep -n -E 'Traceback|\b(ERROR|CRITICAL)\b' "${logs[@]}" >&2; then
  echo "smoke: errors were logged (above)" >&2
  exit 1
fi
echo "== smoke: passed in $((SECONDS - started))s (venv build aside)"

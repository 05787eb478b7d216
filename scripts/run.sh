#!/usr/bin/env bash
# Install LearnFlow into .venv and run it on the embedded default (or on whatever DATABASE_URL /
# REDIS_URL say): migrate, make sure a local admin exists, then serve http://127.0.0.1:${PORT:-8000}
# and its WebSockets (ws://127.0.0.1:${PORT:-8000}/ws/) with uvicorn, one process, so the in-memory
# channel layer carries the web process's events to its sockets; a Celery worker and its embedded beat
# run beside it. uvicorn does not reload on code changes: restart it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_venv requirements.txt
"$PY" manage.py migrate --noinput
"$PY" manage.py ensure_demo_admin

"$VENV/bin/celery" -A learnflow worker --beat --loglevel=INFO --concurrency=2 &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM

echo "LearnFlow: http://127.0.0.1:${PORT:-8000}/api/docs/  (admin at /admin/, WebSockets at /ws/)"
"$VENV/bin/uvicorn" learnflow.asgi:application --host 127.0.0.1 --port "${PORT:-8000}" --lifespan off \
  --ws-max-size 1048576

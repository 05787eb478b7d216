#!/usr/bin/env bash
# Install LearnFlow into .venv and run it on the embedded default (or on whatever DATABASE_URL /
# REDIS_URL say): migrate, make sure a local admin exists, then serve http://127.0.0.1:${PORT:-8000}
# with a Celery worker and its embedded beat running beside the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_venv requirements.txt
"$PY" manage.py migrate --noinput
"$PY" manage.py ensure_demo_admin

"$VENV/bin/celery" -A learnflow worker --beat --loglevel=INFO --concurrency=2 &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM

echo "LearnFlow: http://127.0.0.1:${PORT:-8000}/api/docs/  (admin at /admin/)"
"$PY" manage.py runserver "127.0.0.1:${PORT:-8000}"

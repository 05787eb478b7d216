#!/usr/bin/env bash
# The whole test gate, as CI runs it. Installs the dev dependencies into .venv; installs Debian's
# postgresql and redis-server, and chromium and chromium-driver (the end-to-end tests' browser), when
# they are missing; starts both on free loopback ports in a
# temporary directory (unless DATABASE_URL / REDIS_URL point at running servers); runs pip check,
# ruff, the migration, deploy and schema checks and the whole pytest suite in parallel, then the
# production smoke stage (scripts/smoke.sh; SMOKE=0 skips it) and the load smoke (bench/load/run.py
# --smoke; LOAD_SMOKE=0 skips it); stops the servers.
# Extra arguments go to pytest, e.g. `scripts/test.sh accounts -k avatar`.
set -euo pipefail
# runuser and the database tools live in sbin, which a minimal PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_venv requirements-dev.txt

tmp="$(mktemp -d -t learnflow-test.XXXXXX)"
chmod 755 "$tmp"
cleanup() {
  set +e
  services_stop "$tmp"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
services_start "$tmp"
browser_ensure

export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export DJANGO_DEBUG=0
export LEARNFLOW_VAR_DIR="$tmp/var"

echo "== pip check (.venv)"
"$PY" -m pip check
echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "== migrations"
"$PY" manage.py makemigrations --check --dry-run
echo "== deploy check (production settings)"
DJANGO_ALLOWED_HOSTS=learnflow.example.com "$PY" manage.py check --deploy --fail-level WARNING
echo "== OpenAPI schema"
"$PY" manage.py spectacular --validate --fail-on-warn >/dev/null
echo "== pytest"
export DJANGO_SECURE_SSL_REDIRECT=0
export DJANGO_ALLOWED_HOSTS="testserver,localhost,127.0.0.1"
"$VENV/bin/pytest" -n "${PYTEST_WORKERS:-auto}" "$@"
# After the suite: a failing test names the broken rule, where the smoke stage could only show a 500
# and a log; the smoke stage then proves what the suite cannot see (requirements.txt alone, gunicorn,
# a separate worker and beat, collected static files).
if [ "${SMOKE:-1}" != 0 ]; then
  echo "== production smoke (scripts/smoke.sh)"
  bash scripts/smoke.sh
fi
# Load smoke: 10 SPA-like users for 30 s (bench/load/locustfile.py) against gunicorn and a Celery worker
# in the production profile, in a database of its own on these servers; any failed request or logged
# error fails the gate. LOAD_SMOKE=0 skips it (and SMOKE=0 skips both smoke stages unless LOAD_SMOKE=1).
if [ "${LOAD_SMOKE:-${SMOKE:-1}}" != 0 ]; then
  echo "== load smoke (bench/load/run.py --smoke)"
  "$PY" bench/load/run.py --smoke
fi

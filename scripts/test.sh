#!/usr/bin/env bash
# The whole test gate, as CI runs it. Installs the dev dependencies into .venv; installs Debian's
# postgresql and redis-server when they are missing; starts both on free loopback ports in a
# temporary directory (unless DATABASE_URL / REDIS_URL point at running servers); runs ruff, the
# migration, deploy and schema checks and the whole pytest suite in parallel; stops the servers.
# Extra arguments go to pytest, e.g. `scripts/test.sh accounts -k avatar`.
set -euo pipefail
# runuser and the database tools live in sbin, which a minimal PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
cd "$(dirname "$0")/.."
source scripts/lib.sh

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

missing=()
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
[ -n "${DATABASE_URL:-}" ] || [ -x "$pg_bin/pg_ctl" ] || missing+=(postgresql)
[ -n "${REDIS_URL:-}" ] || command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian's packages"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi

ensure_venv requirements-dev.txt

tmp="$(mktemp -d -t learnflow-test.XXXXXX)"
chmod 755 "$tmp"
as_pg=()
cleanup() {
  if [ -f "$tmp/pg/postmaster.pid" ]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -f "$tmp/redis.pid" ]; then
    kill "$(cat "$tmp/redis.pid")" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [ -z "${DATABASE_URL:-}" ]; then
  pg_port="$(free_port)"
  mkdir -p "$tmp/pg"
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: run it as Debian's postgres user.
    chown postgres "$tmp/pg"
    as_pg=(runuser -u postgres --)
  fi
  "${as_pg[@]}" "$pg_bin/initdb" -D "$tmp/pg" -U learnflow --auth=trust -E UTF8 --no-locale >/dev/null
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $pg_port -k $tmp/pg -c fsync=off -c synchronous_commit=off \
     -c full_page_writes=off -c max_connections=200" start >/dev/null
  "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U learnflow learnflow
  export DATABASE_URL="postgres://learnflow@127.0.0.1:$pg_port/learnflow"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
fi

if [ -z "${REDIS_URL:-}" ]; then
  redis_port="$(free_port)"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --dir "$tmp" --pidfile "$tmp/redis.pid" --logfile "$tmp/redis.log"
  for _ in $(seq 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$redis_port/0"
  echo "Redis $(redis-server --version | awk '{print $3}') on 127.0.0.1:$redis_port"
fi

export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export DJANGO_DEBUG=0
export LEARNFLOW_VAR_DIR="$tmp/var"

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

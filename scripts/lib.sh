# Shared by scripts/run.sh, scripts/test.sh and scripts/smoke.sh: find Python 3.11, keep a virtualenv
# in step with a requirements file (reinstalling only when that file, or one it includes, changed),
# start PostgreSQL and Redis for the tests and the smoke stage, and install the browser of the
# end-to-end tests.

VENV="${VENV:-.venv}"

find_python() {
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "LearnFlow needs Python 3.11 (python3.11 on PATH)." >&2
  return 1
}

# A requirements file and every file it includes with -r / --requirement, recursively, one a line.
requirements_closure() {
  local file="$1" included
  echo "$file"
  while read -r included; do
    requirements_closure "$(dirname "$file")/$included"
  done < <(sed -n -E 's/^[[:space:]]*(-r|--requirement)[[:space:]=]+([^[:space:]#]+).*/\2/p' "$file")
}

# ensure_venv REQUIREMENTS [DIR]: the virtualenv DIR (default $VENV) with REQUIREMENTS installed; the
# stamp is the hash of the files it really installs, so editing requirements-dev.txt leaves a venv
# built from requirements.txt alone untouched. Sets PY to its python.
ensure_venv() {
  local requirements="$1" venv="${2:-$VENV}" stamp digest
  if [ ! -x "$venv/bin/python" ]; then
    "$(find_python)" -m venv "$venv"
  fi
  stamp="$venv/.installed-$(basename "$requirements" .txt)"
  digest="$(requirements_closure "$requirements" | while read -r file; do cat "$file"; done | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$digest" >"$stamp"
  fi
  PY="$venv/bin/python"
}

free_port() {
  "$(find_python)" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_bin=""
as_pg=()

# services_start DIR: unless DATABASE_URL / REDIS_URL already name running servers, install Debian's
# postgresql / redis-server when missing and start them on free loopback ports with their data
# under DIR; exports DATABASE_URL and REDIS_URL. services_stop DIR stops what it started there.
services_start() {
  local dir="$1" sudo="" missing=() pg_port redis_port
  [ "$(id -u)" = 0 ] || sudo="sudo"
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "${DATABASE_URL:-}" ] || [ -x "$pg_bin/pg_ctl" ] || missing+=(postgresql)
  [ -n "${REDIS_URL:-}" ] || command -v redis-server >/dev/null || missing+=(redis-server)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} from Debian's packages"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  fi

  if [ -z "${DATABASE_URL:-}" ]; then
    pg_port="$(free_port)"
    mkdir -p "$dir/pg"
    if [ "$(id -u)" = 0 ]; then
      # PostgreSQL refuses to run as root: run it as Debian's postgres user.
      chown postgres "$dir/pg"
      as_pg=(runuser -u postgres --)
    fi
    "${as_pg[@]}" "$pg_bin/initdb" -D "$dir/pg" -U learnflow --auth=trust -E UTF8 --no-locale >/dev/null
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -w -o \
      "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir/pg -c fsync=off -c synchronous_commit=off \
       -c full_page_writes=off -c max_connections=200" start >/dev/null
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U learnflow learnflow
    export DATABASE_URL="postgres://learnflow@127.0.0.1:$pg_port/learnflow"
    echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
  fi

  if [ -z "${REDIS_URL:-}" ]; then
    redis_port="$(free_port)"
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 50); do
      redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
    export REDIS_URL="redis://127.0.0.1:$redis_port/0"
    echo "Redis $(redis-server --version | awk '{print $3}') on 127.0.0.1:$redis_port"
  fi
}

services_stop() {
  local dir="$1"
  if [ -f "$dir/pg/postmaster.pid" ]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  fi
}

# browser_ensure: Debian's chromium and chromium-driver (the headless browser and the WebDriver of the
# end-to-end tests, driven by Selenium), installed with apt-get when either command is missing. The
# tests fail without them: they are never skipped.
browser_ensure() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "installing chromium chromium-driver from Debian's packages"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends chromium chromium-driver
  fi
  echo "$(chromium --version 2>/dev/null | head -n 1); $(chromedriver --version | head -n 1)"
}

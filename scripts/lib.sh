# Shared by scripts/run.sh and scripts/test.sh: find Python 3.11 and keep .venv in step with a
# requirements file (reinstalling only when the file changed).

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

ensure_venv() {
  local requirements="$1" stamp
  if [ ! -x "$VENV/bin/python" ]; then
    "$(find_python)" -m venv "$VENV"
  fi
  stamp="$VENV/.installed-$(basename "$requirements" .txt)"
  local digest
  digest="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$digest" >"$stamp"
  fi
  PY="$VENV/bin/python"
}

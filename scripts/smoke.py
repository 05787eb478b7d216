"""Drive a running LearnFlow over loopback HTTP, as a client would; the standard library only.

``scripts/smoke.sh`` starts gunicorn, a Celery worker and (for the second phase) celery beat, then runs

* ``smoke.py web URL STATE``: health, registration and the welcome written by the worker, login, a task
  with a reminder due now, a focus session and its AI summary (written by the worker), a logged
  session the streak shows on the very next read, the admin and
  the API docs with the hashed static files they reference. Saves the login and the task in STATE.
* ``smoke.py beat URL STATE``: the reminder of that task arrives, sent by the ``task_reminders``
  schedule through beat, the broker and the worker.

Every step has a bounded deadline; a 5xx, an unexpected status or a missed deadline exits non-zero
naming the step.
"""

import argparse
import json
import re
import secrets
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

DEADLINE_SECONDS = 30
HASHED_STATIC = re.compile(r"\.[0-9a-f]{12}\.\w+$")


class SmokeFailure(Exception):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report redirects instead of following them: an unexpected one (to HTTPS, to a login) is a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class Client:
    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, bytes]:
        url = path if path.startswith("http") else self.base_url + path
        headers = {"Accept": "application/json, text/html;q=0.9, */*;q=0.8"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with _opener.open(request, timeout=10) as response:
                status, response_headers, content = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, response_headers, content = error.code, dict(error.headers), error.read()
        if status >= 500:
            raise SmokeFailure(f"{method} {path} answered {status}: {content[:2000].decode(errors='replace')}")
        return status, response_headers, content

    def expect(self, method: str, path: str, status: int, body: dict | None = None) -> bytes:
        got, _, content = self.request(method, path, body)
        if got != status:
            raise SmokeFailure(
                f"{method} {path} answered {got}, expected {status}: {content[:2000].decode(errors='replace')}"
            )
        return content

    def json(self, method: str, path: str, status: int, body: dict | None = None):
        return json.loads(self.expect(method, path, status, body))


def step(name: str):
    print(f"smoke: {name}", flush=True)


def poll(what: str, probe, deadline: float = DEADLINE_SECONDS):
    """Call ``probe`` until it returns something truthy, at most ``deadline`` seconds."""
    started = time.monotonic()
    while True:
        result = probe()
        if result:
            print(f"smoke:   {what} after {time.monotonic() - started:.1f}s", flush=True)
            return result
        if time.monotonic() - started > deadline:
            raise SmokeFailure(f"{what}: not seen within {deadline}s")
        time.sleep(0.3)


def wait_until_serving(client: Client) -> dict:
    """While gunicorn boots the connection is refused; its first answer must be a 200 (the servers it
    depends on are already running, so a 503 is a failure, not a wait)."""

    def probe():
        try:
            return client.request("GET", "/health/")
        except (ConnectionError, urllib.error.URLError):
            return None

    status, _, content = poll("gunicorn answers", probe)
    if status != 200:
        raise SmokeFailure(f"/health/ answered {status}: {content[:2000].decode(errors='replace')}")
    return json.loads(content)


def notification(client: Client, kind: str, match=lambda item: True):
    page = client.json("GET", f"/api/notifications/?kind={kind}", 200)
    return next((item for item in page["results"] if item["kind"] == kind and match(item)), None)


class _Assets(HTMLParser):
    """The stylesheets, scripts and icons a page references."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "link" and attrs.get("href") and attrs.get("rel") in ("stylesheet", "icon", "shortcut icon"):
            self.urls.append(attrs["href"])


def check_page_and_static(client: Client, path: str) -> None:
    """The page answers 200 and every static file it references is served, under its hashed name."""
    page = client.expect("GET", path, 200).decode()
    parser = _Assets()
    parser.feed(page)
    static = [url for url in parser.urls if urlsplit(urljoin(client.base_url + path, url)).path.startswith("/static/")]
    if not static:
        raise SmokeFailure(f"{path} references no static file: {parser.urls}")
    for url in static:
        if not HASHED_STATIC.search(urlsplit(url).path):
            raise SmokeFailure(f"{path} references {url}, not a hashed (manifest) name")
        content = client.expect("GET", urljoin(client.base_url + path, url), 200)
        if not content:
            raise SmokeFailure(f"{url} (from {path}) is empty")
    print(f"smoke:   {path}: {len(static)} hashed static files served", flush=True)


def phase_web(base_url: str, state_path: str) -> None:
    anonymous = Client(base_url)

    step("GET /health/ (database, cache and broker up)")
    report = wait_until_serving(anonymous)
    down = {name: check for name, check in report["checks"].items() if check["status"] != "up"}
    if report["status"] != "ok" or down or set(report["checks"]) != {"database", "cache", "broker"}:
        raise SmokeFailure(f"/health/ is not all up: {report}")

    step("POST /api/user/ (register)")
    username, password = f"smoke{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    user = anonymous.json(
        "POST",
        "/api/user/",
        201,
        {"username": username, "email": f"{username}@example.com", "password": password, "full_name": "Smoke Test"},
    )
    if user["username"] != username:
        raise SmokeFailure(f"registration answered another user: {user}")

    step("POST /api/token/ (log in)")
    tokens = anonymous.json("POST", "/api/token/", 200, {"username": username, "password": password})
    client = Client(base_url, tokens["access"])

    step("welcome notification, written by the worker")
    poll("the welcome notification", lambda: notification(client, "welcome"))

    step("POST /api/tasks/ (a reminder due now)")
    reminder_time = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    task = client.json(
        "POST",
        "/api/tasks/",
        201,
        {"title": "Smoke reminder", "reminder_enabled": True, "reminder_time": reminder_time},
    )
    client.json("GET", f"/api/tasks/{task['id']}", 200)

    step("focus session: start, stop, AI summary written by the worker; a logged session")
    session = client.json(
        "POST", "/api/focus-sessions/start", 201, {"duration_minutes": 25, "topic": "smoke", "task": task["id"]}
    )
    current = client.json("GET", "/api/current-session", 200)
    if not current or current["session_id"] != session["session_id"] or current["status"] != "active":
        raise SmokeFailure(f"the current session is not the one started: {current}")
    # Stopped at once: a timer is completed only near its planned end (a tenth of the plan at most),
    # which a smoke run cannot wait for; notes on a stopped session still get their AI summary.
    ended = client.json(
        "POST", f"/api/focus-sessions/{session['session_id']}/stop", 200, {"notes": "Read the smoke test."}
    )
    if ended["status"] != "stopped" or ended["ai_summary_status"] != "pending":
        raise SmokeFailure(f"the stopped session reads {ended}")
    if client.json("GET", "/api/current-session", 200) is not None:
        raise SmokeFailure("a session is still active after stopping it")
    summary_path = f"/api/study-sessions/{session['session_id']}"
    poll("the AI summary", lambda: client.json("GET", summary_path, 200)["ai_summary_status"] == "ready")
    # Read-your-writes: the very next read of the streak shows a logged session, whatever the worker does.
    client.json("POST", "/api/study-sessions/", 201, {"topic": "smoke", "duration_minutes": 30})
    streak = client.json("GET", "/api/streaks/me", 200)
    if streak["current_streak"] != 1:
        raise SmokeFailure(f"the streak right after the first logged session reads {streak}")

    step("admin and API docs with their static files")
    check_page_and_static(anonymous, "/admin/login/")
    check_page_and_static(anonymous, "/api/docs/")
    anonymous.expect("GET", "/api/schema/", 200)

    # Before beat runs, nothing has sent the reminder: the one phase_beat waits for can only come from beat.
    if notification(client, "task_reminder"):
        raise SmokeFailure("a task reminder arrived before beat was started")

    with open(state_path, "w") as state:
        json.dump({"access": tokens["access"], "task_id": task["id"]}, state)


def phase_beat(base_url: str, state_path: str) -> None:
    with open(state_path) as state:
        saved = json.load(state)
    client = Client(base_url, saved["access"])
    step("task reminder, sent by beat's task_reminders schedule and run by the worker")
    poll(
        "the task reminder",
        lambda: notification(client, "task_reminder", lambda item: item["data"].get("task_id") == saved["task_id"]),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", choices=("web", "beat"))
    parser.add_argument("base_url")
    parser.add_argument("state")
    args = parser.parse_args()
    try:
        (phase_web if args.phase == "web" else phase_beat)(args.base_url, args.state)
    except SmokeFailure as failure:
        print(f"smoke: FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Drive a running LearnFlow over loopback HTTP, as a client would; the standard library only (and the
``websockets`` client, which the production virtualenv has, in the live phase).

``scripts/smoke.sh`` starts gunicorn, a Celery worker and (for the second phase) celery beat, then runs

* ``smoke.py web URL STATE``: health, registration and the welcome written by the worker, login, a task
  with a reminder due now, a focus session and its AI summary (written by the worker), a logged
  session the streak and the dashboard show on the very next read; an avatar and a PDF resource
  uploaded and read back through the URLs the API hands out; a second user's data export built
  by the worker, then that account deleted with its password (its refresh token dead); the admin and
  the API docs with the hashed static files they reference. Saves the login and the task in STATE.
* ``smoke.py live URL STATE --asgi-url ASGI --asgi-log LOG``: uvicorn serves HTTP too; over a real
  WebSocket (the ``websockets`` client, which uvicorn brings into the production virtualenv) the
  logged-in user's ``/ws/notifications/?token=`` socket gets its snapshot; a second user registers
  and sends a direct message through gunicorn, and the notification it creates is pushed to the
  socket through Redis; a socket authenticated by subprotocol sees "mark all read" drop the count
  to 0; a bad token is closed with 4401; the token appears nowhere in uvicorn's log.
* ``smoke.py rooms URL STATE --asgi-url ASGI --worker-log LOG``: a focus room over HTTP (gunicorn) and
  WebSockets (uvicorn): two new users, the host opens a room with 1-minute work phases and the guest
  joins; both sockets (one by query token, one by subprotocol) get the room's snapshot and the host's
  timer start; then, with no client call but pings, the worker's job scheduled for the phase's end
  (``focus.end_room_phase``, with beat not yet running, so no sweeper) ends the work phase: both sockets
  get ``phase.completed`` crediting their user 1 minute and ``timer.changed`` to a running break, and
  the credited room session is in both users' ``/api/study-sessions/``. This phase takes a minute.
* ``smoke.py beat URL STATE``: the reminder of that task arrives, sent by the ``task_reminders``
  schedule through beat, the broker and the worker.

Every step has a bounded deadline; a 5xx, an unexpected status or a missed deadline exits non-zero
naming the step.
"""

import argparse
import json
import re
import secrets
import struct
import sys
import time
import urllib.error
import urllib.request
import zlib
from concurrent.futures import ThreadPoolExecutor
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

    def request(
        self, method: str, path: str, body: dict | None = None, files: dict | None = None
    ) -> tuple[int, dict, bytes]:
        """``body`` goes as JSON, or with ``files`` (``{field: (name, type, bytes)}``) as multipart."""
        url = path if path.startswith("http") else self.base_url + path
        headers = {"Accept": "application/json, text/html;q=0.9, */*;q=0.8"}
        data = None
        if files is not None:
            boundary = secrets.token_hex(16)
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                for key, value in (body or {}).items()
            ]
            for key, (name, content_type, content) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{name}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n".encode()
                    + content
                    + b"\r\n"
                )
            data = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif body is not None:
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

    def expect(self, method: str, path: str, status: int, body: dict | None = None, files=None) -> bytes:
        got, _, content = self.request(method, path, body, files)
        if got != status:
            raise SmokeFailure(
                f"{method} {path} answered {got}, expected {status}: {content[:2000].decode(errors='replace')}"
            )
        return content

    def json(self, method: str, path: str, status: int, body: dict | None = None, files=None):
        return json.loads(self.expect(method, path, status, body, files))


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


def wait_until_serving(client: Client, server: str = "gunicorn") -> dict:
    """While the server boots the connection is refused; its first answer must be a 200 (the servers it
    depends on are already running, so a 503 is a failure, not a wait)."""

    def probe():
        try:
            return client.request("GET", "/health/")
        except (ConnectionError, urllib.error.URLError):
            return None

    status, _, content = poll(f"{server} answers", probe)
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

    step("GET /api/dashboard (the home screen shows that session at once)")
    home = client.json("GET", "/api/dashboard", 200)
    if home["today"]["manual_minutes"] != 30 or home["streaks"]["study"]["current_streak"] != 1:
        raise SmokeFailure(f"the dashboard right after the first logged session reads {home['today']}")
    client.expect("GET", "/api/admin/activity", 403)

    uploads(client, anonymous)
    data_rights(anonymous, base_url)

    step("admin and API docs with their static files")
    check_page_and_static(anonymous, "/admin/login/")
    check_page_and_static(anonymous, "/api/docs/")
    anonymous.expect("GET", "/api/schema/", 200)

    # Before beat runs, nothing has sent the reminder: the one phase_beat waits for can only come from beat.
    if notification(client, "task_reminder"):
        raise SmokeFailure("a task reminder arrived before beat was started")

    with open(state_path, "w") as state:
        json.dump({"access": tokens["access"], "task_id": task["id"]}, state)


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    """A real PNG (red pixels), made with the standard library."""
    rows = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def uploads(client: Client, anonymous: Client) -> None:
    step("uploads: an avatar and a PDF resource, read back through the URLs the API hands out")
    profile = client.json("PUT", "/api/users/profile/avatar", 200, files={"file": ("me.png", "image/png", png_bytes())})
    status, headers, content = anonymous.request("GET", profile["avatar_url"])
    if status != 200 or headers.get("Content-Type") != "image/webp" or not content.startswith(b"RIFF"):
        raise SmokeFailure(f"the uploaded avatar reads {status} {headers.get('Content-Type')}")
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"% smoke notes\n" * 100 + b"%%EOF\n"
    resource = client.json(
        "POST",
        "/api/resources/",
        201,
        {"title": "Smoke notes", "resource_type": "file"},
        files={"file": ("notes.pdf", "application/pdf", pdf)},
    )
    if anonymous.expect("GET", resource["file"]["download_url"], 200) != pdf:
        raise SmokeFailure("the uploaded PDF does not download as it was sent")
    if client.json("GET", "/api/resources/stats/me", 200)["storage"]["used_bytes"] != len(pdf):
        raise SmokeFailure("the storage used is not the PDF's size")
    client.expect("DELETE", f"/api/resources/{resource['id']}", 204)
    if client.json("GET", "/api/resources/stats/me", 200)["storage"]["used_bytes"] != 0:
        raise SmokeFailure("deleting the resource did not free its storage")


def data_rights(anonymous: Client, base_url: str) -> None:
    step("data export built by the worker, then the account deleted with its password")
    username, password = f"smoke{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    anonymous.json(
        "POST", "/api/user/", 201, {"username": username, "email": f"{username}@example.com", "password": password}
    )
    login = anonymous.json("POST", "/api/token/", 200, {"username": username, "password": password})
    client = Client(base_url, login["access"])
    client.json("POST", "/api/study-sessions/", 201, {"topic": "exported", "duration_minutes": 20})
    export = client.json("POST", "/api/users/me/export", 202)
    export_path = f"/api/users/me/export/{export['id']}"
    poll("the data export", lambda: client.json("GET", export_path, 200)["status"] == "ready")
    document = client.json("GET", export_path, 200)["document"]
    if document["account"]["username"] != username or not document["study_sessions"]:
        raise SmokeFailure(f"the export does not hold the account and its session: {sorted(document)}")
    client.expect("DELETE", "/api/users/me", 400, {"password": "not " + password})
    client.expect("DELETE", "/api/users/me", 204, {"password": password})
    anonymous.expect("POST", "/api/token/refresh", 401, {"refresh": login["refresh"]})
    anonymous.expect("POST", "/api/token/", 401, {"username": username, "password": password})


def phase_live(base_url: str, state_path: str, asgi_url: str, asgi_log: str) -> None:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    with open(state_path) as state:
        saved = json.load(state)
    token = saved["access"]
    client = Client(base_url, token)
    ws_url = "ws" + asgi_url.removeprefix("http") + "/ws/notifications/"

    def receive(ws, what: str) -> dict:
        try:
            return json.loads(ws.recv(timeout=DEADLINE_SECONDS))
        except TimeoutError:
            raise SmokeFailure(f"{what}: not received within {DEADLINE_SECONDS}s") from None

    step("uvicorn answers HTTP too (GET /health/)")
    wait_until_serving(Client(asgi_url), "uvicorn")

    step("WebSocket /ws/notifications/?token= (snapshot)")
    unread = client.json("GET", "/api/notifications/unread-count", 200)["unread_count"]
    me = client.json("GET", "/api/users/me/", 200)
    with connect(f"{ws_url}?token={token}", open_timeout=DEADLINE_SECONDS) as ws:
        snapshot = receive(ws, "the snapshot")
        if snapshot.get("type") != "notifications.snapshot" or snapshot.get("unread_count") != unread:
            raise SmokeFailure(f"the snapshot reads {snapshot}, the API counts {unread} unread")

        step("a direct message from a second user, pushed to the socket through Redis")
        anonymous = Client(base_url)
        username, password = f"smoke{secrets.token_hex(4)}", secrets.token_urlsafe(16)
        anonymous.json(
            "POST", "/api/user/", 201, {"username": username, "email": f"{username}@example.com", "password": password}
        )
        login = anonymous.json("POST", "/api/token/", 200, {"username": username, "password": password})
        sender = Client(base_url, login["access"])
        sender.json("POST", "/api/messages/send", 201, {"receiver_id": me["id"], "content": "Smoke over a socket"})
        event = receive(ws, "the message's notification")
        pushed = event.get("notification") or {}
        if event.get("type") != "notification.created" or pushed.get("body") != "Smoke over a socket":
            raise SmokeFailure(f"expected the message's notification, got {event}")
        if event.get("unread_count") != unread + 1:
            raise SmokeFailure(f"the pushed unread count is {event.get('unread_count')}, expected {unread + 1}")

    step("WebSocket with the token as subprotocol; mark all read pushes 0")
    with connect(ws_url, subprotocols=["learnflow.jwt", token], open_timeout=DEADLINE_SECONDS) as ws:
        if ws.subprotocol != "learnflow.jwt":
            raise SmokeFailure(f"the server selected the subprotocol {ws.subprotocol!r}")
        receive(ws, "the snapshot")
        client.json("POST", "/api/notifications/read-all", 200)
        event = receive(ws, "the unread count")
        if event.get("type") != "notifications.unread" or event.get("unread_count") != 0:
            raise SmokeFailure(f"expected the unread count 0, got {event}")

    step("a bad token is closed with 4401")
    with connect(f"{ws_url}?token=not-a-token", open_timeout=DEADLINE_SECONDS) as ws:
        try:
            frame = ws.recv(timeout=DEADLINE_SECONDS)
        except ConnectionClosed as closed:
            if closed.rcvd is None or closed.rcvd.code != 4401:
                raise SmokeFailure(f"a bad token was closed with {closed.rcvd}, expected 4401") from None
        else:
            raise SmokeFailure(f"a bad token got a frame: {frame}")

    step("the token is not in uvicorn's log")

    def server_log() -> str:
        with open(asgi_log) as log:
            return log.read()

    poll("uvicorn logged the sockets", lambda: "/ws/notifications/?token=[redacted]" in server_log())
    if token in server_log():
        raise SmokeFailure("uvicorn logged an access token")


def register(anonymous: Client, base_url: str) -> tuple[Client, dict]:
    """A new user, logged in: ``(their client, their /api/users/me/)``."""
    username, password = f"smoke{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    anonymous.json(
        "POST", "/api/user/", 201, {"username": username, "email": f"{username}@example.com", "password": password}
    )
    login = anonymous.json("POST", "/api/token/", 200, {"username": username, "password": password})
    client = Client(base_url, login["access"])
    return client, client.json("GET", "/api/users/me/", 200)


#: How often a room socket pings while waiting for the end of a phase (the presence window is 60 s).
ROOM_PING_SECONDS = 15
#: How long after its planned end the worker's job may take to end a phase.
PHASE_END_SLACK_SECONDS = 20


def phase_rooms(base_url: str, state_path: str, asgi_url: str, worker_log: str) -> None:
    from websockets.sync.client import connect

    anonymous = Client(base_url)

    def receive(ws, what: str, timeout: float = DEADLINE_SECONDS) -> dict:
        try:
            return json.loads(ws.recv(timeout=timeout))
        except TimeoutError:
            raise SmokeFailure(f"{what}: not received within {timeout:.0f}s") from None

    step("two users; the host opens a room of 1-minute work phases, the guest joins (gunicorn)")
    host, host_me = register(anonymous, base_url)
    guest, guest_me = register(anonymous, base_url)
    room = host.json("POST", "/api/rooms/", 201, {"name": "Smoke room", "work_minutes": 1, "break_minutes": 1})
    if not room["is_host"] or room["participant_count"] != 1 or room["timer"]["status"] != "idle":
        raise SmokeFailure(f"the new room reads {room}")
    guest.json("POST", f"/api/rooms/{room['id']}/join", 200)

    step("WebSockets /ws/rooms/{id}/ by query token and by subprotocol (uvicorn): snapshots")
    ws_url = "ws" + asgi_url.removeprefix("http") + f"/ws/rooms/{room['id']}/"
    with (
        connect(f"{ws_url}?token={host.token}", open_timeout=DEADLINE_SECONDS) as host_ws,
        connect(ws_url, subprotocols=["learnflow.jwt", guest.token], open_timeout=DEADLINE_SECONDS) as guest_ws,
    ):
        sockets = {"host": (host_ws, host_me), "guest": (guest_ws, guest_me)}
        for who, (ws, _) in sockets.items():
            snapshot = receive(ws, f"the {who}'s snapshot")
            seated = {p["user"]["id"] for p in snapshot.get("participants", [])}
            if snapshot.get("type") != "room.snapshot" or seated != {host_me["id"], guest_me["id"]}:
                raise SmokeFailure(f"the {who}'s snapshot reads {snapshot}")

        step("the host starts the timer (gunicorn): pushed to both sockets through Redis")
        timer = host.json("POST", f"/api/rooms/{room['id']}/timer/start", 200)
        for who, (ws, _) in sockets.items():
            event = receive(ws, f"the timer start on the {who}'s socket")
            got = (event.get("type"), event.get("seq"), event.get("timer", {}).get("status"))
            if got != ("timer.changed", timer["seq"], "running"):
                raise SmokeFailure(f"the {who}'s socket got {event}, expected the start numbered {timer['seq']}")

        step("no client call but pings: the worker's scheduled job ends the work phase on time")
        ends_at = datetime.fromisoformat(timer["phase_ends_at"])
        deadline = time.monotonic() + (ends_at - datetime.now(UTC)).total_seconds() + PHASE_END_SLACK_SECONDS

        def phase_end_on(ws) -> tuple[dict, dict]:
            """Ping every ROOM_PING_SECONDS until ``phase.completed`` and the following ``timer.changed``."""
            completed = None
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SmokeFailure(f"the end of the phase: not received {PHASE_END_SLACK_SECONDS}s after its end")
                try:
                    event = json.loads(ws.recv(timeout=min(left, ROOM_PING_SECONDS)))
                except TimeoutError:
                    ws.send(json.dumps({"type": "ping"}))
                    continue
                if event.get("type") == "phase.completed":
                    completed = event
                elif event.get("type") == "timer.changed" and completed is not None:
                    return completed, event
                elif event.get("type") != "pong":
                    raise SmokeFailure(f"while waiting for the end of the phase, the socket got {event}")

        with ThreadPoolExecutor(max_workers=2) as pool:
            waits = {who: pool.submit(phase_end_on, ws) for who, (ws, _) in sockets.items()}
            ends = {who: wait.result() for who, wait in waits.items()}
        late = (datetime.fromisoformat(ends["host"][1]["server_time"]) - ends_at).total_seconds()
        print(f"smoke:   the work phase ended {late:.1f}s after its planned end", flush=True)
        for who, (completed, changed) in ends.items():
            ended = completed.get("phase", {})
            credit = (ended.get("phase"), ended.get("outcome"), completed.get("credited_minutes"))
            if credit != ("work", "completed", 1):
                raise SmokeFailure(f"the {who}'s socket got {completed}, expected a completed work phase crediting 1")
            following = (changed.get("action"), changed.get("by"), changed.get("timer", {}).get("phase"))
            if following != ("phase_end", None, "break") or changed["timer"].get("status") != "running":
                raise SmokeFailure(f"the {who}'s socket got {changed}, expected the break running")
            if not timer["seq"] < completed["seq"] < changed["seq"]:
                raise SmokeFailure(f"the {who}'s socket got the events out of order: {completed}, {changed}")

    def end_room_phase_logged():
        # The sockets hear of the phase's end from inside the job, before the worker logs its success.
        with open(worker_log) as log:
            return re.findall(r"Task focus\.end_room_phase\[[^]]+\] succeeded in [^:]+: True", log.read())

    poll("the worker's log shows the focus.end_room_phase that ended the phase", end_room_phase_logged, deadline=10)

    step("the credited room session in both users' /api/study-sessions/ (gunicorn)")
    for who, client in (("host", host), ("guest", guest)):
        sessions = client.json("GET", "/api/study-sessions/?source=room", 200)["results"]
        if [(s["source"], s["verified"], s["status"], s["duration_minutes"]) for s in sessions] != [
            ("room", True, "completed", 1)
        ]:
            raise SmokeFailure(f"the {who}'s room sessions read {sessions}")


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
    parser.add_argument("phase", choices=("web", "live", "rooms", "beat"))
    parser.add_argument("base_url")
    parser.add_argument("state")
    parser.add_argument("--asgi-url", help="the ASGI server (live and rooms phases)")
    parser.add_argument("--asgi-log", help="the ASGI server's log (live phase)")
    parser.add_argument("--worker-log", help="the Celery worker's log (rooms phase)")
    args = parser.parse_args()
    try:
        if args.phase == "web":
            phase_web(args.base_url, args.state)
        elif args.phase == "live":
            phase_live(args.base_url, args.state, args.asgi_url, args.asgi_log)
        elif args.phase == "rooms":
            phase_rooms(args.base_url, args.state, args.asgi_url, args.worker_log)
        else:
            phase_beat(args.base_url, args.state)
    except SmokeFailure as failure:
        print(f"smoke: FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""SPA-like mixed traffic for locust (issue 15, "Load and capacity").

Each simulated user is one person with the web app open: it signs in once with a seeded user's
password (``POST /api/token/``), loads its profile and home screen, then, with a think time of 1.5 to
2.5 s between actions, reads and writes what the SPA's screens do: the task list, creating and
completing tasks, starting and completing focus timers, the week's challenges and their leaders, the
global leaderboard, the community feed and likes, direct messages, unread counts, and refreshing its
tokens (proactively, as the SPA does before the access token expires, and now and then at random).
Every answer other than 2xx counts as an error.

``bench/load/run.py`` runs it (it seeds the users, starts the servers and reads the report); to run it
by hand against a server whose users come from ``manage.py seed_demo``::

    LOAD_USERS=1000 locust -f bench/load/locustfile.py --host http://127.0.0.1:8000

Environment:

- ``LOAD_USERS``: how many seeded users exist (``demo00001`` ... ``demo<LOAD_USERS>``, seed_demo's
  names); simulated user ``n`` signs in as seeded user ``n mod LOAD_USERS`` (default 1000).
- ``LOAD_PASSWORD``: their password (default seed_demo's, ``learnflow-demo``).
- ``LOAD_STEPS`` (e.g. ``50,100,200``): run the stepped shape below instead of locust's own ``-u/-r``:
  for each step, spawn up to that many users at ``LOAD_SPAWN_RATE`` a second, wait until they have all
  signed in plus ``LOAD_SETTLE_SECONDS``, then measure ``LOAD_STEP_SECONDS`` from fresh statistics and
  append the step's figures as one JSON line to ``LOAD_REPORT``. It stops after the last step, or at
  the knee: the first step whose p99 exceeds ``LOAD_P99_LIMIT_MS`` (default 400) or that had an error
  (sign-ins during its ramp included).
"""

import itertools
import json
import os
import random
import time
from collections import Counter

from locust import LoadTestShape, between, events, task
from locust.contrib.fasthttp import FastHttpUser

SEEDED_USERS = int(os.environ.get("LOAD_USERS", "1000"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "learnflow-demo")
# The access token lives 15 minutes (JWT_ACCESS_MINUTES); the SPA refreshes it before then.
REFRESH_AFTER_SECONDS = float(os.environ.get("LOAD_REFRESH_AFTER_SECONDS", "600"))

_user_numbers = itertools.count()
# Ids of the users signed in so far, whom the others message.
_known_user_ids: list[str] = []
# Simulated users signed in so far (greenlets of one process: no lock needed).
_state = {"signed_in": 0}


class SpaUser(FastHttpUser):
    wait_time = between(1.5, 2.5)
    # A request that takes longer than this is an error, not a wait.
    network_timeout = 30.0
    connection_timeout = 30.0

    def on_start(self):
        self.username = f"demo{next(_user_numbers) % SEEDED_USERS + 1:05d}"
        self.focus_session = None
        self.created_tasks: list[str] = []
        self.post_ids: list[str] = []
        self.signed_in = False
        self.user_id = None
        self.lost_answer = False
        self.signed_out = False
        self.sign_in()

    # --- plumbing ----------------------------------------------------------------------------
    def sign_in(self):
        """Sign in, then load what the SPA loads first: the profile and the home screen."""
        answer = self.call(
            "POST", "/api/token/", name="/api/token/ (sign in)", json={"username": self.username, "password": PASSWORD}
        )
        if not answer:
            return
        self.keep_tokens(answer)
        self.signed_out = False
        if not self.signed_in:
            self.signed_in = True
            _state["signed_in"] += 1
        me = self.call("GET", "/api/users/me", name="/api/users/me")
        if me and self.user_id is None:
            self.user_id = me["id"]
            _known_user_ids.append(me["id"])
        self.call("GET", "/api/dashboard", name="/api/dashboard")
        self.load_current_session()

    def load_current_session(self):
        """What the SPA asks on load, and after a start refused because a timer already runs (its answer
        to an earlier start was lost): the running timer, if any."""
        current = self.call("GET", "/api/current-session", name="/api/current-session")
        if current:
            self.focus_session = current["session_id"]

    def keep_tokens(self, answer: dict):
        self.refresh_token = answer["refresh"]
        self.client.auth_header = f"Bearer {answer['access']}"
        self.token_time = time.monotonic()

    def call(self, method: str, path: str, name: str, json: dict | None = None):
        """The decoded answer, or None after an error (locust records it as a failure)."""
        response = self.client.request(method, path, name=name, json=json)
        self.last_status = response.status_code
        if not response.status_code:
            self.lost_answer = True  # no answer (timeout, connection closed): the server may have acted
        if not 200 <= (response.status_code or 0) < 300:
            return None
        return response.json() if response.content else {}

    def before_action(self) -> bool:
        if not self.signed_in or self.signed_out:  # the SPA's sign-in screen
            self.sign_in()
            return False
        if time.monotonic() - self.token_time > REFRESH_AFTER_SECONDS:
            self.refresh_tokens()
        return True

    def refresh_tokens(self):
        answer = self.call(
            "POST", "/api/token/refresh/", name="/api/token/refresh/", json={"refresh": self.refresh_token}
        )
        if answer:
            self.keep_tokens(answer)
        elif self.last_status == 401:
            # Refused (blacklisted after a refresh whose answer was lost): the SPA signs in again.
            self.signed_out = True

    # --- what the SPA's screens do -----------------------------------------------------------
    @task(3)
    def home(self):
        if self.before_action():
            self.call("GET", "/api/dashboard", name="/api/dashboard")

    @task(4)
    def task_list(self):
        if self.before_action():
            self.call("GET", "/api/tasks/?page_size=10", name="/api/tasks/?page_size=10")

    @task(1)
    def create_task(self):
        if not self.before_action():
            return
        created = self.call(
            "POST",
            "/api/tasks/",
            name="/api/tasks/",
            json={
                "title": f"Revise chapter {random.randint(1, 30)}",
                "priority": random.choice(("low", "medium", "high")),
                "tags": random.sample(["exam", "reading", "practice", "project"], 2),
            },
        )
        if created:
            self.created_tasks.append(created["id"])

    @task(1)
    def complete_task(self):
        if not self.before_action() or not self.created_tasks:
            return
        task_id = self.created_tasks.pop(0)
        self.call("PATCH", f"/api/tasks/{task_id}/", name="/api/tasks/{id}/", json={"completed": True})

    @task(2)
    def focus_timer(self):
        """Start a one-minute timer, and complete it on a later visit (within the grace, so it counts as
        completed and refreshes challenges, achievements and streaks)."""
        if not self.before_action():
            return
        if self.focus_session is None:
            with self.client.request(
                "POST",
                "/api/focus-sessions/start",
                name="/api/focus-sessions/start",
                json={"duration_minutes": 1, "topic": "Load test"},
                catch_response=True,
            ) as response:
                if response.status_code == 201:
                    self.focus_session = response.json()["session_id"]
                elif response.status_code == 409 and self.lost_answer:
                    # The timer started by the request whose answer was lost (counted as an error
                    # then) runs: not a second error.
                    response.success()
                    self.lost_answer = False
                    self.load_current_session()
        else:
            session, self.focus_session = self.focus_session, None
            # Half the time with notes, as the SPA's end-of-session form sends them: the worker then
            # summarizes the session (the offline summarizer here, no AI key).
            notes = {"notes": "Worked through the practice problems; integrals by parts still slow."}
            self.call(
                "POST",
                f"/api/focus-sessions/{session}/complete",
                name="/api/focus-sessions/{id}/complete",
                json=notes if random.random() < 0.5 else {},
            )

    @task(2)
    def challenges_week(self):
        if self.before_action():
            self.call("GET", "/api/challenges/week", name="/api/challenges/week")

    @task(1)
    def challenges_leaders(self):
        if self.before_action():
            self.call("GET", "/api/challenges/leaders", name="/api/challenges/leaders")

    @task(2)
    def global_leaderboard(self):
        if self.before_action():
            period = random.choice(("weekly", "weekly", "monthly"))
            self.call(
                "GET",
                f"/api/study-sessions/leaderboards/global?period={period}",
                name="/api/study-sessions/leaderboards/global",
            )

    @task(2)
    def community_feed(self):
        if not self.before_action():
            return
        page = self.call("GET", "/api/community/posts?page_size=10", name="/api/community/posts")
        if page:
            self.post_ids = [post["id"] for post in page["results"]]

    @task(1)
    def like_post(self):
        if self.before_action() and self.post_ids:
            post = random.choice(self.post_ids)
            self.call("POST", f"/api/community/posts/{post}/like", name="/api/community/posts/{id}/like")

    @task(1)
    def send_message(self):
        if not self.before_action():
            return
        receiver = random.choice(_known_user_ids) if _known_user_ids else None
        if receiver and receiver != self.user_id:
            self.call(
                "POST",
                "/api/messages/send",
                name="/api/messages/send",
                json={"receiver_id": receiver, "content": "Shall we study together tonight?"},
            )

    @task(1)
    def conversations(self):
        if self.before_action():
            self.call("GET", "/api/messages/conversations", name="/api/messages/conversations")

    @task(2)
    def unread_counts(self):
        if self.before_action():
            self.call("GET", "/api/notifications/unread-count", name="/api/notifications/unread-count")
            self.call("GET", "/api/messages/unread-count", name="/api/messages/unread-count")

    @task(1)
    def refresh(self):
        if self.before_action():
            self.refresh_tokens()


# --- failures per step, counted from the start of the step's ramp ----------------------------------
_failures = {"count": 0, "samples": Counter()}


@events.request.add_listener
def _count_failure(request_type, name, response, exception, **kwargs):
    if exception is not None:
        _failures["count"] += 1
        status = getattr(response, "status_code", None)
        what = f"{status} {(getattr(response, 'text', '') or '')[:120]}" if status else f"{exception!s:.200}"
        _failures["samples"][f"{request_type} {name}: {what}".strip()] += 1


if os.environ.get("LOAD_STEPS"):

    class SteppedShape(LoadTestShape):
        """Ramp to each step, settle, measure from fresh statistics, report, and stop at the knee."""

        steps = [int(users) for users in os.environ["LOAD_STEPS"].split(",")]
        spawn_rate = float(os.environ.get("LOAD_SPAWN_RATE", "20"))
        settle_seconds = float(os.environ.get("LOAD_SETTLE_SECONDS", "10"))
        measure_seconds = float(os.environ.get("LOAD_STEP_SECONDS", "60"))
        p99_limit_ms = float(os.environ.get("LOAD_P99_LIMIT_MS", "400"))
        # Users still signing in this long after their step's ramp: the step is over anyway.
        sign_in_patience_seconds = 120.0
        report_path = os.environ.get("LOAD_REPORT", "")

        def __init__(self):
            super().__init__()
            self.index = 0
            self.phase = "ramp"
            self.phase_started = time.time()
            self.step_started = time.time()
            self.failures_before = 0
            self.ramp_sign_in = None

        def tick(self):
            if self.index >= len(self.steps):
                return None
            users = self.steps[self.index]
            now = time.time()
            if self.phase == "ramp" and self.get_current_user_count() >= users:
                self.phase, self.phase_started = "settle", now
            if self.phase == "settle":
                all_in = _state["signed_in"] >= users
                if (all_in and now - self.phase_started >= self.settle_seconds) or (
                    now - self.phase_started >= self.sign_in_patience_seconds
                ):
                    sign_in = self.runner.stats.entries.get(("/api/token/ (sign in)", "POST"))
                    self.ramp_sign_in = (
                        {
                            "count": sign_in.num_requests,
                            "p50_ms": sign_in.get_response_time_percentile(0.5),
                            "p99_ms": sign_in.get_response_time_percentile(0.99),
                        }
                        if sign_in and sign_in.num_requests
                        else None
                    )
                    self.runner.stats.reset_all()
                    self.phase, self.phase_started = "measure", now
            if self.phase == "measure" and now - self.phase_started >= self.measure_seconds:
                step = self.report(users, now)
                self.index += 1
                self.phase, self.step_started, self.phase_started = "ramp", now, now
                self.failures_before = _failures["count"]
                _failures["samples"].clear()
                if step["knee"] or self.index >= len(self.steps):
                    return None
                users = self.steps[self.index]
            return users, self.spawn_rate

        def report(self, users: int, now: float) -> dict:
            stats = self.runner.stats
            total = stats.total
            seconds = now - self.phase_started
            failures = _failures["count"] - self.failures_before
            p99 = total.get_response_time_percentile(0.99) if total.num_requests else None
            step = {
                "users": users,
                "signed_in": _state["signed_in"],
                # Sign-ins since the previous step's measurement: this step's ramp (a full password hash each).
                "ramp_sign_in": self.ramp_sign_in,
                "step_started": self.step_started,
                "measure_started": self.phase_started,
                "measure_ended": now,
                "requests": total.num_requests,
                "rps": total.num_requests / seconds if seconds else 0.0,
                "p50_ms": total.get_response_time_percentile(0.5) if total.num_requests else None,
                "p99_ms": p99,
                "max_ms": total.max_response_time if total.num_requests else None,
                "failures_measured": total.num_failures,
                "failures_step": failures,
                "failure_samples": dict(_failures["samples"].most_common(8)),
                "endpoints": {
                    f"{method} {name}": {
                        "requests": entry.num_requests,
                        "p50_ms": entry.get_response_time_percentile(0.5),
                        "p99_ms": entry.get_response_time_percentile(0.99),
                        "failures": entry.num_failures,
                    }
                    for (name, method), entry in sorted(stats.entries.items())
                    if entry.num_requests
                },
            }
            step["knee"] = bool(failures) or (p99 is not None and p99 > self.p99_limit_ms)
            if self.report_path:
                with open(self.report_path, "a") as out:
                    out.write(json.dumps(step) + "\n")
            return step

"""Drive LearnFlow on its embedded default (SQLite, the file system, no server), as ``make run`` serves
it: run by ``test_embedded_default.py`` in a process of its own, whose environment names no database.

A user with a little of everything (a logged and a timed session, tasks due today and overdue, a goal,
a group with a post, a link and an uploaded PDF, a shutdown reflection, a joined challenge) reads every operation
of the OpenAPI schema that is a GET without path parameters, then their own profile, avatar, streaks
and group in detail; a staff user reads the staff ones.
Anything at or above 500 is printed as ``FAIL <status> <path>`` and the exit status is 1.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from drf_spectacular.generators import SchemaGenerator  # noqa: E402

from learnflow.testing import client_for, upload  # noqa: E402


def main() -> int:
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3", settings.DATABASES
    call_command("migrate", verbosity=0)
    from accounts.models import User

    user = User.objects.create_user(username="embedded", email="embedded@example.com", password="pw-embedded-1")
    staff = User.objects.create_user(
        username="staff", email="staff@example.com", password="pw-embedded-1", is_staff=True
    )
    client, staff_client = client_for(user), client_for(staff)
    now = timezone.now()
    writes = [
        ("post", "/api/study-sessions/", {"topic": "SQLite", "duration_minutes": 30}),
        ("post", "/api/focus-sessions/start", {"duration_minutes": 25, "topic": "timer"}),
        ("post", "/api/tasks/", {"title": "today", "due_date": (now + timedelta(minutes=30)).isoformat()}),
        ("post", "/api/tasks/", {"title": "late", "due_date": (now - timedelta(days=2)).isoformat()}),
        ("post", "/api/goals/", {"goal_name": "Read", "target_value": 10}),
        ("post", "/api/groups/", {"group_name": "Embedded", "group_type": "community", "visibility": "public"}),
        ("post", "/api/community/posts", {"title": "Hello", "content": "From SQLite", "category": "general"}),
        ("post", "/api/resources/", {"title": "Docs", "resource_type": "link", "url": "https://example.com"}),
        ("post", "/api/dashboard/shutdown-reflection", {"productivity_rating": "good"}),
    ]
    failures = 0
    for method, path, body in writes:
        response = getattr(client, method)(path, body, format="json")
        if response.status_code >= 400:
            print(f"setup {response.status_code} {method.upper()} {path}: {response.content[:300]!r}")
            failures += response.status_code >= 500
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    uploaded = client.post(
        "/api/resources/",
        {"title": "Notes", "resource_type": "file", "file": upload(pdf, "notes.pdf", "application/pdf")},
        format="multipart",
    )
    if uploaded.status_code != 201:
        print(f"FAIL {uploaded.status_code} multipart POST /api/resources/: {uploaded.content[:300]!r}")
        failures += 1
    week = client.get("/api/challenges/week").json()
    if week:
        client.post(f"/api/challenges/{week[0]['id']}/join")

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = sorted(path for path, operations in schema["paths"].items() if "get" in operations and "{" not in path)
    group = client.get("/api/groups/").json()["results"][0]["id"]
    paths += [
        f"/api/users/{user.pk}/",
        f"/api/users/{user.pk}/achievements",
        f"/api/users/{user.pk}/avatar",
        f"/api/streaks/calendar/{user.pk}",
        f"/api/streaks/stats/{user.pk}",
        f"/api/groups/{group}",
        f"/api/groups/{group}/stats",
    ]
    for path in paths:
        response = (staff_client if path.startswith("/api/admin/") else client).get(path)
        if response.status_code >= 500:
            print(f"FAIL {response.status_code} {path}: {response.content[:500]!r}")
            failures += 1
    failures += dashboard_mismatches(client, user)
    print(f"{len(paths)} GET operations read on {settings.DATABASES['default']['ENGINE']}; {failures} failed")
    return 1 if failures else 0


def dashboard_mismatches(client, user) -> int:
    """The dashboard's figures against the ORM's: its queries are compiled once and run with each
    call's values (learnflow.compiled), which SQLite takes adapted (UUIDs and datetimes as text), so a
    wrong binding would answer 200 with wrong numbers."""
    from analytics.models import Streak
    from analytics.selectors import counted_sessions
    from focus.models import ShutdownReflection
    from learnflow.timeutils import local_today, user_zone
    from tasks.selectors import task_due_range_q, task_list

    home = client.get("/api/dashboard").json()
    open_tasks = task_list(user=user).filter(completed=False)
    expected = {
        "tasks due today": open_tasks.filter(task_due_range_q(user=user, due_range="today")).count(),
        "tasks overdue": open_tasks.filter(task_due_range_q(user=user, due_range="overdue")).count(),
        "sessions today": counted_sessions(user=user).filter(local_date=local_today(user_zone(user))).count(),
        "study streak": Streak.objects.get(user=user).current_streak,
        "last shutdown": ShutdownReflection.objects.get(user=user).local_date.isoformat(),
    }
    answered = {
        "tasks due today": home["tasks"]["due_today"]["count"],
        "tasks overdue": home["tasks"]["overdue"]["count"],
        "sessions today": home["today"]["session_count"],
        "study streak": home["streaks"]["study"]["current_streak"],
        "last shutdown": home["streaks"]["shutdown"]["last_active_date"],
    }
    wrong = {name: (answered[name], value) for name, value in expected.items() if answered[name] != value}
    if wrong or expected["tasks overdue"] != 1 or expected["study streak"] != 1:
        print(f"FAIL dashboard figures (answered, expected): {wrong}; expected {expected}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

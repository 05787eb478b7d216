"""Demo data that tasks contributes to ``seed_demo``: a to-do list and goals with logged progress."""

import uuid
from datetime import timedelta

from django.utils import timezone

from learnflow import bulk

from .choices import GoalCategory, Priority
from .models import Goal, GoalSequence, Progress, Task

_TASKS = (
    ("Revise linear algebra notes", ["math", "exam"]),
    ("Finish the essay outline", ["writing"]),
    ("Read chapter 4 of the biology book", ["biology", "reading"]),
    ("Practice 20 Spanish flashcards", ["spanish"]),
    ("Submit the lab report", ["chemistry", "urgent"]),
    ("Watch the lecture on recursion", ["cs"]),
)
_GOALS = (
    ("Pass the calculus final", GoalCategory.PRIMARY),
    ("Read 12 books this year", GoalCategory.SECONDARY),
    ("Learn touch typing", GoalCategory.MINOR),
)


_TASK_FIELDS = ("id", "user_id", "title", "tags", "priority", "due_date", "completed", "completed_at", "recurrence")
_PRIORITIES = tuple(p.value for p in Priority)
TASKS_PER_USER = (20, 40)


def seed_tasks(*, user_ids, rng) -> int:
    """About thirty tasks per user over the last two months and the next ten days, the past ones
    mostly done."""
    now = timezone.now()
    rows = []
    for user_id in user_ids:
        for n in range(rng.randint(*TASKS_PER_USER)):
            title, tags = _TASKS[rng.randrange(len(_TASKS))]
            due = now + timedelta(days=rng.randint(-60, 10), hours=rng.randint(0, 12))
            done = due < now and rng.random() < 0.8
            rows.append(
                (uuid.uuid4(), user_id, f"{title} ({n + 1})", tags, rng.choice(_PRIORITIES), due, done,
                 due if done else None, "FREQ=WEEKLY" if rng.random() < 0.05 else "")
            )  # fmt: skip
    return bulk.copy_rows(Task, _TASK_FIELDS, rows)


def seed_goals(*, user_ids, rng) -> int:
    now = timezone.now()
    goals, entries = [], []
    for user_id in user_ids:
        chosen = rng.sample(_GOALS, k=rng.randint(1, len(_GOALS)))
        for number, (name, category) in enumerate(chosen, start=1):
            goals.append(Goal(user_id=user_id, number=number, goal_name=name, category=category))
    Goal.objects.bulk_create(goals, batch_size=2000)
    per_user: dict = {}
    for goal in goals:
        per_user[goal.user_id] = max(per_user.get(goal.user_id, 0), goal.number)
        count = rng.randint(0, 5)
        for n in range(1, count + 1):
            total = timedelta(hours=rng.choice((1, 2, 3, 4)))
            logged = total * rng.random()
            entries.append(
                Progress(
                    goal=goal,
                    number=n,
                    progress=f"Session {n}",
                    logged_hours=logged,
                    total_hours=total,
                    is_complete=logged >= total,
                )
            )
        goal.last_progress_number = count
        goal.last_progress_at = now if count else None
    bulk.update_rows(
        Goal,
        "id",
        ["last_progress_number", "last_progress_at"],
        [(goal.pk, goal.last_progress_number, goal.last_progress_at) for goal in goals],
    )
    bulk.copy_objects(entries)
    GoalSequence.objects.bulk_create(
        [GoalSequence(user_id=user_id, last_number=n) for user_id, n in per_user.items()],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["last_number"],
    )
    return len(goals) + len(entries)

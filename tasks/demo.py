"""Demo data that tasks contributes to ``seed_demo``: a to-do list and goals with logged progress."""

from datetime import timedelta

from django.utils import timezone

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


def seed_tasks(*, user_ids, rng, progress) -> int:
    now = timezone.now()
    rows = []
    for user_id in user_ids:
        for title, tags in rng.sample(_TASKS, k=rng.randint(2, len(_TASKS))):
            due = now + timedelta(days=rng.randint(-3, 10), hours=rng.randint(0, 12))
            done = due < now and rng.random() < 0.6
            rows.append(
                Task(
                    user_id=user_id,
                    title=title,
                    tags=tags,
                    priority=rng.choice(list(Priority)),
                    due_date=due,
                    completed=done,
                    completed_at=due if done else None,
                    recurrence="FREQ=WEEKLY" if rng.random() < 0.1 else "",
                )
            )
        progress.update(1)
    Task.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def seed_goals(*, user_ids, rng, progress) -> int:
    now = timezone.now()
    goals, entries = [], []
    for user_id in user_ids:
        chosen = rng.sample(_GOALS, k=rng.randint(1, len(_GOALS)))
        for number, (name, category) in enumerate(chosen, start=1):
            goals.append(Goal(user_id=user_id, number=number, goal_name=name, category=category))
        progress.update(1)
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
    Goal.objects.bulk_update(goals, ["last_progress_number", "last_progress_at"], batch_size=2000)
    Progress.objects.bulk_create(entries, batch_size=2000)
    GoalSequence.objects.bulk_create(
        [GoalSequence(user_id=user_id, last_number=n) for user_id, n in per_user.items()],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["last_number"],
    )
    return len(goals) + len(entries)

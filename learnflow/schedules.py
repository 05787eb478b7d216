"""The one place where periodic jobs are defined.

Each job is a Celery task (in some app's ``jobs`` module) plus when beat should run it. ``migrate``
installs the list as django-celery-beat schedules, so staff can see, pause and trigger them in the
admin, and ``manage.py runjob NAME`` runs one by hand. Installing never overrides what staff changed:
an existing schedule keeps its timing and its enabled flag; only its task and description follow
the code.
"""

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    description: str
    crontab: dict[str, str] = field(default_factory=dict)
    every_seconds: int | None = None
    timezone: str = "UTC"

    @property
    def when(self) -> str:
        if self.every_seconds:
            return f"every {self.every_seconds}s"
        fields = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
        return " ".join(self.crontab.get(f, "*") for f in fields) + f" ({self.timezone})"


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        name="outbox_relay",
        task="learnflow.outbox_relay",
        description="Publish queued jobs whose publishing failed after commit (the broker was down).",
        every_seconds=60,
    ),
    PeriodicJob(
        name="task_reminders",
        task="tasks.send_task_reminders",
        description="Send each due task reminder once (inbox and email).",
        every_seconds=60,
    ),
    PeriodicJob(
        name="goal_reminders",
        task="tasks.send_goal_reminders",
        description="Remind about unfinished goals with no progress for 7 days (once per 7 days).",
        crontab={"minute": "0", "hour": "9"},
    ),
    PeriodicJob(
        name="close_abandoned_sessions",
        task="focus.close_abandoned_sessions",
        description="Close timer sessions left running long past their planned end, as stopped.",
        every_seconds=300,
    ),
    PeriodicJob(
        name="sweep_rooms",
        task="focus.sweep_rooms",
        description="End focus-room phases whose scheduled end was lost; take long-absent participants out.",
        every_seconds=30,
    ),
    PeriodicJob(
        name="ai_summaries",
        task="focus.backfill_summaries",
        description="Queue AI session summaries that failed or were lost (pending for 10+ minutes).",
        crontab={"minute": "*/30"},
    ),
    PeriodicJob(
        name="weekly_reviews",
        task="analytics.write_weekly_reviews",
        description="Store last week's review for everyone who studied (once per user and local week).",
        crontab={"minute": "15"},
    ),
    PeriodicJob(
        name="weekly_reset",
        task="challenges.weekly_reset",
        description="Finalize last challenge week (final ranks), create this week's challenges, restart weekly points.",
        crontab={"minute": "5", "hour": "0", "day_of_week": "1"},
        timezone=settings.LEARNFLOW_WEEK_TIMEZONE,
    ),
    PeriodicJob(
        name="recompute_streaks",
        task="analytics.recompute_streaks",
        description="Repair every stored study streak from the sessions (batched).",
        crontab={"minute": "40", "hour": "2"},
    ),
    PeriodicJob(
        name="recompute_focus_totals",
        task="analytics.recompute_focus_totals",
        description="Rebuild the leaderboards' week, month and all-time focus totals from the sessions.",
        crontab={"minute": "50", "hour": "2"},
    ),
    PeriodicJob(
        name="expire_invitations",
        task="community.expire_invitations",
        description="Mark group invitations older than 7 days as expired.",
        crontab={"minute": "5"},
    ),
    PeriodicJob(
        name="flush_expired_tokens",
        task="accounts.flush_expired_tokens",
        description="Delete refresh tokens (and their blacklist entries) that have expired.",
        crontab={"minute": "17", "hour": "3"},
    ),
    PeriodicJob(
        name="purge_old_notifications",
        task="accounts.purge_old_notifications",
        description="Delete read notifications older than LEARNFLOW_NOTIFICATION_RETENTION_DAYS.",
        crontab={"minute": "27", "hour": "3"},
    ),
    PeriodicJob(
        name="purge_data_exports",
        task="accounts.purge_data_exports",
        description="Delete data exports past their LEARNFLOW_DATA_EXPORT_DAYS; fail those a lost job left unfinished.",
        crontab={"minute": "37"},
    ),
    PeriodicJob(
        name="sweep_orphaned_files",
        task="learnflow.sweep_orphaned_files",
        description="Delete stored files no row refers to, older than LEARNFLOW_ORPHAN_GRACE_SECONDS.",
        crontab={"minute": "47"},
    ),
)


def periodic_task_names() -> frozenset[str]:
    """The Celery task names of the periodic jobs (each runs once at a time: ``learnflow.celery``)."""
    return frozenset(job.task for job in PERIODIC_JOBS)


def periodic_job_get(name: str) -> PeriodicJob:
    for job in PERIODIC_JOBS:
        if job.name == name:
            return job
    raise KeyError(name)


def schedules_install(*, dry_run: bool = False, stdout=None, using: str = "default") -> list[str]:
    """Create the missing beat schedules; returns the names of the jobs it created."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    created = []
    for job in PERIODIC_JOBS:
        existing = PeriodicTask.objects.using(using).filter(name=job.name).first()
        if existing is not None:
            if not dry_run and (existing.task, existing.description) != (job.task, job.description):
                existing.task, existing.description = job.task, job.description
                existing.save(update_fields=["task", "description"])
            continue
        created.append(job.name)
        if stdout:
            stdout.write(f"{'would install' if dry_run else 'installing'} schedule {job.name}: {job.when}")
        if dry_run:
            continue
        when = {}
        if job.every_seconds:
            when["interval"], _ = IntervalSchedule.objects.using(using).get_or_create(
                every=job.every_seconds, period=IntervalSchedule.SECONDS
            )
        else:
            when["crontab"], _ = CrontabSchedule.objects.using(using).get_or_create(
                minute=job.crontab.get("minute", "*"),
                hour=job.crontab.get("hour", "*"),
                day_of_month=job.crontab.get("day_of_month", "*"),
                month_of_year=job.crontab.get("month_of_year", "*"),
                day_of_week=job.crontab.get("day_of_week", "*"),
                timezone=job.timezone,
            )
        PeriodicTask.objects.using(using).create(name=job.name, task=job.task, description=job.description, **when)
    return created

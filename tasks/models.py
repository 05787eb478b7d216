from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from learnflow.models import TimeStampedModel, UUIDModel

from .choices import PRIORITY_RANK, GoalCategory, Priority
from .recurrence import validate_recurrence


class Task(UUIDModel):
    """A to-do item. Completing one with a recurrence rule creates its next occurrence exactly once
    (``previous`` is unique); a due reminder is sent once (``reminder_sent_at``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=10_000)
    start_date = models.DateTimeField(null=True, blank=True)
    due_date = models.DateTimeField(null=True, blank=True)
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    priority_rank = models.GeneratedField(
        expression=models.Case(
            *(models.When(priority=choice, then=models.Value(rank)) for choice, rank in PRIORITY_RANK.items()),
            default=models.Value(0),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    tags = models.JSONField(default=list, blank=True)
    reminder_enabled = models.BooleanField(default=False)
    reminder_time = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    recurrence = models.CharField(max_length=200, blank=True, validators=[validate_recurrence])
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_occurrence", editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "completed", "due_date"], name="tasks_task_user_due"),
            models.Index(fields=["user", "-created_at"], name="tasks_task_user_created"),
            models.Index(
                fields=["reminder_time"],
                condition=models.Q(reminder_enabled=True, reminder_sent_at__isnull=True, completed=False),
                name="tasks_task_pending_reminder",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GoalSequence(models.Model):
    """The last goal number handed to a user. Numbers are never reused, so ``/api/goals/3`` keeps
    naming the same goal (or nothing) however many others are deleted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="goal_sequence"
    )
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.last_number}"


class Goal(TimeStampedModel):
    """A learning goal, addressed per user by its ``number`` (the LearnFlow seed's ``/api/goals/1``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals")
    number = models.PositiveIntegerField(editable=False)
    goal_name = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=GoalCategory.choices, default=GoalCategory.PRIMARY)
    deadline = models.DateField(null=True, blank=True)
    is_complete = models.BooleanField(default=False)
    last_progress_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_progress_number = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["user", "number"], name="tasks_goal_user_number_unique")]

    def __str__(self) -> str:
        return f"#{self.number} {self.goal_name}"


class Progress(TimeStampedModel):
    """Time logged toward a goal: ``logged_hours`` of ``total_hours``, numbered per goal."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="entries")
    number = models.PositiveIntegerField(editable=False)
    progress = models.TextField(max_length=5000, blank=True)
    logged_hours = models.DurationField(validators=[MinValueValidator(timedelta(0))])
    total_hours = models.DurationField(validators=[MinValueValidator(timedelta(seconds=1))])
    is_complete = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "progress entries"
        constraints = [models.UniqueConstraint(fields=["goal", "number"], name="tasks_progress_goal_number_unique")]
        indexes = [models.Index(fields=["goal", "created_at"], name="tasks_progress_goal_created")]

    def __str__(self) -> str:
        return f"{self.goal_id}/{self.number}"

    @property
    def percentage_complete(self) -> float:
        return percentage(self.logged_hours, self.total_hours)


def percentage(logged: timedelta | None, total: timedelta | None) -> float:
    """Logged ÷ total as a percentage with two decimals, capped at 100; 0 when nothing is planned."""
    if not total or total <= timedelta(0):
        return 0.0
    return round(min(100.0, 100 * (logged or timedelta(0)) / total), 2)

"""Shapes of the tasks and goals API (the SPA's Task contract and the LearnFlow seed's goals)."""

from datetime import timedelta

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from learnflow import dates
from learnflow.dates import ModelSerializer
from tasks.choices import Priority
from tasks.models import Goal, Progress, Task
from tasks.recurrence import validate_recurrence
from tasks.selectors import goal_completion_percentage

MAX_TAGS = 20
MAX_DURATION = timedelta(days=366)


class TaskSerializer(ModelSerializer):
    """A task. ``null`` for description or tags means empty, for priority the default (medium)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000, allow_blank=True, allow_null=True, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, allow_null=True, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50, allow_blank=True),
        max_length=MAX_TAGS,
        allow_null=True,
        required=False,
        help_text=f"Up to {MAX_TAGS} tags; trimmed, lower-cased and de-duplicated; blank ones are dropped.",
    )
    recurrence = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        validators=[validate_recurrence],
        help_text="RRULE subset, e.g. FREQ=DAILY, FREQ=WEEKLY;BYDAY=MO,WE, FREQ=MONTHLY;BYMONTHDAY=15. Blank: none.",
    )

    class Meta:
        model = Task
        fields = (
            "id", "title", "description", "start_date", "due_date", "completed", "completed_at", "priority", "tags",
            "reminder_enabled", "reminder_time", "recurrence", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = ("id", "completed_at", "created_at", "updated_at")

    def validate_description(self, value):
        return value or ""

    def validate_priority(self, value):
        return value or Priority.MEDIUM

    def validate_tags(self, value):
        tags: list[str] = []
        for tag in value or []:
            tag = tag.strip().lower()
            if tag and tag not in tags:
                tags.append(tag)
        return tags


class GoalSerializer(ModelSerializer):
    """A goal; ``id`` is the user's goal number, as in ``/api/goals/<n>``."""

    id = serializers.IntegerField(source="number", read_only=True)
    completion_percentage = serializers.SerializerMethodField()

    #: What it reads of a goal of ``goal_list`` (the plain list's compiled rows hold these).
    ROW_FIELDS = (
        "number", "goal_name", "category", "deadline", "is_complete", "logged_total", "planned_total",
        "last_progress_at", "created_at", "updated_at",
    )  # fmt: skip

    class Meta:
        model = Goal
        fields = (
            "id", "goal_name", "category", "deadline", "is_complete", "completion_percentage", "last_progress_at",
            "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = ("last_progress_at", "created_at", "updated_at")

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_completion_percentage(self, goal: Goal) -> float:
        return goal_completion_percentage(goal)


class ProgressSerializer(ModelSerializer):
    """A progress entry; ``id`` is its number within the goal, ``goal`` the goal's number."""

    id = serializers.IntegerField(source="number", read_only=True)
    goal = serializers.IntegerField(source="goal.number", read_only=True)
    logged_hours = serializers.DurationField(
        min_value=timedelta(0), max_value=MAX_DURATION, help_text="HH:MM:SS, zero or more"
    )
    total_hours = serializers.DurationField(
        min_value=timedelta(seconds=1), max_value=MAX_DURATION, help_text="HH:MM:SS, more than zero"
    )
    percentage_complete = serializers.FloatField(read_only=True)

    class Meta:
        model = Progress
        fields = (
            "id", "goal", "progress", "logged_hours", "total_hours", "is_complete", "percentage_complete",
            "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = ("is_complete", "created_at", "updated_at")


class WeeklySummarySerializer(serializers.Serializer):
    week_start = dates.DateField(help_text="Monday of the week, in your timezone")
    total_hours = serializers.FloatField()


class MonthlySummarySerializer(serializers.Serializer):
    month_start = dates.DateField(help_text="first day of the month, in your timezone")
    total_hours = serializers.FloatField()

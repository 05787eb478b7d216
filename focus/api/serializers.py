"""Shapes of the focus API: the SPA's timer contract and the study-session log."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community.models import Group
from focus import selectors
from focus.choices import SessionType
from focus.models import ShutdownReflection, StudySession
from focus.services import MAX_MANUAL_MINUTES, MAX_PLANNED_MINUTES
from learnflow import dates
from learnflow.dates import ModelSerializer
from tasks.models import Task


@extend_schema_field(OpenApiTypes.UUID)
class OwnTaskField(serializers.PrimaryKeyRelatedField):
    """A task of the caller's; anyone else's id reads as nonexistent."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return Task.objects.none()
        return Task.objects.filter(user=request.user)


@extend_schema_field(OpenApiTypes.UUID)
class SessionGroupField(serializers.PrimaryKeyRelatedField):
    """One of the caller's active groups; any other id (a group they are not in, an inactive one)
    reads as nonexistent. On an edit, the session's own group stays acceptable."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return Group.objects.none()
        instance = getattr(self.parent, "instance", None)
        current_group_id = instance.group_id if isinstance(instance, StudySession) else None
        return selectors.session_group_choices(user=request.user, current_group_id=current_group_id)


class FocusSessionSerializer(ModelSerializer):
    """The timer contract's session (session_id, start_time, end_time, actual_duration in minutes)."""

    session_id = serializers.UUIDField(source="id", read_only=True)
    user_id = serializers.UUIDField(read_only=True)
    start_time = dates.DateTimeField(source="started_at", read_only=True)
    end_time = dates.DateTimeField(source="ended_at", read_only=True, allow_null=True)
    actual_duration = serializers.IntegerField(source="duration_minutes", read_only=True, allow_null=True)

    class Meta:
        model = StudySession
        fields = (
            "session_id", "user_id", "start_time", "end_time", "planned_duration", "actual_duration",
            "session_type", "status", "topic", "task", "group", "verified", "ai_summary_status",
        )  # fmt: skip
        read_only_fields = fields


class FocusSessionStartSerializer(serializers.Serializer):
    duration_minutes = serializers.IntegerField(min_value=1, max_value=MAX_PLANNED_MINUTES)
    session_type = serializers.ChoiceField(choices=SessionType.choices, default=SessionType.FOCUS)
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    task = OwnTaskField(required=False, allow_null=True, default=None)
    group = SessionGroupField(required=False, allow_null=True, default=None)


class FocusSessionEndSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class FocusDaySummarySerializer(serializers.Serializer):
    date = dates.DateTimeField(help_text="the start of your local day")
    total_focus_sessions = serializers.IntegerField()
    total_focus_time = serializers.IntegerField(help_text="seconds")
    total_break_time = serializers.IntegerField(help_text="seconds")
    focus_sessions = FocusSessionSerializer(many=True)


class FocusWeekSummarySerializer(serializers.Serializer):
    week_start = dates.DateTimeField(help_text="Monday 00:00 of your local week")
    week_end = dates.DateTimeField(help_text="the next Monday 00:00 (exclusive)")
    total_focus_sessions = serializers.IntegerField()
    total_focus_time = serializers.IntegerField(help_text="seconds")
    total_break_time = serializers.IntegerField(help_text="seconds")
    daily_summaries = FocusDaySummarySerializer(many=True)


class StudySessionSerializer(ModelSerializer):
    duration_minutes = serializers.IntegerField(read_only=True, allow_null=True)
    group = SessionGroupField(required=False, allow_null=True)

    class Meta:
        model = StudySession
        fields = (
            "id", "topic", "duration_minutes", "notes", "ai_summary", "ai_summary_status", "verified", "started_at",
            "ended_at", "created_at", "session_type", "status", "source", "planned_duration", "task", "group",
        )  # fmt: skip
        read_only_fields = tuple(f for f in fields if f not in ("topic", "notes", "group"))


class StudySessionLogSerializer(serializers.Serializer):
    """A manual log, as the AI tracker's ``POST /sessions`` body."""

    topic = serializers.CharField(max_length=200)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=MAX_MANUAL_MINUTES)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    started_at = dates.DateTimeField(required=False, default=None)
    task = OwnTaskField(required=False, allow_null=True, default=None)
    group = SessionGroupField(required=False, allow_null=True, default=None)


class TodayTaskSerializer(serializers.Serializer):
    name = serializers.CharField()
    completed = serializers.BooleanField()


class ShutdownSummarySerializer(serializers.Serializer):
    """The shutdown modal's data, with the SPA's camelCase keys."""

    tasksCompleted = serializers.IntegerField()
    tasksTotal = serializers.IntegerField()
    pendingTasks = serializers.IntegerField()
    todayTasks = TodayTaskSerializer(many=True)
    focusTime = serializers.IntegerField(help_text="verified focus minutes today")
    focusGoal = serializers.IntegerField(help_text="your daily focus goal, minutes")
    shutdownStreak = serializers.IntegerField()
    pointsEarned = serializers.IntegerField()
    clockedOutTime = serializers.CharField(help_text="local HH:MM")


class ShutdownReflectionSerializer(ModelSerializer):
    mindful_disconnect_completed = serializers.ListField(
        child=serializers.BooleanField(), max_length=20, required=False, default=list
    )
    reflection_note = serializers.CharField(max_length=5000, required=False, allow_blank=True, allow_null=True)
    session_id = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    shutdown_date = dates.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ShutdownReflection
        fields = (
            "id", "productivity_rating", "reflection_note", "mindful_disconnect_completed", "session_id",
            "created_at", "shutdown_date", "local_date",
        )  # fmt: skip
        read_only_fields = ("id", "created_at", "shutdown_date", "local_date")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["reflection_note"] = data["reflection_note"] or None
        data["session_id"] = data["session_id"] or None
        return data

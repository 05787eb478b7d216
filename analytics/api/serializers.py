from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from analytics.models import WeeklyReview
from learnflow import dates
from learnflow.dates import ModelSerializer


class StatsSerializer(serializers.Serializer):
    total_sessions = serializers.IntegerField()
    total_minutes = serializers.IntegerField()
    average_duration = serializers.FloatField(help_text="minutes")
    most_frequent_topic = serializers.CharField(allow_null=True)


class DateRangeSerializer(serializers.Serializer):
    date_from = dates.DateField(required=False, help_text="first local day (inclusive)")
    date_to = dates.DateField(required=False, help_text="last local day (inclusive)")

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": ["The end comes before the start."]})
        return attrs


class GroupTimeSerializer(serializers.Serializer):
    group_id = serializers.UUIDField(allow_null=True, help_text="null: study outside any group")
    group_name = serializers.CharField()
    total_minutes = serializers.IntegerField()
    session_count = serializers.IntegerField()
    percentage = serializers.FloatField(help_text="share of the total time")


class TimeByGroupSerializer(serializers.Serializer):
    date_from = dates.DateField(allow_null=True)
    date_to = dates.DateField(allow_null=True)
    total_minutes = serializers.IntegerField()
    groups = GroupTimeSerializer(many=True)


class WeeklyReviewNowSerializer(serializers.Serializer):
    weekly_summary = serializers.CharField()
    patterns = serializers.CharField()
    recommendations = serializers.CharField()
    generated_by = serializers.ChoiceField(choices=WeeklyReview.Source.choices)
    period_start = dates.DateTimeField()
    period_end = dates.DateTimeField()


class WeeklyReviewSerializer(ModelSerializer):
    class Meta:
        model = WeeklyReview
        fields = (
            "id", "week_start", "week_end", "weekly_summary", "patterns", "recommendations", "generated_by",
            "created_at",
        )  # fmt: skip
        read_only_fields = fields


class StreakSerializer(serializers.Serializer):
    current_streak = serializers.IntegerField()
    longest_streak = serializers.IntegerField()
    last_active_date = dates.DateField(allow_null=True)
    streak_start_date = dates.DateField(allow_null=True)
    days_until_break = serializers.IntegerField()
    active_today = serializers.BooleanField()


class MyStreaksSerializer(StreakSerializer):
    """The study streak at the top level, and the shutdown streak beside it."""

    shutdown = StreakSerializer()


class PublicStreakSerializer(serializers.Serializer):
    current_streak = serializers.IntegerField()
    longest_streak = serializers.IntegerField()
    last_active_date = dates.DateField(allow_null=True)
    active_today = serializers.BooleanField()


class CalendarDaySerializer(serializers.Serializer):
    date = dates.DateField()
    session_count = serializers.IntegerField()
    minutes = serializers.IntegerField()


class CalendarSerializer(serializers.Serializer):
    month = serializers.CharField()
    days = CalendarDaySerializer(many=True)


class StreakStatsSerializer(StreakSerializer):
    total_active_days = serializers.IntegerField()
    active_days_last_30 = serializers.IntegerField()
    consistency_last_30 = serializers.FloatField(help_text="percent of the last 30 local days with study")
    average_sessions_per_active_day = serializers.FloatField()
    first_active_date = dates.DateField(allow_null=True)


class FocusLeaderSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user = UserSummarySerializer()
    total_minutes = serializers.IntegerField(help_text="verified focus minutes in the period")
    session_count = serializers.IntegerField()
    is_current_user = serializers.BooleanField()

from rest_framework import serializers

from analytics.models import WeeklyReview


class StatsSerializer(serializers.Serializer):
    total_sessions = serializers.IntegerField()
    total_minutes = serializers.IntegerField()
    average_duration = serializers.FloatField(help_text="minutes")
    most_frequent_topic = serializers.CharField(allow_null=True)


class WeeklyReviewNowSerializer(serializers.Serializer):
    weekly_summary = serializers.CharField()
    patterns = serializers.CharField()
    recommendations = serializers.CharField()
    generated_by = serializers.ChoiceField(choices=WeeklyReview.Source.choices)
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()


class WeeklyReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = WeeklyReview
        fields = (
            "id", "week_start", "week_end", "weekly_summary", "patterns", "recommendations", "generated_by",
            "created_at",
        )  # fmt: skip
        read_only_fields = fields

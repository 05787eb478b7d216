"""Shapes of the challenges API, with the SPA contract's keys."""

from rest_framework import serializers

from challenges.choices import ChallengeType
from learnflow import dates


class WeeklyChallengeSerializer(serializers.Serializer):
    """A challenge of the week; ``progress`` / ``total`` / ``status`` are the caller's, null when not joined.
    The items come built by ``selectors.week_challenges`` in this shape."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()
    points = serializers.IntegerField()
    challenge_type = serializers.ChoiceField(choices=ChallengeType.choices)
    target_value = serializers.IntegerField()
    duration_days = serializers.IntegerField()
    is_active = serializers.BooleanField()
    created_at = dates.DateTimeField()
    week_start = dates.DateField()
    joined_count = serializers.IntegerField()
    joined_avatars = serializers.ListField(child=serializers.CharField(), read_only=True)
    progress = serializers.IntegerField(allow_null=True, read_only=True)
    total = serializers.IntegerField(allow_null=True, read_only=True)
    status = serializers.CharField(allow_null=True, read_only=True)


class ChallengeStatsSerializer(serializers.Serializer):
    total_points = serializers.IntegerField()
    challenges_done = serializers.IntegerField()
    shutdown_streak = serializers.IntegerField()
    avg_shutdown_time = serializers.CharField(help_text="average local time of your shutdowns, HH:MM")


class LeaderSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    avatar = serializers.CharField()
    points = serializers.IntegerField()
    is_current_user = serializers.BooleanField()


class LeftSerializer(serializers.Serializer):
    message = serializers.CharField()


class AchievementSerializer(serializers.Serializer):
    id = serializers.CharField(source="code")
    name = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    requirement_type = serializers.CharField()
    requirement_value = serializers.IntegerField()
    points = serializers.IntegerField()
    icon = serializers.CharField()


class UnlockedAchievementSerializer(AchievementSerializer):
    unlocked_at = dates.DateTimeField()


class AchievementProgressSerializer(serializers.Serializer):
    achievement = AchievementSerializer()
    current_value = serializers.IntegerField()
    requirement_value = serializers.IntegerField(source="achievement.requirement_value")
    percentage = serializers.SerializerMethodField()
    unlocked = serializers.BooleanField()
    unlocked_at = dates.DateTimeField(allow_null=True)

    def get_percentage(self, row) -> float:
        return round(min(100.0, 100 * row["current_value"] / row["achievement"].requirement_value), 1)

"""Shapes of the challenges API, with the SPA contract's keys."""

from rest_framework import serializers

from challenges.choices import ChallengeType
from challenges.models import WeeklyChallenge
from learnflow import dates


class WeeklyChallengeSerializer(serializers.Serializer):
    """A challenge of the week; ``progress`` / ``total`` / ``status`` are the caller's, null when not joined."""

    id = serializers.UUIDField()
    name = serializers.CharField(source="challenge.name")
    description = serializers.CharField(source="challenge.description")
    points = serializers.IntegerField(source="challenge.points")
    challenge_type = serializers.ChoiceField(source="challenge.challenge_type", choices=ChallengeType.choices)
    target_value = serializers.IntegerField(source="challenge.target_value")
    duration_days = serializers.IntegerField(source="challenge.duration_days")
    is_active = serializers.BooleanField(source="challenge.is_active")
    created_at = dates.DateTimeField()
    week_start = dates.DateField()
    joined_count = serializers.IntegerField()
    joined_avatars = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    def _mine(self, instance: WeeklyChallenge):
        return instance.mine[0] if instance.mine else None

    def get_joined_avatars(self, instance) -> list[str]:
        return [p.user.avatar_url for p in instance.first_joiners]

    def get_progress(self, instance) -> int | None:
        mine = self._mine(instance)
        return mine.progress if mine else None

    def get_total(self, instance) -> int | None:
        return instance.challenge.target_value if self._mine(instance) else None

    def get_status(self, instance) -> str | None:
        mine = self._mine(instance)
        return mine.status if mine else None


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

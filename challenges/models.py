import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from learnflow.models import TimeStampedModel, UUIDModel

from .choices import AchievementCategory, ChallengeType, ParticipationStatus, PointsReason, RequirementType


class Challenge(UUIDModel):
    """A challenge definition; each active weekly one gets an instance (``WeeklyChallenge``) per week."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField()
    points = models.PositiveIntegerField(default=0)
    challenge_type = models.CharField(max_length=16, choices=ChallengeType.choices)
    target_value = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    duration_days = models.PositiveSmallIntegerField(default=7)
    is_active = models.BooleanField(default=True)
    is_weekly = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WeeklyChallenge(UUIDModel):
    """A challenge in one challenge week (Monday 00:00 to Monday 00:00 in LEARNFLOW_WEEK_TIMEZONE)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="weeks")
    week_start = models.DateField()
    finalized_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-week_start", "challenge__name"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "week_start"], name="challenges_week_instance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.challenge.name} ({self.week_start})"


class Participation(TimeStampedModel):
    """A user in a week's challenge. ``progress`` is derived by the server from the user's activity;
    no client sets it. One per (user, weekly challenge)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    weekly_challenge = models.ForeignKey(WeeklyChallenge, on_delete=models.CASCADE, related_name="participations")
    progress = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(
        max_length=12, choices=ParticipationStatus.choices, default=ParticipationStatus.IN_PROGRESS, editable=False
    )
    points_earned = models.PositiveIntegerField(default=0, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "weekly_challenge"], name="challenges_one_participation")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.weekly_challenge_id}"

    @property
    def joined_at(self):
        return self.created_at


class PointsEntry(models.Model):
    """One award (or staff revocation) of points: the ledger every total derives from. Append-only,
    and unique per (user, reason, source), so the same award can never count twice."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_entries")
    points = models.IntegerField()
    reason = models.CharField(max_length=24, choices=PointsReason.choices)
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=64)
    week_start = models.DateField(help_text="the challenge week the points count for")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "points entries"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "reason", "source_type", "source_id"], name="challenges_points_once_per_source"
            )
        ]
        indexes = [models.Index(fields=["week_start", "user"], name="challenges_points_week_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.points:+d} {self.reason}"


class UserPoints(models.Model):
    """Per-user totals kept beside the ledger for fast reads; ``rebuild_points`` recomputes them.
    ``weekly_points`` counts the week in ``week_start`` only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="points"
    )
    total_points = models.IntegerField(default=0)
    weekly_points = models.IntegerField(default=0)
    week_start = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "user points"
        # The leaderboard's order (ties by user id) and its rank count, read from the index alone.
        indexes = [models.Index(fields=["week_start", "-weekly_points", "user"], name="challenges_points_week_rank")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.total_points}"


class WeeklyPointsCount(models.Model):
    """How many users have exactly ``weekly_points`` (> 0) in the week of ``week_start``: a rank is
    one more than the sum over higher scores, so it costs the number of distinct scores above the
    caller, not the number of users. Kept by PostgreSQL triggers on ``UserPoints`` in the writing
    statement's transaction (see the migration); the weekly reset rebuilds it from the totals."""

    week_start = models.DateField()
    weekly_points = models.IntegerField()
    users = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week_start", "weekly_points"], name="challenges_points_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.week_start}: {self.users} at {self.weekly_points}"


class WeeklyResult(models.Model):
    """A user's final points and rank in a finished challenge week, kept by the weekly reset."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_results")
    week_start = models.DateField()
    points = models.IntegerField()
    rank = models.PositiveIntegerField()

    class Meta:
        ordering = ["-week_start", "rank"]
        constraints = [models.UniqueConstraint(fields=["user", "week_start"], name="challenges_result_unique")]

    def __str__(self) -> str:
        return f"{self.week_start} #{self.rank} {self.user_id}"


class Achievement(models.Model):
    """An achievement definition: reaching ``requirement_value`` of ``requirement_type`` unlocks it."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300)
    category = models.CharField(max_length=12, choices=AchievementCategory.choices)
    requirement_type = models.CharField(max_length=24, choices=RequirementType.choices)
    requirement_value = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    points = models.PositiveIntegerField(default=0)
    icon = models.CharField(max_length=50, blank=True, help_text="an icon name the SPA knows")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "requirement_value", "code"]

    def __str__(self) -> str:
        return self.name


class UserAchievement(models.Model):
    """An unlocked achievement, once per user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements")
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="unlocks")
    unlocked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-unlocked_at"]
        constraints = [models.UniqueConstraint(fields=["user", "achievement"], name="challenges_achievement_once")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.achievement_id}"

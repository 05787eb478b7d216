from django.conf import settings
from django.db import models

from learnflow.models import UUIDModel


class WeeklyReview(UUIDModel):
    """A stored review of one local week (Monday to Sunday) of a user's study, written once by the
    ``weekly_reviews`` job (AI, or the offline writer)."""

    class Source(models.TextChoices):
        AI = "ai", "AI model"
        OFFLINE = "offline", "Offline writer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_reviews")
    week_start = models.DateField()
    week_end = models.DateField()
    weekly_summary = models.TextField()
    patterns = models.TextField()
    recommendations = models.TextField()
    generated_by = models.CharField(max_length=8, choices=Source.choices)

    class Meta:
        ordering = ["-week_start"]
        constraints = [models.UniqueConstraint(fields=["user", "week_start"], name="analytics_review_user_week_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} week of {self.week_start}"


class Streak(models.Model):
    """A user's stored study streak, kept up to date after each session and repaired nightly by
    ``recompute_streaks``. Days are the user's local dates when the sessions happened."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="streak"
    )
    current_streak = models.PositiveIntegerField(default=0)
    longest_streak = models.PositiveIntegerField(default=0)
    last_active_date = models.DateField(null=True, blank=True)
    streak_start_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.current_streak} (best {self.longest_streak})"


class FocusTotal(models.Model):
    """Verified focus time of a user in one period (this challenge week, month or all time), kept
    beside the sessions so a leaderboard of 100k users is an index scan, not an aggregation.
    Rebuilt from the sessions after each completed session and nightly."""

    class Period(models.TextChoices):
        WEEKLY = "weekly", "Week"
        MONTHLY = "monthly", "Month"
        ALL_TIME = "all_time", "All time"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="focus_totals")
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField()
    seconds = models.PositiveIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period", "period_start"], name="analytics_focus_total_unique")
        ]
        # The boards' order (ties by user id) and the caller's rank count, read from the index alone.
        indexes = [
            models.Index(fields=["period", "period_start", "-seconds", "user"], name="analytics_focus_total_order")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} {self.period_start}: {self.seconds}s"


class FocusScoreCount(models.Model):
    """How many users have exactly ``seconds`` of verified focus time in a period (``seconds`` > 0):
    a rank is one more than the sum over higher scores, so it costs the number of distinct scores
    above the caller, not the number of users. Kept by PostgreSQL triggers on ``FocusTotal`` in the
    writing statement's transaction (every insert, update and delete, cascades included; see the
    migration), and rebuilt from the totals by the nightly ``recompute_focus_totals``."""

    period = models.CharField(max_length=8, choices=FocusTotal.Period.choices)
    period_start = models.DateField()
    seconds = models.PositiveIntegerField()
    users = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "period_start", "seconds"], name="analytics_focus_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.period_start}: {self.users} at {self.seconds}s"

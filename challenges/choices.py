from django.db import models


class ChallengeType(models.TextChoices):
    SHUTDOWN = "shutdown", "Shutdown before 17:00 (local days)"
    FOCUS = "focus", "Completed focus sessions"
    TASK = "task", "Completed tasks"
    BREAK = "break", "Breaks taken after a focus session"


class ParticipationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    INCOMPLETE = "incomplete", "Week ended before the target"


class PointsReason(models.TextChoices):
    CHALLENGE_COMPLETED = "challenge_completed", "Challenge completed"
    SHUTDOWN_DAY = "shutdown_day", "Daily shutdown"
    ACHIEVEMENT = "achievement", "Achievement unlocked"
    STAFF_AWARD = "staff_award", "Awarded by staff"
    STAFF_REVOKE = "staff_revoke", "Revoked by staff"


class AchievementCategory(models.TextChoices):
    SESSIONS = "sessions", "Sessions"
    TIME = "time", "Focus time"
    STREAK = "streak", "Streaks"
    SOCIAL = "social", "Community"
    CHALLENGES = "challenges", "Challenges"


class RequirementType(models.TextChoices):
    TOTAL_SESSIONS = "total_sessions", "Completed focus sessions (timed)"
    TOTAL_FOCUS_MINUTES = "total_focus_minutes", "Verified focus minutes"
    STREAK_DAYS = "streak_days", "Longest run of days with timed focus"
    COMMUNITY_POSTS = "community_posts", "Forum posts"
    CHALLENGES_COMPLETED = "challenges_completed", "Weekly challenges completed"

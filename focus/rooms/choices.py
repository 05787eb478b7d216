from django.db import models


class RoomVisibility(models.TextChoices):
    PUBLIC = "public", "Public"
    GROUP = "group", "Group members only"


class TimerStatus(models.TextChoices):
    IDLE = "idle", "Idle"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed (the next phase waits for a start)"


class Phase(models.TextChoices):
    WORK = "work", "Work"
    BREAK = "break", "Break"
    LONG_BREAK = "long_break", "Long break"


class PhaseOutcome(models.TextChoices):
    COMPLETED = "completed", "Ran its full time"
    SKIPPED = "skipped", "Skipped"
    STOPPED = "stopped", "Stopped (reset, room emptied or closed)"


class ParticipantStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    IDLE = "idle", "Idle"

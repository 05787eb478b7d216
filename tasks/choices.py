from django.db import models


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


#: Sort rank of each priority: ``ordering=-priority`` puts high first.
PRIORITY_RANK = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}


class DueDateRange(models.TextChoices):
    TODAY = "today", "Due on the user's local today"
    UPCOMING = "upcoming", "Due after the user's local today"
    OVERDUE = "overdue", "Due before the user's local today and not completed"


class GoalCategory(models.TextChoices):
    PRIMARY = "Primary", "Primary"
    SECONDARY = "Secondary", "Secondary"
    MINOR = "Minor", "Minor"

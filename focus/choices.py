from django.db import models


class SessionType(models.TextChoices):
    FOCUS = "focus", "Focus"
    BREAK = "break", "Break"


class SessionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class SessionSource(models.TextChoices):
    TIMER = "timer", "Timer (server-timed)"
    MANUAL = "manual", "Logged by hand"
    ROOM = "room", "Focus room (server-timed)"


#: Sources the server timed itself: their minutes are verified.
TIMED_SOURCES = (SessionSource.TIMER, SessionSource.ROOM)


class SummaryStatus(models.TextChoices):
    NONE = "none", "No summary"
    PENDING = "pending", "Pending"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ProductivityRating(models.TextChoices):
    GREAT = "great", "Great"
    GOOD = "good", "Good"
    OKAY = "okay", "Okay"
    TOUGH = "tough", "Tough"

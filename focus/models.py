from django.conf import settings
from django.db import models

from learnflow.models import UUIDModel

from .choices import ProductivityRating, SessionSource, SessionStatus, SessionType, SummaryStatus


class StudySession(UUIDModel):
    """One session model for the focus timer and for manual logs.

    A timer session is timed by the server: its duration is ``ended_at - started_at`` and it is
    ``verified``. A manual log ("I studied 90 minutes") counts in personal stats but is never
    verified, so it never earns points, challenge progress or leaderboard rank. A user has at most
    one active session (a partial unique constraint, so parallel starts cannot both win).

    A focus room credits each participant of a work phase with one session (``source`` room), timed
    by the room's server clock and so verified too, once per (phase, user).

    A session may be put in one of the user's active study groups. It keeps that group when the user
    later leaves the group (or the group is deleted): the session happened in it, and leaving does not
    rewrite the past.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_sessions")
    session_type = models.CharField(max_length=8, choices=SessionType.choices, default=SessionType.FOCUS)
    topic = models.CharField(max_length=200, blank=True)
    notes = models.TextField(max_length=10_000, blank=True)
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    group = models.ForeignKey(
        "community.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="study_sessions"
    )
    room = models.ForeignKey(
        "focus.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions", editable=False
    )
    room_phase = models.ForeignKey(
        "focus.RoomPhase", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions", editable=False
    )
    started_at = models.DateTimeField()
    local_date = models.DateField(
        null=True, blank=True, editable=False, help_text="the user's local date when the session started"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    planned_duration = models.PositiveSmallIntegerField(null=True, blank=True, help_text="minutes")
    duration_seconds = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="ended_at - started_at, set when the session ends"
    )
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.ACTIVE)
    source = models.CharField(max_length=8, choices=SessionSource.choices, default=SessionSource.TIMER)
    verified = models.BooleanField(default=False, editable=False)
    ai_summary = models.TextField(blank=True, editable=False)
    ai_summary_status = models.CharField(
        max_length=8, choices=SummaryStatus.choices, default=SummaryStatus.NONE, editable=False
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="active"), name="focus_one_active_session_per_user"
            ),
            models.UniqueConstraint(
                fields=["room_phase", "user"],
                condition=models.Q(room_phase__isnull=False),
                name="focus_one_session_per_room_phase",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="focus_session_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="focus_session_user_started"),
            models.Index(fields=["status", "started_at"], name="focus_session_status_started"),
            # Personal analytics read a user's completed focus sessions by local day; the index holds
            # every column they aggregate, so even an all-time report reads no table rows. (Key columns
            # rather than INCLUDE, which SQLite, the embedded default, does not have.)
            models.Index(
                fields=["user", "local_date", "started_at", "duration_seconds", "verified", "topic"],
                condition=models.Q(session_type="focus", status="completed"),
                name="focus_counted_user_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_type} {self.topic or ''} {self.started_at:%Y-%m-%d %H:%M}".strip()

    @property
    def duration_minutes(self) -> int | None:
        return None if self.duration_seconds is None else self.duration_seconds // 60


class ShutdownReflection(UUIDModel):
    """An end-of-day reflection. ``local_date`` is the user's local day when it was written; several
    on one day are all kept but count once toward the shutdown streak."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shutdown_reflections")
    productivity_rating = models.CharField(max_length=8, choices=ProductivityRating.choices)
    reflection_note = models.TextField(max_length=5000, blank=True)
    mindful_disconnect_completed = models.JSONField(default=list, blank=True)
    session_id = models.CharField(max_length=100, blank=True, help_text="the SPA's optional work-session reference")
    local_date = models.DateField(editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-local_date"], name="focus_reflection_user_date")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.local_date} {self.productivity_rating}"


from .rooms.models import Room, RoomParticipant, RoomPhase, RoomPresence, RoomTimer  # noqa: E402

__all__ = ["Room", "RoomParticipant", "RoomPhase", "RoomPresence", "RoomTimer", "ShutdownReflection", "StudySession"]

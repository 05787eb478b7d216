from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from learnflow.models import TimeStampedModel, UUIDModel

from .choices import ParticipantStatus, Phase, PhaseOutcome, RoomVisibility, TimerStatus


class Room(UUIDModel):
    """A focus room: people focusing together on one server-timed pomodoro.

    The timer's state lives on the room row, so one row lock orders every change to a room (timer
    transitions, joins for the last seat, hand-overs) and numbers its live events (``event_seq``).
    ``is_active`` false is a closed room: gone for the API, kept with its history.
    """

    name = models.CharField(max_length=100)
    description = models.TextField(max_length=1000, blank=True)
    work_minutes = models.PositiveSmallIntegerField(
        default=25, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    break_minutes = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    long_break_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    long_break_every = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(2), MaxValueValidator(12)], help_text="work phases"
    )
    auto_start_break = models.BooleanField(default=True)
    auto_start_work = models.BooleanField(default=False)
    participants_control = models.BooleanField(default=False, help_text="any participant may run the timer")
    visibility = models.CharField(max_length=8, choices=RoomVisibility.choices, default=RoomVisibility.PUBLIC)
    group = models.ForeignKey("community.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="rooms")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="hosted_rooms"
    )
    max_participants = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    is_active = models.BooleanField(default=True)

    timer_status = models.CharField(max_length=10, choices=TimerStatus.choices, default=TimerStatus.IDLE)
    timer_phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.WORK)
    phase_index = models.PositiveIntegerField(default=0)
    cycle = models.PositiveIntegerField(default=0)
    phase_started_at = models.DateTimeField(null=True, blank=True)
    phase_ends_at = models.DateTimeField(null=True, blank=True)
    phase_planned_seconds = models.PositiveIntegerField(null=True, blank=True)
    paused_remaining_seconds = models.FloatField(null=True, blank=True)
    phase_pauses = models.JSONField(default=list, blank=True, help_text="[paused_at, resumed_at] pairs")
    phases_recorded = models.PositiveIntegerField(default=0, editable=False)
    event_seq = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility=RoomVisibility.PUBLIC, group__isnull=True)
                | Q(visibility=RoomVisibility.GROUP, group__isnull=False),
                name="focus_room_group_iff_group_visibility",
            ),
            models.CheckConstraint(
                condition=Q(work_minutes__gte=1, work_minutes__lte=180)
                & Q(break_minutes__gte=1, break_minutes__lte=60)
                & Q(max_participants__gte=1, max_participants__lte=500),
                name="focus_room_bounds",
            ),
            models.CheckConstraint(
                condition=Q(long_break_minutes__isnull=True, long_break_every__isnull=True)
                | Q(long_break_minutes__gte=1, long_break_minutes__lte=60, long_break_every__gte=2),
                name="focus_room_long_break_both_or_neither",
            ),
            models.CheckConstraint(
                condition=~Q(timer_status=TimerStatus.RUNNING) | Q(phase_ends_at__isnull=False),
                name="focus_room_running_has_end",
            ),
        ]
        indexes = [
            models.Index(fields=["timer_status", "phase_ends_at"], name="focus_room_due"),
            models.Index(fields=["group"], condition=Q(is_active=True), name="focus_room_active_group"),
        ]

    def __str__(self) -> str:
        return self.name


class RoomTimer(Room):
    """The rooms seen as timers (the admin's timer list)."""

    class Meta:
        proxy = True
        verbose_name = "room timer"


class RoomParticipant(TimeStampedModel):
    """A user's seat in a room; a user is in at most one room (unique ``user``).

    ``last_seen_at`` is the last sign of life (an open WebSocket's ping or the server's own check on
    it, a REST heartbeat, the join); ``present_since`` starts the current unbroken presence, so the
    longest-present participant is the one with the earliest. ``connections`` counts open sockets.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_seats")
    status = models.CharField(max_length=8, choices=ParticipantStatus.choices, default=ParticipantStatus.ACTIVE)
    joined_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    present_since = models.DateTimeField()
    connections = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user"], name="focus_one_room_per_user")]
        indexes = [models.Index(fields=["room", "joined_at"], name="focus_participant_room")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.room_id}"


class RoomPresence(models.Model):
    """One unbroken stretch of a user's presence in a room: signs of life no more than the presence
    window apart. A sign after a longer silence closes the stretch at its last sign and opens a new
    one; leaving closes it at once. Stretches decide who is credited for a work phase, and for how long.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["room", "user"], condition=Q(ended_at__isnull=True), name="focus_one_open_presence"
            ),
            models.CheckConstraint(condition=Q(last_seen_at__gte=F("started_at")), name="focus_presence_ordered"),
        ]
        indexes = [models.Index(fields=["room", "started_at"], name="focus_presence_room_started")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.room_id} from {self.started_at:%Y-%m-%d %H:%M}"


class RoomPhase(models.Model):
    """A phase the room's timer finished (ran out, skipped or stopped): the room's history. ``number``
    counts the room's recorded phases, so a phase is recorded once even if two sweepers race."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveIntegerField()
    phase = models.CharField(max_length=10, choices=Phase.choices)
    phase_index = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    planned_seconds = models.PositiveIntegerField()
    running_seconds = models.PositiveIntegerField(help_text="started to ended, less pauses")
    outcome = models.CharField(max_length=10, choices=PhaseOutcome.choices)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["room", "number"], name="focus_room_phase_once")]

    def __str__(self) -> str:
        return f"{self.room_id} #{self.number} {self.phase} ({self.outcome})"

"""Reads for focus rooms: which rooms a user may see, their participants and history, and the timer
and participant states that REST and the WebSocket both send."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from community.models import Membership
from focus.models import StudySession

from . import clock
from .choices import RoomVisibility, TimerStatus
from .models import Room, RoomParticipant, RoomPhase, RoomPresence


def presence_window() -> timedelta:
    return timedelta(seconds=settings.LEARNFLOW_ROOM_PRESENCE_SECONDS)


def member_group_ids(user) -> QuerySet:
    return Membership.objects.filter(user=user, group__is_active=True).values("group_id")


def rooms_visible(*, user) -> QuerySet[Room]:
    """Active public rooms, and the rooms of the active groups the user is a member of. A group room
    of any other group does not exist for the user (404)."""
    seats = (
        RoomParticipant.objects.filter(room=OuterRef("pk"))
        .order_by()
        .values("room")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Room.objects.filter(is_active=True)
        .filter(Q(visibility=RoomVisibility.PUBLIC) | Q(group__in=member_group_ids(user)))
        .annotate(
            participant_count=Coalesce(Subquery(seats, output_field=IntegerField()), Value(0)),
            is_participant=Exists(RoomParticipant.objects.filter(room=OuterRef("pk"), user=user)),
        )
        .select_related("host")
    )


def room_participants(*, room: Room) -> QuerySet[RoomParticipant]:
    return RoomParticipant.objects.filter(room=room).select_related("user").order_by("joined_at", "pk")


def room_history(*, room: Room) -> QuerySet[RoomPhase]:
    credited = StudySession.objects.filter(room_phase__isnull=False).select_related("user").order_by("user__username")
    return RoomPhase.objects.filter(room=room).prefetch_related(Prefetch("sessions", queryset=credited))


def in_running_room(*, user, now: datetime | None = None) -> bool:
    """Present in a room whose timer is under way (running or paused)."""
    now = now or timezone.now()
    return RoomParticipant.objects.filter(
        user=user,
        last_seen_at__gte=now - presence_window(),
        room__timer_status__in=(TimerStatus.RUNNING, TimerStatus.PAUSED),
    ).exists()


def plan_of(room: Room) -> clock.Plan:
    return clock.Plan(
        work_seconds=room.work_minutes * 60,
        break_seconds=room.break_minutes * 60,
        long_break_seconds=(room.long_break_minutes or 0) * 60 or None,
        long_break_every=room.long_break_every,
        auto_start_break=room.auto_start_break,
        auto_start_work=room.auto_start_work,
    )


def timer_of(room: Room) -> clock.Timer:
    return clock.Timer(
        status=room.timer_status,
        phase=room.timer_phase,
        phase_index=room.phase_index,
        cycle=room.cycle,
        phase_started_at=room.phase_started_at,
        phase_ends_at=room.phase_ends_at,
        planned_seconds=room.phase_planned_seconds,
        remaining_seconds=room.paused_remaining_seconds,
        pauses=tuple(
            (datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
            for start, end in room.phase_pauses
        ),
    )


def timer_state(room: Room, now: datetime | None = None) -> dict:
    """The timer as clients see it; ``remaining_seconds`` is computed from the server's timestamps."""
    now = now or timezone.now()
    timer, plan = timer_of(room), plan_of(room)
    under_way = timer.status in (TimerStatus.RUNNING, TimerStatus.PAUSED)
    return {
        "status": timer.status,
        "phase": timer.phase,
        "phase_index": timer.phase_index,
        "cycle": timer.cycle,
        "next_phase": timer.next_phase(plan),
        "phase_started_at": timer.phase_started_at,
        "phase_ends_at": timer.phase_ends_at if timer.status == TimerStatus.RUNNING else None,
        "phase_seconds": timer.planned_seconds if under_way else plan.seconds(timer.next_phase(plan)),
        "remaining_seconds": round(timer.remaining(plan, now)),
        "server_time": now,
        "seq": room.event_seq,
    }


def is_present(participant: RoomParticipant, now: datetime) -> bool:
    return participant.last_seen_at >= now - presence_window()


def participant_state(participant: RoomParticipant, *, host_id, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    present = is_present(participant, now)
    user = participant.user
    return {
        "user": {"id": user.pk, "username": user.username, "avatar_url": user.avatar_url},
        "status": participant.status,
        "joined_at": participant.joined_at,
        "present": present,
        "connected": present and participant.connections > 0,
        "is_host": participant.user_id == host_id,
    }


def rooms_export(*, user) -> dict:
    """The rooms the user hosts, their seat (if any) and their presence stretches in rooms."""
    return {
        "hosted": list(
            Room.objects.filter(host=user)
            .order_by("created_at")
            .values("id", "name", "description", "visibility", "group_id", "is_active", "created_at")
        ),
        "seat": (
            RoomParticipant.objects.filter(user=user).values("room_id", "status", "joined_at", "last_seen_at").first()
        ),
        "presence": list(
            RoomPresence.objects.filter(user=user)
            .order_by("started_at")
            .values("room_id", "started_at", "last_seen_at", "ended_at")
        ),
    }

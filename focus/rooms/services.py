"""Writes for focus rooms: rooms, seats, presence and the shared timer.

Every change to a room takes the room's row lock first, then catches the timer up (``_catch_up``),
then applies itself, so joins for the last seat, timer transitions and hand-overs are ordered, and
live events leave in that order with a per-room sequence number, after the commit.

A work phase that ends (its time is up, skipped, stopped) credits every user present during it with
one verified focus session, measured by the server: the time they were present while the timer ran,
less any time their own personal timer already counted. ``(phase, user)`` is unique, and a phase is
recorded once per ``(room, number)``, so two sweepers or a retried job never credit twice.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from community.choices import GroupType, Role
from community.models import Membership
from focus.choices import SessionSource, SessionStatus, SessionType
from focus.models import StudySession
from focus.services import _after_end, completion_grace
from learnflow import live
from learnflow.exceptions import Conflict
from learnflow.outbox import outbox_enqueue
from learnflow.timeutils import local_now, user_zone

from . import clock, selectors
from .choices import Phase, RoomVisibility, TimerStatus
from .models import Room, RoomParticipant, RoomPhase, RoomPresence

MANAGER_ROLES = (Role.LEADER, Role.ADMIN)
TIMER_ACTIONS = ("start", "pause", "resume", "reset", "skip")


def room_group(room_id) -> str:
    return live.group_name("room", room_id)


def _emit(target: Room, event_type: str, /, **payload) -> None:
    """Number the event in the room's sequence (the caller holds the room lock and saves the room)
    and send it to the room after the commit. A timer in the event is the state after it: its
    ``seq`` is the event's."""
    target.event_seq += 1
    if "timer" in payload:
        payload["timer"] = {**payload["timer"], "seq": target.event_seq}
    live.send_after_commit(
        room_group(target.pk), {"type": event_type, "room_id": target.pk, "seq": target.event_seq, **payload}
    )


def room_settings(room: Room) -> dict:
    """The room as every participant sees it in ``room.updated`` (no per-user fields)."""
    fields = (
        "name", "description", "work_minutes", "break_minutes", "long_break_minutes", "long_break_every",
        "auto_start_break", "auto_start_work", "participants_control", "max_participants", "host_id",
    )  # fmt: skip
    return {"id": room.pk, **{field: getattr(room, field) for field in fields}}


def _locking():
    """Rooms locked for a change. ``FOR NO KEY UPDATE`` (what an ``UPDATE`` of the row takes anyway),
    not ``FOR UPDATE``: a row pointing at the room (a stretch of presence, a seat, a session) checks
    its key at commit with a key-share lock, which must not wait for the room lock. A sign of life
    opening a stretch while the room closes otherwise deadlocked: each waited for the other's rows."""
    return Room.objects.select_for_update(no_key=True)


def _lock(room_id) -> Room:
    return _locking().get(pk=room_id)


def _role(room: Room, user) -> str | None:
    if room.group_id is None:
        return None
    return Membership.objects.filter(group_id=room.group_id, user=user).values_list("role", flat=True).first()


def can_manage(room: Room, user) -> bool:
    """The host, or a leader or admin of the room's group, may change or close a room."""
    return room.host_id == user.pk or _role(room, user) in MANAGER_ROLES


def _check_group(user, group) -> None:
    """A group room belongs to an active group the creator is in; in a leader-controlled group only
    its leaders and admins open rooms."""
    membership = Membership.objects.filter(group=group, user=user, group__is_active=True).first()
    if membership is None:
        raise ValidationError({"group": ["No such group."]})
    if group.group_type == GroupType.LEADER_CONTROLLED and membership.role not in MANAGER_ROLES:
        raise PermissionDenied("Only leaders and admins open rooms in this group.")


def _check_long_break(room: Room) -> None:
    if (room.long_break_minutes is None) != (room.long_break_every is None):
        field = "long_break_every" if room.long_break_every is None else "long_break_minutes"
        raise ValidationError({field: ["Set long_break_minutes and long_break_every together, or neither."]})


def _check_visibility(room: Room) -> None:
    if room.visibility == RoomVisibility.GROUP and room.group_id is None:
        raise ValidationError({"group": ["A group room needs its group."]})
    if room.visibility == RoomVisibility.PUBLIC and room.group_id is not None:
        raise ValidationError({"visibility": ["A room in a group is a group room."]})


@transaction.atomic
def room_create(*, user, **fields) -> Room:
    """Open a room; its creator hosts it and takes a seat (leaving any other room)."""
    group = fields.get("group")
    if group is not None:
        fields.setdefault("visibility", RoomVisibility.GROUP)
        _check_group(user, group)
    room = Room(host=user, **fields)
    _check_visibility(room)
    _check_long_break(room)
    room.save()
    room_join(user=user, room=room)
    room.refresh_from_db()
    return room


@transaction.atomic
def room_update(*, user, room: Room, data: dict) -> Room:
    """Change a room's settings. A running phase keeps the length it started with; the new lengths
    apply from the next phase. Fewer seats than people present only stops new joins."""
    if not can_manage(room, user):
        raise PermissionDenied("Only the host or the group's leaders and admins change this room.")
    room = _lock(room.pk)
    _catch_up(room, timezone.now())
    for field, value in data.items():
        setattr(room, field, value)
    _check_visibility(room)
    _check_long_break(room)
    _emit(room, "room.updated", room=room_settings(room))
    room.save()
    return room


@transaction.atomic
def room_close(*, user, room: Room) -> None:
    """Close a room: a running phase ends now and credits who was there, everyone is taken out, and
    the room is gone for the API (its history is kept)."""
    if not can_manage(room, user):
        raise PermissionDenied("Only the host or the group's leaders and admins close this room.")
    _close(room, actor=user)


@transaction.atomic
def room_close_by_staff(*, room: Room) -> None:
    """The admin's "close room": as the host's close, for staff."""
    _close(room, actor=None)


def _close(room: Room, actor) -> bool:
    room = _lock(room.pk)
    if not room.is_active:
        return False
    now = timezone.now()
    _catch_up(room, now)
    _transition(room, "reset", now, actor=actor)
    seated = list(RoomParticipant.objects.filter(room=room).values_list("user_id", flat=True))
    # Seats go first: deleting one waits for a sign of life in flight, whose new stretch the next
    # statements then see and close (as ``_leave`` does).
    RoomParticipant.objects.filter(room=room).delete()
    for user_id in seated:
        _close_presence(room, user_id, now)
    room.is_active = False
    room.host = None
    _emit(room, "room.closed")
    room.save()
    return True


# Seats and presence.


@transaction.atomic
def room_join(*, user, room: Room) -> RoomParticipant:
    """Take a seat. A user sits in one room at a time: joining moves them, atomically. A full room
    refuses (409), also when several people race for its last seat: the room lock counts them one
    by one. Someone whose personal focus timer runs cannot join a room whose timer runs (409), so
    their time is never counted twice. A room without a host gets the joiner as its host. One user's
    joins (a double click, two rooms at once) wait for each other: the later one finds the seat the
    earlier one took."""
    _lock_user(user)
    now = timezone.now()
    current = RoomParticipant.objects.filter(user=user).values_list("room_id", flat=True).first()
    if current == room.pk:
        return RoomParticipant.objects.select_related("user").get(user=user)
    rooms = {r.pk: r for r in _locking().filter(pk__in=[room.pk, current]).order_by("pk")}
    room = rooms[room.pk]
    if not room.is_active:
        raise Conflict("This room is closed.")
    _catch_up(room, now)
    if RoomParticipant.objects.filter(room=room).count() >= room.max_participants:
        raise Conflict("This room is full.")
    if room.timer_status in (TimerStatus.RUNNING, TimerStatus.PAUSED) and _personal_timer_running(user, now):
        raise Conflict("Your own focus timer is running: complete or stop it before joining a running room.")
    if current is not None and current in rooms:
        _leave(rooms[current], user, now)
        rooms[current].save()
    participant = RoomParticipant.objects.create(
        room=room, user=user, joined_at=now, last_seen_at=now, present_since=now
    )
    _open_presence(room, user.pk, now)
    if room.host_id is None:
        room.host = user
    _emit(room, "participant.joined", participant=selectors.participant_state(participant, host_id=room.host_id))
    room.save()
    return participant


def _lock_user(user) -> None:
    """Order the joins of one user: two at once (two tabs, two rooms) end in one seat. ``FOR NO KEY
    UPDATE``, not ``FOR UPDATE``: the key-share lock that a row pointing at the user takes (checked at
    commit) must not wait for it, or a phase being credited under the room's lock, which the join
    waits for, would wait for the join: a deadlock."""
    list(get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk", flat=True))


def _personal_timer_running(user, now: datetime) -> bool:
    """The user's own focus timer still counts time: active and before its planned end (a timer
    counts at most its planned time, however late it is ended)."""
    active = StudySession.objects.filter(
        user=user, status=SessionStatus.ACTIVE, source=SessionSource.TIMER, session_type=SessionType.FOCUS
    ).values_list("started_at", "planned_duration")
    return any(_planned_end(started, planned) > now for started, planned in active)


def _planned_end(started_at: datetime, planned_minutes: int | None) -> datetime:
    return started_at + timedelta(minutes=planned_minutes or 0)


@transaction.atomic
def room_leave(*, user, room: Room) -> None:
    """Leave the room (nothing happens when not in it)."""
    if not RoomParticipant.objects.filter(room=room, user=user).exists():
        return
    room = _lock(room.pk)
    _leave(room, user, timezone.now())
    room.save()


@transaction.atomic
def room_leave_for_deletion(*, user) -> bool:
    """A user whose account is being deleted gives up their seat as ``room_leave`` does (a host hands
    the room over, the last one out stops the timer) but earns nothing more: their presence
    stretches go first, so a phase ended on the way credits only the others. Returns whether they
    had a seat."""
    RoomPresence.objects.filter(user=user).delete()
    seat = RoomParticipant.objects.filter(user=user).select_related("room").first()
    if seat is None:
        return False
    room_leave(user=user, room=seat.room)
    return True


def _leave(room: Room, user, now: datetime) -> None:
    """Take ``user`` out of the locked ``room``: their presence ends now. A leaving host hands the
    room to the longest-present participant (else the longest seated); the last one out stops the
    timer, crediting the phase so far."""
    _catch_up(room, now)
    deleted, _ = RoomParticipant.objects.filter(room=room, user=user).delete()
    if not deleted:
        return
    _close_presence(room, user.pk, now)
    _emit(room, "participant.left", user_id=user.pk)
    remaining = RoomParticipant.objects.filter(room=room)
    if room.host_id == user.pk:
        present = remaining.filter(last_seen_at__gte=now - selectors.presence_window()).order_by("present_since", "pk")
        heir = present.first() or remaining.order_by("joined_at", "pk").first()
        room.host_id = heir.user_id if heir else None
        _emit(room, "room.updated", room=room_settings(room))
    if not remaining.exists():
        _transition(room, "reset", now)


def _open_presence(room: Room, user_id, now: datetime) -> None:
    RoomPresence.objects.filter(room=room, user_id=user_id, ended_at__isnull=True).update(ended_at=now)
    RoomPresence.objects.create(room=room, user_id=user_id, started_at=now, last_seen_at=now)


def _close_presence(room: Room, user_id, now: datetime) -> None:
    """End the user's open stretch now, or at its last sign if they were already gone."""
    window = selectors.presence_window()
    for presence in RoomPresence.objects.filter(room=room, user_id=user_id, ended_at__isnull=True):
        fresh = presence.last_seen_at >= now - window
        presence.ended_at = max(now, presence.last_seen_at) if fresh else presence.last_seen_at
        presence.save(update_fields=["ended_at"])


@transaction.atomic
def presence_signal(*, user, room_id, connections: int = 0, now: datetime | None = None) -> RoomParticipant:
    """A sign of life from a participant (REST heartbeat, WebSocket ping, an open socket's periodic
    check): it continues their presence, or starts a new stretch after a silence longer than the
    presence window. ``connections`` adds to (or, negative, takes from) their open-socket count.
    Not in the room: 409."""
    now = now or timezone.now()
    participant = (
        RoomParticipant.objects.select_for_update().select_related("user").filter(room_id=room_id, user=user).first()
    )
    if participant is None:
        raise Conflict("You are not in this room: join it first.")
    window = selectors.presence_window()
    open_stretch = RoomPresence.objects.filter(room_id=room_id, user=user, ended_at__isnull=True).first()
    if open_stretch is not None and open_stretch.last_seen_at >= now - window:
        if now > open_stretch.last_seen_at:
            open_stretch.last_seen_at = now
            open_stretch.save(update_fields=["last_seen_at"])
    else:
        if open_stretch is not None:
            open_stretch.ended_at = open_stretch.last_seen_at
            open_stretch.save(update_fields=["ended_at"])
        RoomPresence.objects.create(room_id=room_id, user=user, started_at=now, last_seen_at=now)
        participant.present_since = now
    participant.last_seen_at = max(now, participant.last_seen_at)
    participant.connections = max(0, participant.connections + connections)
    participant.save(update_fields=["last_seen_at", "present_since", "connections", "updated_at"])
    return participant


@transaction.atomic
def participant_set_status(*, user, room: Room, status: str) -> RoomParticipant:
    room = _lock(room.pk)
    participant = RoomParticipant.objects.select_related("user").filter(room=room, user=user).first()
    if participant is None:
        raise Conflict("You are not in this room: join it first.")
    if participant.status != status:
        participant.status = status
        participant.save(update_fields=["status", "updated_at"])
        _emit(room, "participant.status", participant=selectors.participant_state(participant, host_id=room.host_id))
        room.save(update_fields=["event_seq"])
    return participant


# The timer.


def can_control(room: Room, user) -> bool:
    if room.host_id == user.pk:
        return True
    return room.participants_control and RoomParticipant.objects.filter(room=room, user=user).exists()


@transaction.atomic
def timer_act(*, user, room: Room, action: str) -> Room:
    """Start, pause, resume, reset or skip the room's timer: the host, or any participant when the
    room allows it (``participants_control``). Repeating a start or a pause changes nothing; a
    transition the current status does not allow is a conflict naming it."""
    if action not in TIMER_ACTIONS:
        raise ValueError(action)
    if not can_control(room, user):
        raise PermissionDenied("Only the host runs this room's timer.")
    room = _lock(room.pk)
    now = timezone.now()
    _catch_up(room, now)
    try:
        _transition(room, action, now, actor=user)
    except clock.IllegalTransition as exc:
        raise Conflict(str(exc)) from None
    room.save()
    return room


@transaction.atomic
def timer_end_phase_by_staff(*, room: Room) -> bool:
    """The admin's "end the phase now": a skip, crediting a work phase so far. False when no phase
    is under way."""
    room = _lock(room.pk)
    now = timezone.now()
    _catch_up(room, now)
    try:
        _transition(room, "skip", now)
    except clock.IllegalTransition:
        room.save()
        return False
    room.save()
    return True


def _transition(room: Room, action: str, now: datetime, actor=None) -> None:
    timer, plan = selectors.timer_of(room), selectors.plan_of(room)
    step = getattr(clock, action)
    result = step(timer, plan, now)
    new, ended = result if isinstance(result, tuple) else (result, [])
    if new == timer and not ended:
        return
    _record(room, ended, now)
    _store(room, new)
    _emit(room, "timer.changed", action=action, by=actor.pk if actor else None, timer=selectors.timer_state(room, now))
    _schedule(room)


def _catch_up(room: Room, now: datetime) -> bool:
    """End the phases of the locked ``room`` whose time is up. After a phase nobody was present at
    the end of, the timer stops instead of starting the next phase: an empty room does not run on."""
    if room.timer_status != TimerStatus.RUNNING or room.phase_ends_at > now:
        return False
    new, ended = clock.advance(
        selectors.timer_of(room), selectors.plan_of(room), now, keep_going=lambda phase: _anyone_present(room, phase)
    )
    _record(room, ended, now)
    _store(room, new)
    _emit(room, "timer.changed", action="phase_end", by=None, timer=selectors.timer_state(room, now))
    _schedule(room)
    return True


def _anyone_present(room: Room, phase: clock.EndedPhase) -> bool:
    at, window = phase.ended_at, selectors.presence_window()
    return (
        RoomPresence.objects.filter(room=room, started_at__lte=at)
        .filter(Q(ended_at__gte=at) | Q(ended_at__isnull=True, last_seen_at__gte=at - window))
        .exists()
    )


def _store(room: Room, timer: clock.Timer) -> None:
    room.timer_status = timer.status
    room.timer_phase = timer.phase
    room.phase_index = timer.phase_index
    room.cycle = timer.cycle
    room.phase_started_at = timer.phase_started_at
    room.phase_ends_at = timer.phase_ends_at
    room.phase_planned_seconds = timer.planned_seconds
    room.paused_remaining_seconds = timer.remaining_seconds
    room.phase_pauses = [[start.isoformat(), end.isoformat() if end else None] for start, end in timer.pauses]


def _schedule(room: Room) -> None:
    """Have a worker end the running phase when its time is up (the sweeper is the backstop)."""
    if room.timer_status != TimerStatus.RUNNING:
        return
    from .jobs import end_room_phase

    outbox_enqueue(end_room_phase, str(room.pk), eta=room.phase_ends_at)


def _record(room: Room, ended: list[clock.EndedPhase], now: datetime) -> None:
    for phase in ended:
        room.phases_recorded += 1
        row = RoomPhase.objects.create(
            room=room,
            number=room.phases_recorded,
            phase=phase.phase,
            phase_index=phase.phase_index,
            started_at=phase.started_at,
            ended_at=phase.ended_at,
            planned_seconds=phase.planned_seconds,
            running_seconds=round(phase.running_seconds),
            outcome=phase.outcome,
        )
        credits = _credit(room, row, phase) if phase.phase == Phase.WORK else {}
        _emit(
            room,
            "phase.completed",
            phase={
                "number": row.number,
                "phase": row.phase,
                "phase_index": row.phase_index,
                "started_at": row.started_at,
                "ended_at": row.ended_at,
                "outcome": row.outcome,
            },
            credits=credits,
        )


def _credit(room: Room, row: RoomPhase, phase: clock.EndedPhase) -> dict:
    """One verified session per user present during the work phase, less the time their own focus
    timer counts (an active one up to its planned end at most); returns minutes by user id."""
    start, end, window = phase.started_at, phase.ended_at, selectors.presence_window()
    presence: dict = {}
    stretches = RoomPresence.objects.filter(room=room, started_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start)
    )
    for stretch in stretches:
        if stretch.ended_at is not None:
            until = stretch.ended_at
        elif stretch.last_seen_at >= end - window:
            until = end
        else:
            until = stretch.last_seen_at
        presence.setdefault(stretch.user_id, []).append((stretch.started_at, until))
    if not presence:
        return {}
    own: dict = {}
    personal = StudySession.objects.filter(
        user_id__in=presence,
        source=SessionSource.TIMER,
        session_type=SessionType.FOCUS,
        verified=True,
        started_at__lt=end,
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
    rows = personal.values_list("user_id", "started_at", "ended_at", "planned_duration")
    for user_id, started, ended, planned in rows:
        own.setdefault(user_id, []).append((started, ended or min(end, _planned_end(started, planned))))
    users = get_user_model().objects.in_bulk(list(presence))
    planned = timedelta(seconds=phase.planned_seconds)
    needed = (planned - completion_grace(planned)).total_seconds()
    sessions = []
    for user_id, intervals in presence.items():
        credited = clock.subtract(clock.intersect(intervals, phase.running), own.get(user_id, []))
        seconds = int(clock.total_seconds(credited))
        if seconds < settings.LEARNFLOW_ROOM_MIN_CREDIT_SECONDS or user_id not in users:
            continue
        user = users[user_id]
        session_start = credited[0][0]
        sessions.append(
            StudySession(
                user=user,
                session_type=SessionType.FOCUS,
                topic=room.name[:200],
                group_id=room.group_id,
                room=room,
                room_phase=row,
                started_at=session_start,
                local_date=local_now(user_zone(user), session_start).date(),
                ended_at=credited[-1][1],
                planned_duration=phase.planned_seconds // 60,
                duration_seconds=seconds,
                status=SessionStatus.COMPLETED if seconds >= needed else SessionStatus.STOPPED,
                source=SessionSource.ROOM,
                verified=True,
            )
        )
    StudySession.objects.bulk_create(sessions)
    for session in sessions:
        _after_end(session)
    return {str(session.user_id): session.duration_seconds // 60 for session in sessions}


def room_advance(*, room_id, now: datetime | None = None, wait: bool = False) -> bool:
    """End the room's phases whose time is up (the scheduled job, the sweeper and reads call it).
    Returns whether anything changed; a second call for the same phase finds nothing to do. A job or
    the sweeper passes over a room someone else is changing; a reader (``wait``) waits for it."""
    now = now or timezone.now()
    with transaction.atomic():
        rooms = Room.objects.select_for_update(skip_locked=not wait, no_key=True)
        room = rooms.filter(pk=room_id, is_active=True).first()
        if room is None or not _catch_up(room, now):
            return False
        room.save()
        return True


def room_catch_up_due(room: Room) -> bool:
    """Catch up ``room`` if a phase's time is up (a read calls this). Returns whether it was due: then
    the caller reads the room again, which this call or a concurrent one has brought up to date."""
    if room.timer_status == TimerStatus.RUNNING and room.phase_ends_at <= timezone.now():
        room_advance(room_id=room.pk, wait=True)
        return True
    return False


def rooms_catch_up_due(rooms) -> int:
    """Catch up the rooms of ``rooms`` whose phase time is up (a list reads them afterwards): one query
    when none is."""
    due = rooms.filter(timer_status=TimerStatus.RUNNING, phase_ends_at__lte=timezone.now()).values_list("pk", flat=True)
    return sum(room_advance(room_id=pk, wait=True) for pk in due)


def rooms_due(now: datetime | None = None):
    now = now or timezone.now()
    return Room.objects.filter(is_active=True, timer_status=TimerStatus.RUNNING, phase_ends_at__lte=now)


def rooms_sweep(*, now: datetime | None = None) -> dict:
    """The backstop for lost jobs and closed tabs: end every phase whose time is up, close the rooms
    of deleted groups (as their host would: a phase under way is credited), take out participants
    absent longer than ``LEARNFLOW_ROOM_ABSENT_REMOVE_MINUTES`` and those seated in a group room whose
    group they have left, and drop presence stretches no phase can ask about any more. Safe to run
    twice, or in two workers at once."""
    now = now or timezone.now()
    advanced = sum(room_advance(room_id=pk, now=now) for pk in rooms_due(now).values_list("pk", flat=True))
    closed = 0
    for room in Room.objects.filter(is_active=True, group__is_active=False).order_by("pk"):
        with transaction.atomic():
            closed += _close(room, actor=None)
    absent_since = now - timedelta(minutes=settings.LEARNFLOW_ROOM_ABSENT_REMOVE_MINUTES)
    removed = 0
    members = Membership.objects.filter(group_id=OuterRef("room__group_id"), user_id=OuterRef("user_id"))
    out = RoomParticipant.objects.filter(
        Q(last_seen_at__lt=absent_since) | Q(room__group__isnull=False) & ~Exists(members)
    )
    for room_id, user_id in out.values_list("room_id", "user_id"):
        with transaction.atomic():
            room = Room.objects.select_for_update(skip_locked=True, no_key=True).filter(pk=room_id).first()
            if room is None:
                continue
            seat = out.filter(room=room, user_id=user_id)
            if seat.exists():
                _leave(room, seat.first().user, now)
                room.save()
                removed += 1
    stale = now - timedelta(days=1)
    purged, _ = (
        RoomPresence.objects.filter(ended_at__lt=stale)
        .filter(Q(room__phase_started_at__isnull=True) | Q(ended_at__lt=F("room__phase_started_at")))
        .delete()
    )
    return {"advanced": advanced, "closed": closed, "removed": removed, "purged": purged}

"""The room timer as a pure state machine over server timestamps.

Nothing here reads the clock or the database: each transition takes ``now`` and the room's plan and
returns the new state plus the phases that ended on the way, so the REST views, the WebSocket, the
scheduled job and the sweeper all move a timer by the same arithmetic, and tests drive it directly.

States: ``idle`` (nothing started, or reset), ``running``, ``paused`` and ``completed`` (a phase ran
out and the next one waits for a start, because the room does not auto-start it). Phases: ``work``,
``break`` and ``long_break`` (every ``long_break_every``-th break when the room has one). ``cycle``
counts the work phases that ended; ``phase_index`` counts the phases begun since the last reset.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .choices import Phase, PhaseOutcome, TimerStatus

Interval = tuple[datetime, datetime]


class IllegalTransition(Exception):
    """The transition does not apply to the timer's current status (answered as 409)."""

    def __init__(self, action: str, status: str):
        self.action, self.status = action, status
        super().__init__(f"Cannot {action} the timer: it is {status}.")


@dataclass(frozen=True)
class Plan:
    """A room's phase lengths and auto-start rules, in seconds."""

    work_seconds: int
    break_seconds: int
    long_break_seconds: int | None = None
    long_break_every: int | None = None
    auto_start_break: bool = True
    auto_start_work: bool = False

    def seconds(self, phase: str) -> int:
        if phase == Phase.WORK:
            return self.work_seconds
        if phase == Phase.LONG_BREAK and self.long_break_seconds:
            return self.long_break_seconds
        return self.break_seconds

    def next_phase(self, phase: str, cycle: int) -> str:
        """The phase after ``phase``; ``cycle`` already counts a work phase that just ended."""
        if phase != Phase.WORK:
            return Phase.WORK
        if self.long_break_seconds and self.long_break_every and cycle % self.long_break_every == 0:
            return Phase.LONG_BREAK
        return Phase.BREAK

    def auto_starts(self, phase: str) -> bool:
        return self.auto_start_work if phase == Phase.WORK else self.auto_start_break


@dataclass(frozen=True)
class Timer:
    status: str = TimerStatus.IDLE
    phase: str = Phase.WORK
    phase_index: int = 0
    cycle: int = 0
    phase_started_at: datetime | None = None
    phase_ends_at: datetime | None = None
    planned_seconds: int | None = None
    remaining_seconds: float | None = None
    pauses: tuple[tuple[datetime, datetime | None], ...] = field(default_factory=tuple)

    def next_phase(self, plan: Plan) -> str:
        """What a start begins: the current phase when idle, the one after it when completed."""
        if self.status == TimerStatus.COMPLETED:
            return plan.next_phase(self.phase, self.cycle)
        return self.phase

    def remaining(self, plan: Plan, now: datetime) -> float:
        """Seconds left in the running or paused phase; otherwise the length of what a start begins."""
        if self.status == TimerStatus.RUNNING:
            return max(0.0, (self.phase_ends_at - now).total_seconds())
        if self.status == TimerStatus.PAUSED:
            return self.remaining_seconds
        return float(plan.seconds(self.next_phase(plan)))


@dataclass(frozen=True)
class EndedPhase:
    phase: str
    phase_index: int
    started_at: datetime
    ended_at: datetime
    planned_seconds: int
    outcome: str
    running: tuple[Interval, ...]

    @property
    def running_seconds(self) -> float:
        return total_seconds(self.running)


def _begin(timer: Timer, plan: Plan, phase: str, index: int, at: datetime) -> Timer:
    seconds = plan.seconds(phase)
    return replace(
        timer,
        status=TimerStatus.RUNNING,
        phase=phase,
        phase_index=index,
        phase_started_at=at,
        phase_ends_at=at + timedelta(seconds=seconds),
        planned_seconds=seconds,
        remaining_seconds=None,
        pauses=(),
    )


def _end(timer: Timer, at: datetime, outcome: str) -> EndedPhase:
    pauses = [(start, end or at) for start, end in timer.pauses]
    return EndedPhase(
        phase=timer.phase,
        phase_index=timer.phase_index,
        started_at=timer.phase_started_at,
        ended_at=at,
        planned_seconds=timer.planned_seconds,
        outcome=outcome,
        running=subtract([(timer.phase_started_at, at)], pauses),
    )


def _after(timer: Timer, plan: Plan, ended: EndedPhase, start_next: bool) -> Timer:
    cycle = timer.cycle + (1 if ended.phase == Phase.WORK else 0)
    following = plan.next_phase(ended.phase, cycle)
    timer = replace(timer, cycle=cycle)
    if start_next and plan.auto_starts(following):
        return _begin(timer, plan, following, timer.phase_index + 1, ended.ended_at)
    return replace(timer, status=TimerStatus.COMPLETED, phase_ends_at=None, remaining_seconds=None, pauses=())


def advance(
    timer: Timer, plan: Plan, now: datetime, keep_going: Callable[[EndedPhase], bool] = lambda ended: True
) -> tuple[Timer, list[EndedPhase]]:
    """End every phase whose time is up by ``now``, each at its own end (not at ``now``): a timer
    read or swept after downtime catches up phase by phase and credits each phase once. A phase
    after which ``keep_going`` says no leaves the timer ``completed`` instead of auto-starting."""
    ended: list[EndedPhase] = []
    while timer.status == TimerStatus.RUNNING and timer.phase_ends_at <= now:
        phase = _end(timer, timer.phase_ends_at, PhaseOutcome.COMPLETED)
        ended.append(phase)
        timer = _after(timer, plan, phase, start_next=keep_going(phase))
    return timer, ended


def start(timer: Timer, plan: Plan, now: datetime) -> Timer:
    if timer.status == TimerStatus.RUNNING:
        return timer
    if timer.status == TimerStatus.IDLE:
        return _begin(timer, plan, timer.phase, timer.phase_index, now)
    if timer.status == TimerStatus.COMPLETED:
        return _begin(timer, plan, timer.next_phase(plan), timer.phase_index + 1, now)
    raise IllegalTransition("start", timer.status)


def pause(timer: Timer, plan: Plan, now: datetime) -> Timer:
    if timer.status == TimerStatus.PAUSED:
        return timer
    if timer.status != TimerStatus.RUNNING:
        raise IllegalTransition("pause", timer.status)
    return replace(
        timer,
        status=TimerStatus.PAUSED,
        remaining_seconds=(timer.phase_ends_at - now).total_seconds(),
        phase_ends_at=None,
        pauses=(*timer.pauses, (now, None)),
    )


def resume(timer: Timer, plan: Plan, now: datetime) -> Timer:
    if timer.status == TimerStatus.RUNNING:
        return timer
    if timer.status != TimerStatus.PAUSED:
        raise IllegalTransition("resume", timer.status)
    (paused_at, _), earlier = timer.pauses[-1], timer.pauses[:-1]
    return replace(
        timer,
        status=TimerStatus.RUNNING,
        phase_ends_at=now + timedelta(seconds=timer.remaining_seconds),
        remaining_seconds=None,
        pauses=(*earlier, (paused_at, now)),
    )


def skip(timer: Timer, plan: Plan, now: datetime) -> tuple[Timer, list[EndedPhase]]:
    """End the running or paused phase now and begin the next one at once."""
    if timer.status not in (TimerStatus.RUNNING, TimerStatus.PAUSED):
        raise IllegalTransition("skip", timer.status)
    ended = _end(timer, now, PhaseOutcome.SKIPPED)
    cycle = timer.cycle + (1 if ended.phase == Phase.WORK else 0)
    following = plan.next_phase(ended.phase, cycle)
    return _begin(replace(timer, cycle=cycle), plan, following, timer.phase_index + 1, now), [ended]


def reset(timer: Timer, plan: Plan, now: datetime) -> tuple[Timer, list[EndedPhase]]:
    """Back to idle at the first work phase; a running or paused phase ends now (``stopped``)."""
    ended = []
    if timer.status in (TimerStatus.RUNNING, TimerStatus.PAUSED):
        ended.append(_end(timer, now, PhaseOutcome.STOPPED))
    return Timer(), ended


# Interval arithmetic on lists of (start, end) pairs.


def normalize(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-empty, non-overlapping."""
    merged: list[list[datetime]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    a, b = normalize(a), normalize(b)
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    out = []
    cuts = normalize(b)
    for start, end in normalize(a):
        for cut_start, cut_end in cuts:
            if cut_end <= start or cut_start >= end:
                continue
            if cut_start > start:
                out.append((start, cut_start))
            start = max(start, cut_end)
            if start >= end:
                break
        if start < end:
            out.append((start, end))
    return out


def total_seconds(intervals: Iterable[Interval]) -> float:
    return sum((end - start).total_seconds() for start, end in normalize(intervals))

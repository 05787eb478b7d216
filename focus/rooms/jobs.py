"""Celery tasks of focus rooms: the end of a phase, on time, and the sweeper behind it."""

from celery import shared_task

from learnflow.events import REPAIR_JOB_OPTIONS

from . import services


@shared_task(name="focus.end_room_phase", **REPAIR_JOB_OPTIONS)
def end_room_phase(room_id: str) -> bool:
    """Scheduled for a phase's end: end it (record, credit, broadcast, start what follows). A late,
    early or repeated run is harmless: only a phase whose time is up ends, and only once."""
    return services.room_advance(room_id=room_id)


@shared_task(name="focus.sweep_rooms", **REPAIR_JOB_OPTIONS)
def sweep_rooms() -> dict:
    """End overdue phases whose scheduled job was lost, and take long-absent participants out."""
    return services.rooms_sweep()

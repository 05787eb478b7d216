"""``/ws/rooms/{id}/``: a room, live. Only its participants connect (others 4403; a room the user
cannot see, or a closed one, 4404). An open socket keeps its user present."""

import asyncio
from types import SimpleNamespace

from channels.db import database_sync_to_async
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from learnflow.exceptions import Conflict
from learnflow.live import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, LiveConsumer

from . import selectors, services
from .api.serializers import RoomSerializer
from .choices import ParticipantStatus
from .models import RoomParticipant

#: How often an open socket renews its user's presence (well inside the presence window).
PRESENCE_RENEW_SECONDS = 20


def _refusal(user, room_id) -> int | None:
    room = selectors.rooms_visible(user=user).filter(pk=room_id).first()
    if room is None:
        return CLOSE_NOT_FOUND
    if not RoomParticipant.objects.filter(room=room, user=user).exists():
        return CLOSE_FORBIDDEN
    return None


def _snapshot(user, room_id) -> dict:
    room = selectors.rooms_visible(user=user).get(pk=room_id)
    if services.room_catch_up_due(room):
        room = selectors.rooms_visible(user=user).get(pk=room_id)
    now = timezone.now()
    context = {"request": SimpleNamespace(user=user)}
    # The timer and the participants are the selectors' dicts (the REST serializers' shapes, which
    # only pass them through): a full room's snapshot is built for every socket that connects.
    participants = [selectors.participant_state(p, host_id=room.host_id, now=now) for p in
                    selectors.room_participants(room=room)]  # fmt: skip
    return {
        "type": "room.snapshot",
        "room": RoomSerializer(room, context=context).data,
        "timer": selectors.timer_state(room, now),
        "participants": participants,
        "seq": room.event_seq,
        "server_time": now,
    }


def _signal(user, room_id, connections: int = 0) -> bool:
    try:
        services.presence_signal(user=user, room_id=room_id, connections=connections)
    except Conflict:
        return False
    return True


class RoomConsumer(LiveConsumer):
    """On connect, ``room.snapshot`` (room, timer, participants, seq); then the room's events, each
    with the room's ``seq``: ``timer.changed``, ``participant.joined`` / ``.left`` / ``.status``,
    ``phase.completed`` (with ``credited_minutes`` for the receiver), ``room.updated`` and
    ``room.closed``. Client messages: ``ping`` and ``{"type": "status", "status": "active"|"idle"}``.
    A socket whose user leaves the room (or is moved to another one) is closed with 4403, a closed
    room's sockets with 4404."""

    renew_task: asyncio.Task | None = None

    @property
    def room_id(self):
        return self.scope["url_route"]["kwargs"]["room_id"]

    @property
    def user(self):
        return self.scope["user"]

    async def authorize(self) -> list[str] | int:
        refusal = await database_sync_to_async(_refusal)(self.user, self.room_id)
        return refusal if refusal is not None else [services.room_group(self.room_id)]

    async def on_connected(self) -> None:
        await database_sync_to_async(_signal)(self.user, self.room_id, 1)
        try:
            snapshot = await database_sync_to_async(_snapshot)(self.user, self.room_id)
        except ObjectDoesNotExist:
            await self.close(CLOSE_NOT_FOUND)
            return
        await self.send_event(snapshot)
        self.renew_task = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_RENEW_SECONDS)
            if not await database_sync_to_async(_signal)(self.user, self.room_id):
                return

    async def on_disconnected(self) -> None:
        if self.renew_task is not None:
            self.renew_task.cancel()
        await database_sync_to_async(_signal)(self.user, self.room_id, -1)

    async def on_ping(self) -> None:
        await database_sync_to_async(_signal)(self.user, self.room_id)

    async def on_message(self, type: str, content: dict) -> bool:
        if type != "status":
            return False
        status = content.get("status")
        if status not in ParticipantStatus.values:
            await self.send_error("invalid_status", f"status is one of {', '.join(ParticipantStatus.values)}.")
            return True
        try:
            await database_sync_to_async(self._set_status)(status)
        except Conflict as exc:
            await self.send_error("conflict", str(exc))
        return True

    def _set_status(self, status: str) -> None:
        room = selectors.rooms_visible(user=self.user).get(pk=self.room_id)
        services.participant_set_status(user=self.user, room=room, status=status)

    def personalize(self, event: dict) -> dict | None:
        if event.get("type") == "phase.completed":
            credits = event.get("credits") or {}
            event = {k: v for k, v in event.items() if k != "credits"}
            event["credited_minutes"] = credits.get(str(self.user.pk))
        return event

    async def live_event(self, message: dict) -> None:
        await super().live_event(message)
        event = message["event"]
        if event.get("type") == "room.closed":
            await self.close(CLOSE_NOT_FOUND)
        elif event.get("type") == "participant.left" and str(event.get("user_id")) == str(self.user.pk):
            await self.close(CLOSE_FORBIDDEN)

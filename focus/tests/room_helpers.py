"""Helpers the focus-room tests share: requests at a moment of a travelled clock, rooms opened
through the API or the services, and the heartbeats that keep participants present."""

from datetime import UTC, datetime, timedelta

import time_machine

from community.tests.factories import group_with
from focus.rooms import services
from learnflow.testing import client_for

#: A Monday morning, far from any DST change.
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def minutes(n: float, seconds: float = 0) -> timedelta:
    return timedelta(minutes=n, seconds=seconds)


def call(user, method: str, path: str, when: datetime | None = None, body=None):
    """One request of ``user`` (``None``: without a token) at ``when`` (``None``: now), with a token
    issued then, so it is valid then."""
    if when is not None:
        with at(when):
            return call(user, method, path, None, body)
    from rest_framework.test import APIClient

    client = client_for(user) if user is not None else APIClient()
    if method in ("get", "delete") and body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body or {}, format="json")


def make_room(host, when: datetime | None = None, **fields) -> dict:
    """Open a room through the API as ``host`` at ``when`` (``None``: now); its JSON."""
    response = call(host, "post", "/api/rooms/", when, {"name": "Deep work", **fields})
    assert response.status_code == 201, response.json()
    return response.json()


def open_room(host, *guests, when: datetime | None = None, **fields):
    """Open a room through the services at ``when`` (``None``: now) and seat ``guests`` in it."""
    if when is None:
        room = services.room_create(user=host, name=fields.pop("name", "Deep work"), **fields)
        for guest in guests:
            services.room_join(user=guest, room=room)
        return room
    with at(when):
        return open_room(host, *guests, **fields)


def group_room(host, *, leader, admins=(), members=(), **fields):
    """A group room opened by ``host`` (a member) in a new community group led by ``leader``."""
    group = group_with(leader=leader, admins=admins, members=[host, *members])
    return group, open_room(host, group=group, **fields)


def heartbeats(users, room_id, start: datetime, end: datetime, step: timedelta = timedelta(seconds=30)) -> None:
    """Each of ``users`` sends a REST heartbeat every ``step`` from ``start`` to ``end``, in time order
    (a heartbeat reads the room, so it also catches the timer up)."""
    moment = start
    while moment <= end:
        for user in users:
            response = call(user, "post", f"/api/rooms/{room_id}/heartbeat", moment)
            assert response.status_code == 200, response.json()
        moment += step


def signals(users, room_id, start: datetime, end: datetime, step: timedelta = timedelta(seconds=30)) -> None:
    """Each of ``users`` shows a sign of life every ``step`` as an open socket does (no read of the
    room: the timer is not caught up by them)."""
    moment = start
    while moment <= end:
        for user in users:
            services.presence_signal(user=user, room_id=room_id, now=moment)
        moment += step

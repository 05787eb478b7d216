"""Focus rooms under real concurrency: requests and sweepers in threads, each with its own database
connection and real commits. The room's row lock orders them; unique keys catch the rest."""

import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from accounts.tests.factories import UserFactory
from challenges.achievements import achievements_install_defaults
from focus.models import Room, RoomParticipant, RoomPhase, RoomPresence, StudySession
from focus.rooms import services
from learnflow.testing import client_for, wait_for

from .factories import StudySessionFactory
from .room_helpers import T0, at, minutes, open_room, signals

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls) -> list:
    """Run ``calls`` in threads released together; their results (or exceptions), in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, fn):
        try:
            barrier.wait(timeout=10)
            results[index] = fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def joiner(user, room):
    client = client_for(user)
    return lambda: client.post(f"/api/rooms/{room.pk}/join").status_code


def test_parallel_joins_for_the_last_seat_admit_exactly_one():
    # given: one seat left
    room = open_room(UserFactory(), max_participants=2)
    racers = [UserFactory() for _ in range(6)]
    # when
    statuses = at_once(*(joiner(user, room) for user in racers))
    # then
    assert sorted(statuses) == [200] + [409] * 5
    assert RoomParticipant.objects.filter(room=room).count() == 2


def test_parallel_joins_of_one_user_give_one_seat():
    # given: a double click on "join"
    user = UserFactory()
    room = open_room(UserFactory())
    # when
    statuses = at_once(joiner(user, room), joiner(user, room), joiner(user, room))
    # then
    assert statuses == [200, 200, 200]
    assert RoomParticipant.objects.filter(user=user).count() == 1


def test_parallel_joins_of_one_user_to_two_rooms_seat_them_in_one():
    user = UserFactory()
    first, second = open_room(UserFactory(), name="A"), open_room(UserFactory(), name="B")
    statuses = at_once(joiner(user, first), joiner(user, second))
    assert statuses == [200, 200]
    assert RoomParticipant.objects.filter(user=user).count() == 1
    open_stretches = RoomPresence.objects.filter(user=user, ended_at__isnull=True)
    assert list(open_stretches.values_list("room_id", flat=True)) == [RoomParticipant.objects.get(user=user).room_id]


def test_two_sweepers_at_once_record_and_credit_a_phase_once():
    # given: a work phase whose time is up, with three people present to its end
    achievements_install_defaults()
    host, *guests = [UserFactory() for _ in range(3)]
    room = open_room(host, *guests, when=T0, work_minutes=25)
    with at(T0):
        services.timer_act(user=host, room=room, action="start")
    signals([host, *guests], room.pk, T0, T0 + minutes(25))
    end = T0 + minutes(25, 5)
    # when (the clock stands still for every thread, and for the break's job, run eagerly after the commit)
    with at(end):
        results = at_once(*(services.rooms_sweep for _ in range(4)))
    # then
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["advanced"] for r in results) == 1
    assert RoomPhase.objects.filter(room=room).count() == 1
    assert Counter(StudySession.objects.filter(room=room).values_list("user_id", flat=True)) == {
        user.pk: 1 for user in (host, *guests)
    }


def test_a_sweeper_and_the_job_at_once_credit_a_phase_once():
    host = UserFactory()
    room = open_room(host, when=T0, work_minutes=25)
    with at(T0):
        services.timer_act(user=host, room=room, action="start")
    signals([host], room.pk, T0, T0 + minutes(25))
    end = T0 + minutes(25, 5)
    with at(end):
        results = at_once(
            services.rooms_sweep,
            lambda: services.room_advance(room_id=room.pk),
            lambda: client_for(host).get(f"/api/rooms/{room.pk}/timer").status_code,
        )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert StudySession.objects.filter(room=room).count() == 1
    assert RoomPhase.objects.filter(room=room).count() == 1


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_join_and_a_credit_of_the_same_user_in_that_room_do_not_deadlock():
    # given: a phase being credited holds the room's lock and writes the user's session; the user's
    # join waits for that room lock. The session's key check on the user runs at the commit.
    user = UserFactory()
    room = open_room(UserFactory())
    crediting = threading.Event()
    outcome = {}

    def credit():
        try:
            with transaction.atomic():
                Room.objects.select_for_update().get(pk=room.pk)
                StudySessionFactory(user=user)
                crediting.set()
                assert wait_for(_waiting_for_a_lock, timeout=10)
            outcome["credit"] = "committed"
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["credit"] = exc
        finally:
            connection.close()

    def join():
        try:
            assert crediting.wait(timeout=10)
            services.room_join(user=user, room=room)
            outcome["join"] = "joined"
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["join"] = exc
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=credit), threading.Thread(target=join)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert outcome == {"credit": "committed", "join": "joined"}
    assert RoomParticipant.objects.get(user=user).room_id == room.pk


def test_a_sign_of_life_and_closing_the_room_at_once_do_not_deadlock(monkeypatch):
    # given: a guest back after a silence (their sign opens a new stretch of presence, a row pointing
    # at the room whose key is checked at the commit) while the host closes the room
    host, guest = UserFactory(), UserFactory()
    room = open_room(host, guest, when=T0)
    signalled = threading.Event()
    save = RoomParticipant.save

    def save_then_wait_for_the_close(self, *args, **kwargs):
        save(self, *args, **kwargs)
        if threading.current_thread().name == "signal":
            signalled.set()
            assert wait_for(_waiting_for_a_lock, timeout=10)

    monkeypatch.setattr(RoomParticipant, "save", save_then_wait_for_the_close)
    outcome = {}

    def run(name, fn):
        try:
            fn()
            outcome[name] = "done"
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome[name] = exc
        finally:
            connection.close()

    def close():
        assert signalled.wait(timeout=10)
        services.room_close(user=host, room=room)

    # when
    threads = [
        threading.Thread(target=run, args=("signal", lambda: services.presence_signal(user=guest, room_id=room.pk)),
                         name="signal"),
        threading.Thread(target=run, args=("close", close), name="close"),
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert outcome == {"signal": "done", "close": "done"}
    assert not RoomParticipant.objects.filter(room=room).exists()
    assert not RoomPresence.objects.filter(room=room, ended_at__isnull=True).exists()


def test_a_read_while_the_job_ends_the_phase_answers_the_state_after_it():
    # given: the work phase's time is up and its job is ending it (not yet committed)
    host = UserFactory()
    room = open_room(host, when=T0, work_minutes=25)
    with at(T0):
        services.timer_act(user=host, room=room, action="start")
    signals([host], room.pk, T0, T0 + minutes(25))
    ending = threading.Event()
    outcome = {}

    def job():
        try:
            with transaction.atomic():
                outcome["job"] = services.room_advance(room_id=room.pk)
                ending.set()
                assert wait_for(_waiting_for_a_lock, timeout=10)
        finally:
            connection.close()

    with at(T0 + minutes(25, 5)):
        thread = threading.Thread(target=job)
        thread.start()
        assert ending.wait(timeout=10)
        # when
        response = client_for(host).get(f"/api/rooms/{room.pk}/timer")
        thread.join(timeout=30)
    # then: the reader waited for the job, and did not end the phase again
    assert outcome == {"job": True}
    assert (response.json()["phase"], response.json()["status"]) == ("break", "running")
    assert RoomPhase.objects.filter(room=room).count() == 1

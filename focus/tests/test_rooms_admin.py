"""Focus rooms in the admin: the rooms (with their seats and who is present), the timers, the seats
and the finished phases open for staff, and the two actions go through the services."""

import pytest

from accounts.tests.factories import UserFactory
from focus.models import Room, RoomParticipant, RoomPhase, StudySession
from focus.rooms import services

from .room_helpers import T0, at, minutes, open_room, signals

pytestmark = pytest.mark.django_db


@pytest.fixture
def running_room():
    """A room whose host and guest have been present for ten minutes of a running work phase, with a
    finished phase in its history; it is ten past nine."""
    host, guest = UserFactory(), UserFactory()
    room = open_room(host, guest, when=T0, work_minutes=25)
    with at(T0):
        services.timer_act(user=host, room=room, action="start")
    signals([host, guest], room.pk, T0, T0 + minutes(2))
    with at(T0 + minutes(2)):
        services.timer_act(user=host, room=room, action="skip")
        services.timer_act(user=host, room=room, action="skip")
    signals([host, guest], room.pk, T0 + minutes(2), T0 + minutes(10))
    room.refresh_from_db()
    return room


def test_every_room_admin_page_opens(admin_client, running_room):
    phase = RoomPhase.objects.filter(room=running_room).first()
    seat = RoomParticipant.objects.filter(room=running_room).first()
    with at(T0 + minutes(10)):
        pages = {
            "rooms": admin_client.get("/admin/focus/room/"),
            "room": admin_client.get(f"/admin/focus/room/{running_room.pk}/change/"),
            "timers": admin_client.get("/admin/focus/roomtimer/"),
            "timer": admin_client.get(f"/admin/focus/roomtimer/{running_room.pk}/change/"),
            "seats": admin_client.get("/admin/focus/roomparticipant/"),
            "seat": admin_client.get(f"/admin/focus/roomparticipant/{seat.pk}/change/"),
            "phases": admin_client.get("/admin/focus/roomphase/"),
            "phase": admin_client.get(f"/admin/focus/roomphase/{phase.pk}/change/"),
            "search": admin_client.get("/admin/focus/room/?q=Deep"),
            "filtered": admin_client.get("/admin/focus/room/?timer_status__exact=running&is_active__exact=1"),
        }
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    assert running_room.name.encode() in pages["timers"].content


def test_staff_cannot_add_or_delete_rooms_or_phases(admin_client, running_room):
    phase = RoomPhase.objects.filter(room=running_room).first()
    assert admin_client.get(f"/admin/focus/room/{running_room.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/focus/roomtimer/add/").status_code == 403
    assert admin_client.get("/admin/focus/roomphase/add/").status_code == 403
    assert admin_client.get(f"/admin/focus/roomphase/{phase.pk}/delete/").status_code == 403


@pytest.mark.parametrize("changelist", ["room", "roomtimer"])
def test_staff_end_the_current_phase_now(admin_client, running_room, changelist):
    # when
    with at(T0 + minutes(10)):
        response = admin_client.post(
            f"/admin/focus/{changelist}/", {"action": "end_phase", "_selected_action": [str(running_room.pk)]}
        )
    # then: the work phase ended at 09:10 and credited both; the break runs
    assert response.status_code == 302
    running_room.refresh_from_db()
    assert (running_room.timer_status, running_room.timer_phase) == ("running", "break")
    latest = RoomPhase.objects.filter(room=running_room).first()
    assert (latest.phase, latest.outcome, latest.ended_at) == ("work", "skipped", T0 + minutes(10))
    assert StudySession.objects.filter(room_phase=latest).count() == 2


def test_ending_the_phase_of_an_idle_room_changes_nothing(admin_client):
    room = open_room(UserFactory())
    response = admin_client.post("/admin/focus/room/", {"action": "end_phase", "_selected_action": [str(room.pk)]})
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.timer_status == "idle" and not RoomPhase.objects.filter(room=room).exists()


def test_staff_close_the_selected_rooms(admin_client, running_room):
    # given
    other = open_room(UserFactory(), name="Other")
    # when
    with at(T0 + minutes(10)):
        response = admin_client.post(
            "/admin/focus/room/", {"action": "close_rooms", "_selected_action": [str(running_room.pk), str(other.pk)]}
        )
    # then
    assert response.status_code == 302
    assert not Room.objects.filter(is_active=True).exists()
    assert not RoomParticipant.objects.exists()
    running_room.refresh_from_db()
    assert (running_room.timer_status, running_room.host_id) == ("idle", None)
    latest = RoomPhase.objects.filter(room=running_room).first()
    assert (latest.phase, latest.outcome) == ("work", "stopped")
    assert StudySession.objects.filter(room_phase=latest).count() == 2
    assert admin_client.get(f"/admin/focus/room/{running_room.pk}/change/").status_code == 200


def test_a_non_staff_user_cannot_open_the_room_admin(client, running_room):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/admin/focus/room/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_take_a_participant_out_as_if_they_left(admin_client, running_room):
    # given
    host_seat = RoomParticipant.objects.get(room=running_room, user=running_room.host)
    # when
    with at(T0 + minutes(10)):
        response = admin_client.post(
            "/admin/focus/roomparticipant/", {"action": "take_out", "_selected_action": [str(host_seat.pk)]}
        )
    # then: the seat is gone and the guest hosts the room
    assert response.status_code == 302
    running_room.refresh_from_db()
    (guest_seat,) = RoomParticipant.objects.filter(room=running_room)
    assert running_room.host_id == guest_seat.user_id
    assert admin_client.get(f"/admin/focus/roomparticipant/{guest_seat.pk}/delete/").status_code == 403

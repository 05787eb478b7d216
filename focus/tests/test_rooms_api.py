"""Focus rooms through the REST API: who may do what to a room (every operation, for every role, in a
public and in a group room), the answers to bad input, the list's filters and its query counts."""

import pytest

from accounts.tests.factories import UserFactory
from community.choices import GroupType
from community.tests.factories import group_with
from focus.models import Room, RoomParticipant
from focus.rooms import services
from learnflow.testing import client_for, count_queries

from .room_helpers import T0, at, call, group_room, make_room, minutes, open_room, signals

pytestmark = pytest.mark.django_db

ROLES = ("outsider", "member", "participant", "host", "leader", "admin")

#: Every operation on one room: (method, path after /api/rooms/{id}, body, the timer state it needs
#: to be legal for the host).
OPERATIONS = {
    "detail": ("get", "", None, "idle"),
    "patch": ("patch", "", {"description": "Changed"}, "idle"),
    "delete": ("delete", "", None, "idle"),
    "join": ("post", "/join", None, "idle"),
    "leave": ("post", "/leave", None, "idle"),
    "heartbeat": ("post", "/heartbeat", None, "idle"),
    "participants": ("get", "/participants", None, "idle"),
    "participants_me": ("patch", "/participants/me", {"status": "idle"}, "idle"),
    "history": ("get", "/history", None, "idle"),
    "timer": ("get", "/timer", None, "idle"),
    "timer_start": ("post", "/timer/start", None, "idle"),
    "timer_pause": ("post", "/timer/pause", None, "running"),
    "timer_resume": ("post", "/timer/resume", None, "paused"),
    "timer_reset": ("post", "/timer/reset", None, "running"),
    "timer_skip": ("post", "/timer/skip", None, "running"),
}

TIMER_CONTROL = ("timer_start", "timer_pause", "timer_resume", "timer_reset", "timer_skip")

#: What each role gets in a GROUP room. "outsider" is in no group of the room; "member" is in the
#: group but not seated; "participant" is seated; "leader" and "admin" lead the group, unseated.
#: In a PUBLIC room there is no group: anybody unseated gets the "member" column.
#:                  outsider member participant host leader admin
GROUP_ROOM = {
    "detail":          (404, 200, 200, 200, 200, 200),
    "patch":           (404, 403, 403, 200, 200, 200),
    "delete":          (404, 403, 403, 204, 204, 204),
    "join":            (404, 200, 200, 200, 200, 200),
    "leave":           (404, 204, 204, 204, 204, 204),
    "heartbeat":       (404, 409, 200, 200, 409, 409),
    "participants":    (404, 200, 200, 200, 200, 200),
    "participants_me": (404, 409, 200, 200, 409, 409),
    "history":         (404, 200, 200, 200, 200, 200),
    "timer":           (404, 200, 200, 200, 200, 200),
    **dict.fromkeys(TIMER_CONTROL, (404, 403, 403, 200, 403, 403)),
}  # fmt: skip

#: With ``participants_control`` anyone seated runs the timer; nobody unseated does.
PARTICIPANTS_CONTROL = dict.fromkeys(TIMER_CONTROL, (404, 403, 200, 200, 403, 403))


def expected(operation: str, visibility: str, role: str, participants_control: bool = False) -> int:
    table = PARTICIPANTS_CONTROL if participants_control and operation in TIMER_CONTROL else GROUP_ROOM
    column = "member" if visibility == "public" and role == "outsider" else role
    return table[operation][ROLES.index(column)]


def world(visibility: str, **fields):
    """A room in ``visibility`` with a user of every role; returns ``(room, {role: user})``."""
    people = {role: UserFactory(username=role) for role in ROLES}
    if visibility == "group":
        members = [people["participant"], people["member"]]
        _, room = group_room(
            people["host"], leader=people["leader"], admins=[people["admin"]], members=members, **fields
        )
    else:
        room = open_room(people["host"], **fields)
        for role in ("member", "leader", "admin"):
            people.pop(role)
    services.room_join(user=people["participant"], room=room)
    return room, people


def prepare_timer(room, host, state: str) -> None:
    if state in ("running", "paused"):
        services.timer_act(user=host, room=room, action="start")
    if state == "paused":
        services.timer_act(user=host, room=room, action="pause")


def perform(user, room, operation: str):
    method, suffix, body, _ = OPERATIONS[operation]
    return call(user, method, f"/api/rooms/{room.pk}{suffix}", body=body)


def matrix(participants_control: bool = False):
    for visibility in ("public", "group"):
        roles = ROLES if visibility == "group" else ("outsider", "participant", "host")
        for operation in OPERATIONS:
            for role in roles:
                if participants_control and operation not in TIMER_CONTROL:
                    continue
                status = expected(operation, visibility, role, participants_control)
                yield pytest.param(visibility, operation, role, status, id=f"{visibility}-{operation}-{role}-{status}")


# --- the authorization matrix ---------------------------------------------------------------------


@pytest.mark.parametrize(("visibility", "operation", "role", "status"), list(matrix()))
def test_every_room_operation_answers_each_role(visibility, operation, role, status):
    # given
    room, people = world(visibility)
    prepare_timer(room, people["host"], OPERATIONS[operation][3])
    # when
    response = perform(people[role], room, operation)
    # then
    assert response.status_code == status, response.content


@pytest.mark.parametrize(("visibility", "operation", "role", "status"), list(matrix(participants_control=True)))
def test_with_participants_control_anyone_seated_runs_the_timer(visibility, operation, role, status):
    # given
    room, people = world(visibility, participants_control=True)
    prepare_timer(room, people["host"], OPERATIONS[operation][3])
    # when
    response = perform(people[role], room, operation)
    # then
    assert response.status_code == status, response.content


@pytest.mark.parametrize("visibility", ["public", "group"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_room_operation_needs_a_token(visibility, operation):
    room, _ = world(visibility)
    assert perform(None, room, operation).status_code == 401


@pytest.mark.parametrize(("method", "body"), [("get", None), ("post", {"name": "Mine"})])
def test_the_room_list_and_create_need_a_token(method, body):
    assert call(None, method, "/api/rooms/", body=body).status_code == 401


@pytest.mark.parametrize("visibility", ["public", "group"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_closed_room_is_not_found_for_anyone(visibility, operation):
    # given
    room, people = world(visibility)
    services.room_close(user=people["host"], room=room)
    # then: even its former host finds nothing
    for user in people.values():
        assert perform(user, room, operation).status_code == 404, user.username


def test_a_group_room_is_not_listed_for_outsiders():
    # given
    room, people = world("group")
    public = open_room(UserFactory(), name="Open to all")
    # when
    seen = {
        role: {r["id"] for r in call(people[role], "get", "/api/rooms/").json()["results"]}
        for role in ("outsider", "member", "leader")
    }
    # then
    assert seen["outsider"] == {str(public.pk)}
    assert seen["member"] == seen["leader"] == {str(public.pk), str(room.pk)}


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_a_group_leader_or_admin_changes_and_closes_a_group_room_they_do_not_host(role):
    # given
    room, people = world("group")
    # when
    changed = call(people[role], "patch", f"/api/rooms/{room.pk}", body={"work_minutes": 50})
    closed = call(people[role], "delete", f"/api/rooms/{room.pk}")
    # then
    assert changed.status_code == 200 and changed.json()["work_minutes"] == 50
    assert changed.json()["host"]["username"] == "host"
    assert closed.status_code == 204
    room.refresh_from_db()
    assert not room.is_active and room.host is None
    assert not RoomParticipant.objects.filter(room=room).exists()


def test_member_cannot_close_a_group_room():
    room, people = world("group")
    response = call(people["member"], "delete", f"/api/rooms/{room.pk}")
    assert response.status_code == 403
    assert Room.objects.get(pk=room.pk).is_active


def test_a_participant_cannot_change_the_room():
    room, people = world("public")
    response = call(people["participant"], "patch", f"/api/rooms/{room.pk}", body={"max_participants": 3})
    assert response.status_code == 403
    assert Room.objects.get(pk=room.pk).max_participants == 50


def test_the_leader_of_another_group_cannot_see_a_group_room():
    # given
    room, _ = world("group")
    stranger = UserFactory()
    group_with(leader=stranger)
    # then
    assert call(stranger, "patch", f"/api/rooms/{room.pk}", body={"name": "Mine"}).status_code == 404


# --- opening a room in a group ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group_type", "role", "status"),
    [
        (GroupType.COMMUNITY, "member", 201),
        (GroupType.COMMUNITY, "leader", 201),
        (GroupType.LEADER_CONTROLLED, "member", 403),
        (GroupType.LEADER_CONTROLLED, "admin", 201),
        (GroupType.LEADER_CONTROLLED, "leader", 201),
    ],
)
def test_who_opens_a_room_in_a_group(group_type, role, status):
    # given
    people = {name: UserFactory() for name in ("leader", "admin", "member")}
    group = group_with(leader=people["leader"], admins=[people["admin"]], members=[people["member"]],
                       group_type=group_type)  # fmt: skip
    # when
    response = call(people[role], "post", "/api/rooms/", body={"name": "Ours", "group": str(group.pk)})
    # then
    assert response.status_code == status, response.content
    if status == 201:
        body = response.json()
        assert (body["visibility"], body["group"], body["is_host"]) == ("group", str(group.pk), True)
        assert body["participant_count"] == 1 and body["is_participant"]


def test_a_room_cannot_be_opened_in_a_group_one_is_not_in():
    group = group_with(leader=UserFactory())
    response = call(UserFactory(), "post", "/api/rooms/", body={"name": "Theirs", "group": str(group.pk)})
    assert response.status_code == 400
    assert response.json() == {"group": ["No such group."]}


def test_a_room_cannot_be_opened_in_an_inactive_group():
    leader = UserFactory()
    group = group_with(leader=leader, is_active=False)
    response = call(leader, "post", "/api/rooms/", body={"name": "Old", "group": str(group.pk)})
    assert response.status_code == 400
    assert response.json() == {"group": ["No such group."]}


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"work_minutes": 0}, "work_minutes"),
        ({"work_minutes": 181}, "work_minutes"),
        ({"break_minutes": 0}, "break_minutes"),
        ({"break_minutes": 61}, "break_minutes"),
        ({"max_participants": 0}, "max_participants"),
        ({"max_participants": 501}, "max_participants"),
        ({"long_break_minutes": 0, "long_break_every": 4}, "long_break_minutes"),
        ({"long_break_minutes": 61, "long_break_every": 4}, "long_break_minutes"),
        ({"long_break_minutes": 15, "long_break_every": 1}, "long_break_every"),
        ({"long_break_minutes": 15}, "long_break_every"),
        ({"long_break_every": 4}, "long_break_minutes"),
        ({"visibility": "group"}, "group"),
        ({"visibility": "secret"}, "visibility"),
        ({"name": "x" * 101}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"description": "x" * 1001}, "description"),
        ({"work_minutes": "lots"}, "work_minutes"),
        ({"auto_start_work": "maybe"}, "auto_start_work"),
        ({"group": "not-a-uuid"}, "group"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_creating_a_room_with_bad_input_is_400_naming_the_field(user, body, field):
    # when
    response = call(user, "post", "/api/rooms/", body={"name": "Deep work", **body})
    # then
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Room.objects.exists()


def test_a_room_without_a_name_is_400(user):
    response = call(user, "post", "/api/rooms/", body={})
    assert response.status_code == 400
    assert "name" in response.json()


def test_the_bounds_themselves_are_accepted(user):
    body = {"name": "Edge", "work_minutes": 180, "break_minutes": 60, "max_participants": 500,
            "long_break_minutes": 60, "long_break_every": 12}  # fmt: skip
    response = call(user, "post", "/api/rooms/", body=body)
    assert response.status_code == 201, response.content
    response = call(user, "patch", f"/api/rooms/{response.json()['id']}",
                    body={"work_minutes": 1, "break_minutes": 1, "max_participants": 1})  # fmt: skip
    assert response.status_code == 200, response.content


def test_a_new_room_has_the_documented_defaults(user):
    room = make_room(user)
    defaults = {
        "work_minutes": 25, "break_minutes": 5, "long_break_minutes": None, "long_break_every": None,
        "auto_start_break": True, "auto_start_work": False, "participants_control": False, "visibility": "public",
        "group": None, "max_participants": 50, "is_active": True,
    }  # fmt: skip
    assert {key: room[key] for key in defaults} == defaults
    assert room["host"]["id"] == str(user.pk) and room["is_host"] and room["participant_count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"work_minutes": 181}, "work_minutes"),
        ({"break_minutes": 0}, "break_minutes"),
        ({"max_participants": 501}, "max_participants"),
        ({"long_break_minutes": 15}, "long_break_every"),
        ({"long_break_every": 3}, "long_break_minutes"),
        ({"name": ""}, "name"),
        ({"name": "y" * 101}, "name"),
        ({"visibility": "group"}, "visibility"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_changing_a_room_with_bad_input_is_400_naming_the_field(user, body, field):
    # given
    room = make_room(user)
    # when
    response = call(user, "patch", f"/api/rooms/{room['id']}", body=body)
    # then
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Room.objects.get(pk=room["id"]).work_minutes == 25


def test_a_room_s_group_and_visibility_are_fixed_when_it_opens(user):
    # given
    group = group_with(leader=user)
    other = group_with(leader=user)
    room = make_room(user, group=str(group.pk))
    public = make_room(user, name="Open")
    path = f"/api/rooms/{room['id']}"
    # when
    moved = call(user, "patch", path, body={"group": str(other.pk)})
    made_public = call(user, "patch", path, body={"group": None, "visibility": "public"})
    put_in_group = call(user, "patch", f"/api/rooms/{public['id']}", body={"group": str(group.pk)})
    unchanged = call(user, "patch", path, body={"group": str(group.pk), "visibility": "group"})
    # then
    assert moved.status_code == 400 and "group" in moved.json()
    assert made_public.status_code == 400 and "group" in made_public.json()
    assert put_in_group.status_code == 400 and "group" in put_in_group.json()
    assert unchanged.status_code == 200
    assert Room.objects.get(pk=room["id"]).group_id == group.pk


def test_turning_on_a_long_break_needs_both_fields(user):
    room = make_room(user)
    response = call(user, "patch", f"/api/rooms/{room['id']}", body={"long_break_minutes": 15, "long_break_every": 4})
    assert response.status_code == 200
    assert (response.json()["long_break_minutes"], response.json()["long_break_every"]) == (15, 4)
    response = call(user, "patch", f"/api/rooms/{room['id']}", body={"long_break_minutes": None})
    assert response.status_code == 400 and "long_break_minutes" in response.json()
    response = call(user, "patch", f"/api/rooms/{room['id']}", body={"long_break_every": None})
    assert response.status_code == 400 and "long_break_every" in response.json()
    both = {"long_break_minutes": None, "long_break_every": None}
    response = call(user, "patch", f"/api/rooms/{room['id']}", body=both)
    assert response.status_code == 200


@pytest.mark.parametrize("status", ["away", "", None, 3])
def test_a_bad_participant_status_is_400(user, status):
    room = make_room(user)
    response = call(user, "patch", f"/api/rooms/{room['id']}/participants/me", body={"status": status})
    assert response.status_code == 400
    assert "status" in response.json()


def test_a_participant_sets_their_status(user):
    room = make_room(user)
    response = call(user, "patch", f"/api/rooms/{room['id']}/participants/me", body={"status": "idle"})
    assert response.status_code == 200
    assert response.json()["status"] == "idle"
    (row,) = call(user, "get", f"/api/rooms/{room['id']}/participants").json()["results"]
    assert row["status"] == "idle" and row["is_host"] and row["present"] and not row["connected"]


def test_a_malformed_room_id_is_404(user):
    assert call(user, "get", "/api/rooms/not-a-room").status_code == 404
    assert call(user, "get", "/api/rooms/00000000-0000-0000-0000-000000000000/timer").status_code == 404


# --- the list: search and filters ------------------------------------------------------------------


def test_rooms_are_searched_by_name(user):
    make_room(user, name="Calculus grind")
    make_room(UserFactory(), name="Essay writing")
    rows = call(user, "get", "/api/rooms/?search=calc").json()["results"]
    assert [r["name"] for r in rows] == ["Calculus grind"]


def test_rooms_are_filtered_by_group(user):
    group = group_with(leader=user)
    ours = make_room(user, group=str(group.pk))
    make_room(UserFactory(), name="Public")
    rows = call(user, "get", f"/api/rooms/?group={group.pk}").json()["results"]
    assert [r["id"] for r in rows] == [ours["id"]]
    foreign = group_with(leader=UserFactory())
    assert call(user, "get", f"/api/rooms/?group={foreign.pk}").json()["results"] == []
    assert call(user, "get", "/api/rooms/?group=nope").status_code == 400


def test_rooms_are_filtered_by_visibility(user):
    group = group_with(leader=user)
    ours = make_room(user, group=str(group.pk))
    public = make_room(UserFactory(), name="Public")
    assert [r["id"] for r in call(user, "get", "/api/rooms/?visibility=group").json()["results"]] == [ours["id"]]
    assert [r["id"] for r in call(user, "get", "/api/rooms/?visibility=public").json()["results"]] == [public["id"]]
    assert call(user, "get", "/api/rooms/?visibility=secret").status_code == 400


def test_a_public_room_cannot_have_a_group(user):
    group = group_with(leader=user)
    response = call(user, "post", "/api/rooms/", body={"name": "Mixed", "group": str(group.pk), "visibility": "public"})
    assert response.status_code == 400
    assert "visibility" in response.json()


def test_rooms_are_ordered_by_name_or_participants(user):
    open_room(UserFactory(), name="B")
    open_room(UserFactory(), UserFactory(), name="A")
    by_name = call(user, "get", "/api/rooms/?ordering=name").json()["results"]
    by_size = call(user, "get", "/api/rooms/?ordering=-participant_count").json()["results"]
    assert [r["name"] for r in by_name] == ["A", "B"]
    assert [r["participant_count"] for r in by_size] == [2, 1]


def test_rooms_are_filtered_by_free_seats(user):
    # given: a full room of two and a room with a free seat
    full = open_room(UserFactory(), UserFactory(), name="Full", max_participants=2)
    free = open_room(UserFactory(), name="Free", max_participants=2)
    # when
    with_seats = call(user, "get", "/api/rooms/?has_free_seats=true").json()["results"]
    without = call(user, "get", "/api/rooms/?has_free_seats=false").json()["results"]
    # then
    assert [r["id"] for r in with_seats] == [str(free.pk)]
    assert [r["id"] for r in without] == [str(full.pk)]
    assert without[0]["participant_count"] == 2


def test_the_list_shows_the_callers_seat(user):
    mine = open_room(user, name="Mine")
    theirs = open_room(UserFactory(), name="Theirs")
    rows = {r["id"]: r for r in call(user, "get", "/api/rooms/").json()["results"]}
    assert rows[str(mine.pk)]["is_participant"] and rows[str(mine.pk)]["is_host"]
    assert not rows[str(theirs.pk)]["is_participant"] and not rows[str(theirs.pk)]["is_host"]


# --- query counts ---------------------------------------------------------------------------------


def test_the_room_list_costs_the_same_for_1_and_20_rooms(user):
    group = group_with(leader=user)
    open_room(user, group=group)
    client = client_for(user)
    one = count_queries(client, "/api/rooms/", {"page_size": 100})
    for _ in range(19):
        open_room(UserFactory(), UserFactory())
    rows = client.get("/api/rooms/?page_size=100").json()["results"]
    assert len(rows) == 20
    assert count_queries(client, "/api/rooms/", {"page_size": 100}) == one


def test_the_participants_list_costs_the_same_for_1_and_20_participants(user):
    room = open_room(user)
    client = client_for(user)
    one = count_queries(client, f"/api/rooms/{room.pk}/participants")
    for _ in range(19):
        services.room_join(user=UserFactory(), room=room)
    # the full page (20) is counted by its own query (COUNT(*) OVER (), learnflow.pagination)
    assert count_queries(client, f"/api/rooms/{room.pk}/participants") == one


def test_the_history_costs_the_same_for_1_and_20_phases(user):
    # given: a room whose host resets each work phase after two minutes (each credits two people)
    guest = UserFactory()
    room = open_room(user, guest, when=T0)
    client = client_for(user)

    def skip_work(n: int, start):
        for i in range(n):
            begin = start + minutes(10 * i)
            with at(begin):
                services.timer_act(user=user, room=room, action="start")
            signals([user, guest], room.pk, begin, begin + minutes(2))
            with at(begin + minutes(2)):
                services.timer_act(user=user, room=room, action="reset")

    skip_work(1, T0)
    one = count_queries(client, f"/api/rooms/{room.pk}/history", {"page_size": 100})
    skip_work(19, T0 + minutes(20))
    rows = client.get(f"/api/rooms/{room.pk}/history?page_size=100").json()["results"]
    assert [len(row["credited"]) for row in rows] == [2] * 20
    assert count_queries(client, f"/api/rooms/{room.pk}/history", {"page_size": 100}) == one

"""Deleting an account through ``DELETE /api/users/me``, across every app: a user with data in each
(tasks, goals, sessions, a room, challenges, achievements, points, groups, resources, posts,
comments, likes, messages, group chat, notifications, invitations) deletes their account, and each
app's state is checked: their personal data is gone, what others still read stays as from
"deleted user", roles pass on, counters and leaderboards close up."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps

from accounts.avatars import DELETED_AVATAR_URL
from accounts.choices import NotificationKind
from accounts.models import Notification, User
from accounts.tests.factories import DEFAULT_PASSWORD, NotificationFactory, UserFactory
from analytics.leaderboards import focus_totals_refresh
from analytics.models import Streak, WeeklyReview
from challenges.choices import PointsReason
from challenges.models import WeeklyResult
from challenges.services import points_award, weekly_challenges_ensure, weekly_reset
from community.choices import Role
from community.models import Comment, Conversation, Group, GroupMessage, Invitation, Membership, Post, Resource
from community.tests.factories import InvitationFactory, ResourceFactory, group_with
from focus.models import RoomParticipant
from focus.rooms import services as rooms
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for
from tasks.tests.factories import GoalFactory, ProgressFactory

pytestmark = pytest.mark.django_db

#: A Wednesday noon, far from any week or DST boundary.
WEDNESDAY = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)
DELETED_USER = {"id": None, "username": "deleted user", "avatar_url": DELETED_AVATAR_URL}


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json() if response.content else {}


def delete_account(user):
    return client_for(user).delete("/api/users/me", {"password": DEFAULT_PASSWORD}, format="json")


def rows_pointing_at(user_id) -> dict[str, int]:
    """Every row of every model that still refers to the user by a foreign key."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (field.many_to_one or field.one_to_one) and field.concrete and field.related_model is User:
                count = model._default_manager.filter(**{field.name: user_id}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}"] = count
    return found


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """``leaver`` with data in every app, among ``member``, ``admin`` and ``rival`` (who also rank
    on the leaderboards)."""
    with time_machine.travel(WEDNESDAY, tick=True):
        yield _world(django_capture_on_commit_callbacks)


def _world(capture) -> dict:
    leaver, member, admin, rival = (UserFactory(username=name) for name in ("leaver", "member", "admin", "rival"))
    me, them = client_for(leaver), client_for(member)

    # tasks and goals
    ok(me.post("/api/tasks/", {"title": "Read chapter 3"}, format="json"), 201)
    ProgressFactory(goal=GoalFactory(user=leaver))

    # groups: the sole leader of one with an admin and a member, the only member of another
    group = Group.objects.get(pk=ok(me.post("/api/groups/", {"group_name": "Night owls"}, format="json"), 201)["id"])
    ok(them.post(f"/api/groups/{group.pk}/join"), 201)
    ok(client_for(admin).post(f"/api/groups/{group.pk}/join"), 201)
    ok(me.patch(f"/api/groups/{group.pk}/members/role", {"user_id": str(admin.pk), "role": "admin"}, format="json"))
    alone = group_with(leader=leaver, group_name="Just me")
    InvitationFactory(group=group, inviter=leaver, invitee=rival)
    InvitationFactory(group=group_with(leader=member), inviter=member, invitee=leaver)

    # focus: sessions (leaderboards), a room they host with the member seated, a reflection
    for user, sessions in ((leaver, 3), (rival, 2), (member, 1)):
        StudySessionFactory.create_batch(sessions, user=user, group=group if user is leaver else None)
        focus_totals_refresh(user=user)
    room = rooms.room_create(user=leaver, name="Deep work", group=group)
    rooms.room_join(user=member, room=room)
    with capture(execute=True):
        ok(me.post("/api/dashboard/shutdown-reflection", {"productivity_rating": "good"}, format="json"), 201)

    # challenges and points: a joined challenge, points this week and a finished last week
    instance = weekly_challenges_ensure()[0]
    ok(me.post(f"/api/challenges/{instance.pk}/join"))
    for user, points in ((leaver, 100), (rival, 50), (admin, 30)):
        for week_ago in (0, 7):
            points_award(
                user=user,
                points=points,
                reason=PointsReason.STAFF_AWARD,
                source_type="test",
                source_id=f"{user.pk}-{week_ago}",
                occurred_at=WEDNESDAY - timedelta(days=week_ago),
            )
    weekly_reset()

    # forum: their post (liked and commented by the member), their comment and likes on the member's
    with capture(execute=True):
        mine = ok(me.post("/api/community/posts/", {"title": "Mine", "content": "My post."}, format="json"), 201)
    theirs = ok(them.post("/api/community/posts/", {"title": "Theirs", "content": "Their post."}, format="json"), 201)
    ok(them.post(f"/api/community/posts/{mine['id']}/like"))
    ok(them.post(f"/api/community/posts/{mine['id']}/comments", {"content": "Nice"}, format="json"), 201)
    reply = ok(me.post(f"/api/community/posts/{theirs['id']}/comments", {"content": "Agreed"}, format="json"), 201)
    their_comment = ok(
        them.post(f"/api/community/posts/{theirs['id']}/comments", {"content": "Hm"}, format="json"), 201
    )
    ok(me.post(f"/api/community/posts/{theirs['id']}/like"))
    ok(me.post(f"/api/community/comments/{their_comment['id']}/like"))

    # messages: a 1:1 conversation both ways, and the group chat
    ok(me.post("/api/messages/send", {"receiver_id": str(member.pk), "content": "Hi"}, format="json"), 201)
    ok(them.post("/api/messages/send", {"receiver_id": str(leaver.pk), "content": "Hey"}, format="json"), 201)
    said = ok(me.post(f"/api/groups/{group.pk}/messages", {"content": "Library at 6?"}, format="json"), 201)
    body = {"content": "Yes", "reply_to_id": said["id"]}
    ok(them.post(f"/api/groups/{group.pk}/messages", body, format="json"), 201)

    # resources: personal, and a group folder holding the member's resource; progress on it
    ok(me.post("/api/resources/", {"title": "Mine", "resource_type": "link", "url": "https://ex.com/a"}), 201)
    folder = ResourceFactory(uploaded_by=leaver, group=group, folder=True)
    kept = ResourceFactory(uploaded_by=member, group=group, parent_folder=folder)
    ok(me.post(f"/api/resources/{kept.pk}/mark-started"))

    # analytics: a stored weekly review and streak; a notification of their own
    WeeklyReview.objects.create(
        user=leaver,
        week_start=WEDNESDAY.date() - timedelta(days=9),
        week_end=WEDNESDAY.date() - timedelta(days=3),
        weekly_summary="s",
        patterns="p",
        recommendations="r",
        generated_by="offline",
    )
    Streak.objects.get_or_create(user=leaver)
    NotificationFactory(user=leaver)

    return {
        "leaver": leaver,
        "member": member,
        "admin": admin,
        "rival": rival,
        "group": group,
        "alone": alone,
        "room": room,
        "mine": mine,
        "theirs": theirs,
        "reply": reply,
        "their_comment": their_comment,
        "kept": kept,
    }


def test_a_user_with_data_in_every_app_deletes_their_account(world):
    w = world
    leaver, member, admin, rival = w["leaver"], w["member"], w["admin"], w["rival"]
    them = client_for(member)
    # given: the world holds the leaver's data in every app
    held = rows_pointing_at(leaver.pk)
    for label in (
        "tasks.Task.user", "tasks.Goal.user", "focus.StudySession.user", "focus.ShutdownReflection.user",
        "focus.RoomParticipant.user", "focus.RoomPresence.user", "focus.Room.host", "challenges.Participation.user",
        "challenges.PointsEntry.user", "challenges.UserPoints.user", "challenges.WeeklyResult.user",
        "challenges.UserAchievement.user", "community.Membership.user", "community.Invitation.inviter",
        "community.Invitation.invitee", "community.Post.author", "community.Comment.author",
        "community.PostLike.user", "community.CommentLike.user", "community.Conversation.user_a",
        "community.Message.sender", "community.GroupMessage.sender", "community.Resource.uploaded_by",
        "community.ResourceProgress.user", "community.Group.creator", "accounts.Notification.user",
        "analytics.Streak.user", "analytics.FocusTotal.user", "analytics.WeeklyReview.user",
    ):  # fmt: skip
        if label == "community.Conversation.user_a" and label not in held:
            label = "community.Conversation.user_b"
        assert label in held, label

    leaders_before = weekly_leaders(rival)
    board_before = focus_board(rival)
    results_before = last_week_results()

    # when
    response = delete_account(leaver)

    # then: nothing refers to the account any more
    assert response.status_code == 204
    assert not User.objects.filter(pk=leaver.pk).exists()
    assert rows_pointing_at(leaver.pk) == {}

    # groups: leadership passed to the admin (before the longer-standing member), who was told
    group = w["group"]
    assert dict(Membership.objects.filter(group=group).values_list("user__username", "role")) == {
        "member": Role.MEMBER,
        "admin": Role.LEADER,
    }
    assert Notification.objects.filter(user=admin, title="You now lead Night owls").exists()
    assert Group.objects.get(pk=w["alone"].pk).is_active is False
    assert Group.objects.get(pk=group.pk).is_active is True
    assert Invitation.objects.filter(group=group, invitee=rival, inviter__isnull=True).exists()

    # rooms: the member seated with them now hosts the room
    room = ok(them.get(f"/api/rooms/{w['room'].pk}"))
    assert room["host"]["id"] == str(member.pk)
    assert list(RoomParticipant.objects.values_list("user__username", flat=True)) == ["member"]

    # forum: their post and comment stay, from "deleted user"; counters moved with the likes
    post = ok(them.get(f"/api/community/posts/{w['mine']['id']}"))
    assert post["author"] == DELETED_USER
    assert (post["likes"], post["comment_count"], post["content"]) == (1, 1, "My post.")
    theirs = ok(them.get(f"/api/community/posts/{w['theirs']['id']}"))
    assert (theirs["likes"], theirs["comment_count"]) == (0, 2)
    comments = {c["id"]: c for c in ok(them.get(f"/api/community/posts/{w['theirs']['id']}/comments"))}
    assert comments[w["reply"]["id"]]["author"] == DELETED_USER
    assert comments[w["reply"]["id"]]["content"] == "Agreed"
    assert comments[w["their_comment"]["id"]]["likes"] == 0
    assert comments[w["their_comment"]["id"]]["author"]["id"] == str(member.pk)
    assert Post.objects.filter(author__isnull=True).count() == 1
    assert Comment.objects.filter(author__isnull=True).count() == 1

    # group chat: their message stays from "deleted user", the reply to it still points at it
    chat = ok(them.get(f"/api/groups/{group.pk}/messages"))["results"]
    assert [(m["sender"]["username"], m["content"]) for m in chat] == [
        ("member", "Yes"),
        ("deleted user", "Library at 6?"),
    ]
    assert chat[1]["sender"] == DELETED_USER
    assert chat[0]["reply_to_id"] == chat[1]["id"]
    assert GroupMessage.objects.filter(sender__isnull=True).count() == 1

    # direct messages: the conversation is gone for the member too, with its notifications
    assert ok(them.get("/api/messages/conversations"))["results"] == []
    assert ok(them.get("/api/messages/unread-count"))["unread_count"] == 0
    assert not Conversation.objects.exists()
    assert not Notification.objects.filter(user=member, kind=NotificationKind.MESSAGE).exists()

    # resources: theirs are gone; the member's resource in their folder moved to the top level
    kept = Resource.objects.get(pk=w["kept"].pk)
    assert kept.parent_folder_id is None
    assert list(Resource.objects.values_list("pk", flat=True)) == [kept.pk]

    # points and leaderboards: they vanish and everybody ranked behind them moves up one
    assert_closed_up(leaders_before, weekly_leaders(rival), "leaver")
    assert_closed_up(board_before, focus_board(rival), "leaver")
    assert_closed_up(results_before, last_week_results(), "leaver")
    assert weekly_leaders(rival)["rival"][0] == leaders_before["rival"][0] - 1
    assert focus_board(rival) == {"rival": (1, 60), "member": (2, 30)}
    assert last_week_results() == {"rival": (1, 50), "admin": (2, 30)}


def weekly_leaders(user) -> dict[str, tuple[int, int]]:
    rows = ok(client_for(user).get("/api/challenges/leaders"))
    return {User.objects.get(full_name=row["name"]).username: (row["rank"], row["points"]) for row in rows}


def focus_board(user) -> dict[str, tuple[int, int]]:
    rows = ok(client_for(user).get("/api/study-sessions/leaderboards/global"))
    return {row["user"]["username"]: (row["rank"], row["total_minutes"]) for row in rows}


def last_week_results() -> dict[str, tuple[int, int]]:
    week = WEDNESDAY.date() - timedelta(days=9)
    return {r.user.username: (r.rank, r.points) for r in WeeklyResult.objects.filter(week_start__gte=week)}


def assert_closed_up(before: dict, after: dict, gone: str) -> None:
    """``gone`` was ranked before and is not after; whoever had fewer points moved up one, the rest
    kept their rank, and ranks are still "one more than those with more points"."""
    assert gone in before
    assert gone not in after
    assert set(after) == set(before) - {gone}
    gone_points = before[gone][1]
    for name, (rank, points) in after.items():
        assert points == before[name][1]
        assert rank == before[name][0] - (1 if points < gone_points else 0)
        assert rank == 1 + sum(1 for _, other in after.values() if other > points)


def test_the_delete_user_command_does_the_same(world):
    # given
    from django.core.management import call_command

    w = world
    # when
    call_command("delete_user", "leaver", "--yes")
    # then
    assert rows_pointing_at(w["leaver"].pk) == {}
    assert Membership.objects.get(group=w["group"], user=w["admin"]).role == Role.LEADER
    assert ok(client_for(w["member"]).get(f"/api/community/posts/{w['mine']['id']}"))["author"] == DELETED_USER


def test_a_failing_handler_deletes_nothing(world, monkeypatch):
    # given: an app's deletion handler fails half-way
    from learnflow import hooks

    def broken(*, user):
        raise RuntimeError("boom")

    monkeypatch.setitem(hooks.user_deletion_handlers._items, "broken", broken)
    held = rows_pointing_at(world["leaver"].pk)
    # when
    with pytest.raises(RuntimeError):
        delete_account(world["leaver"])
    # then
    assert User.objects.filter(pk=world["leaver"].pk).exists()
    assert rows_pointing_at(world["leaver"].pk) == held

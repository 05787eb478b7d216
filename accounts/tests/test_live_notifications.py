"""``/ws/notifications/``: the user's inbox, live, through the real ASGI application."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from accounts.api.serializers import NotificationSerializer
from accounts.models import Notification
from accounts.services import notification_create
from accounts.tests.factories import NotificationFactory
from learnflow.testing import client_for, ws_connect

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/notifications/"
create = database_sync_to_async(notification_create)


async def open_socket(user) -> tuple:
    ws, connected, detail = await ws_connect(PATH, user=user)
    assert connected, detail
    return ws, await ws.receive_json_from()


async def test_snapshot_on_connect_has_the_unread_count(user, other_user):
    # given
    await database_sync_to_async(NotificationFactory.create_batch)(2, user=user)
    await database_sync_to_async(NotificationFactory)(user=user, read_at="2025-01-01T00:00:00Z")
    await database_sync_to_async(NotificationFactory)(user=other_user)
    # when
    ws, snapshot = await open_socket(user)
    # then
    assert set(snapshot) == {"type", "unread_count", "server_time"}
    assert snapshot["type"] == "notifications.snapshot"
    assert snapshot["unread_count"] == 2
    await ws.disconnect()


async def test_new_notification_is_pushed_as_the_rest_api_shows_it_with_the_unread_count(user):
    # given
    ws, _ = await open_socket(user)
    await database_sync_to_async(NotificationFactory)(user=user)
    # when
    notification, created = await create(user=user, title="Hello", body="World", data={"a": 1}, kind="message")
    # then
    assert created
    event = await ws.receive_json_from()
    assert event["type"] == "notification.created"
    rest = await database_sync_to_async(lambda: dict(NotificationSerializer(notification).data))()
    assert event["notification"] == rest
    assert event["notification"]["title"] == "Hello"
    assert event["unread_count"] == 2
    assert event["server_time"].endswith("Z")
    await ws.disconnect()


async def test_every_socket_of_the_user_gets_the_notification(user):
    # given: two tabs
    first, _ = await open_socket(user)
    second, _ = await open_socket(user)
    # when
    await create(user=user, title="Both tabs")
    # then
    assert (await first.receive_json_from())["notification"]["title"] == "Both tabs"
    assert (await second.receive_json_from())["notification"]["title"] == "Both tabs"
    await first.disconnect()
    await second.disconnect()


async def test_notification_is_not_pushed_when_its_transaction_rolls_back(user):
    # given
    ws, _ = await open_socket(user)

    def rolled_back():
        with transaction.atomic():
            notification_create(user=user, title="Never committed")
            transaction.set_rollback(True)

    # when
    await database_sync_to_async(rolled_back)()
    await create(user=user, title="Committed")
    # then: the first event is the committed one, and the rolled-back row does not count
    event = await ws.receive_json_from()
    assert event["notification"]["title"] == "Committed"
    assert event["unread_count"] == 1
    assert await ws.receive_nothing() is True
    await ws.disconnect()


async def test_notification_is_pushed_only_after_the_outer_transaction_commits(user):
    # given
    ws, _ = await open_socket(user)
    pushed_before_commit = []

    async def probe():
        pushed_before_commit.append(not await ws.receive_nothing(timeout=0.3))

    def inside_a_longer_transaction():
        with transaction.atomic():
            notification_create(user=user, title="Later")
            from asgiref.sync import async_to_sync

            async_to_sync(probe)()

    # when
    await database_sync_to_async(inside_a_longer_transaction)()
    # then
    assert pushed_before_commit == [False]
    assert (await ws.receive_json_from())["notification"]["title"] == "Later"
    await ws.disconnect()


async def test_a_deduplicated_notification_is_pushed_once(user):
    # given
    ws, _ = await open_socket(user)
    # when
    _, first = await create(user=user, title="Reminder", dedupe_key="task:1")
    _, second = await create(user=user, title="Reminder", dedupe_key="task:1")
    # then
    assert (first, second) == (True, False)
    assert (await ws.receive_json_from())["type"] == "notification.created"
    assert await ws.receive_nothing() is True
    await ws.disconnect()


async def test_a_user_never_receives_another_users_notifications(user, other_user):
    # given
    mine, _ = await open_socket(user)
    theirs, _ = await open_socket(other_user)
    # when
    await create(user=other_user, title="For them")
    await create(user=user, title="For me")
    # then
    assert (await mine.receive_json_from())["notification"]["title"] == "For me"
    assert (await theirs.receive_json_from())["notification"]["title"] == "For them"
    assert await mine.receive_nothing() is True
    assert await theirs.receive_nothing() is True
    await mine.disconnect()
    await theirs.disconnect()


async def test_marking_one_read_through_the_api_pushes_the_new_unread_count(user):
    # given
    first, _ = await database_sync_to_async(NotificationFactory.create_batch)(2, user=user)
    ws, _ = await open_socket(user)
    client = client_for(user)
    # when
    response = await database_sync_to_async(client.post)(f"/api/notifications/{first.pk}/read")
    # then
    assert response.status_code == 200
    event = await ws.receive_json_from()
    assert set(event) == {"type", "unread_count", "server_time"}
    assert (event["type"], event["unread_count"]) == ("notifications.unread", 1)
    # when: marking it again changes nothing, so nothing is pushed
    response = await database_sync_to_async(client.post)(f"/api/notifications/{first.pk}/read")
    # then
    assert response.status_code == 200
    assert await ws.receive_nothing() is True
    await ws.disconnect()


async def test_marking_all_read_through_the_api_pushes_zero_once(user):
    # given
    await database_sync_to_async(NotificationFactory.create_batch)(3, user=user)
    ws, snapshot = await open_socket(user)
    assert snapshot["unread_count"] == 3
    client = client_for(user)
    # when
    response = await database_sync_to_async(client.post)("/api/notifications/read-all")
    again = await database_sync_to_async(client.post)("/api/notifications/read-all")
    # then
    assert (response.json(), again.json()) == ({"marked_read": 3}, {"marked_read": 0})
    assert (await ws.receive_json_from())["unread_count"] == 0
    assert await ws.receive_nothing() is True
    await ws.disconnect()


async def test_a_direct_message_sent_through_the_api_reaches_the_receivers_socket(user, other_user):
    # given
    ws, _ = await open_socket(user)
    sender = client_for(other_user)
    # when
    response = await database_sync_to_async(sender.post)(
        "/api/messages/send", {"receiver_id": str(user.pk), "content": "Study at six?"}, format="json"
    )
    # then
    assert response.status_code == 201, response.content
    event = await ws.receive_json_from()
    assert event["notification"]["kind"] == "message"
    assert event["notification"]["body"] == "Study at six?"
    assert event["unread_count"] == 1
    await ws.disconnect()


async def test_after_disconnecting_a_socket_receives_nothing_and_the_inbox_still_fills(user):
    # given
    ws, _ = await open_socket(user)
    await ws.disconnect()
    # when
    await create(user=user, title="While away")
    # then
    assert await database_sync_to_async(Notification.objects.filter(user=user).count)() == 1
    ws, snapshot = await open_socket(user)
    assert snapshot["unread_count"] == 1
    await ws.disconnect()


async def test_deleting_the_account_closes_its_sockets_with_4401(user):
    # given two open tabs of a user whose password is known
    await database_sync_to_async(user.set_password)("pw-goodbye-123")
    await database_sync_to_async(user.save)()
    first, _ = await open_socket(user)
    second, _ = await open_socket(user)

    # when the account is deleted through the API
    client = await database_sync_to_async(client_for)(user)
    response = await database_sync_to_async(client.delete)(
        "/api/users/me", {"password": "pw-goodbye-123"}, format="json"
    )

    # then both sockets are told and closed as unauthenticated
    assert response.status_code == 204
    for ws in (first, second):
        assert (await ws.receive_json_from())["type"] == "account.deleted"
        assert await ws.receive_output() == {"type": "websocket.close", "code": 4401}

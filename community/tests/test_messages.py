"""1:1 messages through the API: one conversation per pair, unread counts, participants only."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from community import messaging
from community.models import Conversation, Message
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db


def send(sender, receiver, content="Hi"):
    return client_for(sender).post(
        "/api/messages/send", {"receiver_id": str(receiver.pk), "content": content}, format="json"
    )


def test_sending_creates_one_conversation_per_pair_and_notifies(user, other_user):
    # when
    first = send(user, other_user, "Hello")
    reply = send(other_user, user, "Hey")
    # then
    assert first.status_code == 201
    assert first.json()["content"] == "Hello"
    assert first.json()["conversation"] == reply.json()["conversation"]
    assert Conversation.objects.count() == 1
    assert Notification.objects.filter(user=other_user, kind="message").count() == 1


@pytest.mark.parametrize("receiver", ["self", "unknown"])
def test_sending_to_oneself_or_nobody_is_400_naming_receiver_id(user, receiver):
    receiver_id = str(user.pk) if receiver == "self" else "00000000-0000-0000-0000-000000000000"
    response = client_for(user).post("/api/messages/send", {"receiver_id": receiver_id, "content": "x"}, format="json")
    assert response.status_code == 400
    assert "receiver_id" in response.json()


def test_content_is_required_and_limited(user, other_user):
    assert "content" in send(user, other_user, "").json()
    assert send(user, other_user, "x" * 5001).status_code == 400


def test_conversations_list_the_last_message_and_my_unread_count(user, other_user):
    # given
    send(user, other_user, "one")
    send(other_user, user, "two")
    send(other_user, user, "three")
    # when
    rows = client_for(user).get("/api/messages/conversations").json()["results"]
    theirs = client_for(other_user).get("/api/messages/conversations").json()["results"]
    # then
    assert len(rows) == 1
    assert rows[0]["other_user"]["username"] == other_user.username
    assert rows[0]["last_message"]["content"] == "three"
    assert rows[0]["unread_count"] == 2
    assert theirs[0]["unread_count"] == 1
    assert client_for(user).get("/api/messages/unread-count").json() == {"unread_count": 2}


def test_reading_a_conversation_marks_only_the_others_messages(user, other_user):
    send(user, other_user, "one")
    conversation_id = send(other_user, user, "two").json()["conversation"]
    response = client_for(user).post(f"/api/messages/conversations/{conversation_id}/read")
    assert response.json() == {"marked_read": 1}
    assert client_for(user).get("/api/messages/unread-count").json() == {"unread_count": 0}
    assert client_for(other_user).get("/api/messages/unread-count").json() == {"unread_count": 1}


def test_a_conversation_is_only_for_its_participants(user, other_user):
    conversation_id = send(user, other_user, "private").json()["conversation"]
    outsider = client_for(UserFactory())
    messages = client_for(other_user).get(f"/api/messages/conversations/{conversation_id}").json()
    assert [m["content"] for m in messages["results"]] == ["private"]
    assert outsider.get(f"/api/messages/conversations/{conversation_id}").status_code == 404
    assert outsider.post(f"/api/messages/conversations/{conversation_id}/read").status_code == 404
    assert outsider.get("/api/messages/conversations").json()["results"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/messages/send"), ("get", "/api/messages/conversations"), ("get", "/api/messages/unread-count")],
)
def test_messages_need_a_token(api_client, method, path):
    assert getattr(api_client, method)(path).status_code == 401


def test_conversation_list_query_count_does_not_grow(user):
    send(UserFactory(), user)
    with CaptureQueriesContext(connection) as one:
        client_for(user).get("/api/messages/conversations")
    for _ in range(15):
        send(UserFactory(), user)
    with CaptureQueriesContext(connection) as many:
        rows = client_for(user).get("/api/messages/conversations").json()["results"]
    assert len(one) == len(many)
    assert len(rows) == 16


def test_the_compiled_conversation_rows_equal_the_orms_and_page_the_same(user):
    # given: conversations with read and unread messages both ways, a user with several
    people = [UserFactory() for _ in range(5)]
    for number, other in enumerate(people):
        for n in range(number + 1):
            send(other, user, f"to you {n}")
        send(user, other, f"to them {number}")
        if number % 2:
            send(other, user, "last word")
    client_for(user).post(f"/api/messages/conversations/{Conversation.objects.first().pk}/read")
    for who in (user, *people):
        expected = [
            {
                "id": c.pk,
                "last_message_at": c.last_message_at,
                "others": {c.user_a.username, c.user_b.username} - {who.username},
                "last": (c.last_content, c.last_sender, c.last_at),
                "unread_count": c.unread_count,
            }
            for c in messaging.conversations_for(user=who)
        ]
        # when
        rows = messaging.conversation_rows(user=who.pk)
        # then
        assert [
            {
                "id": row["id"],
                "last_message_at": row["last_message_at"],
                "others": {row["user_a__username"], row["user_b__username"]} - {who.username},
                "last": (row["last_content"], row["last_sender"], row["last_at"]),
                "unread_count": row["unread_count"],
            }
            for row in rows
        ] == expected
    pages = [client_for(user).get(f"/api/messages/conversations?page_size=2&page={n}") for n in (1, 2, 3, 4)]
    assert [page.status_code for page in pages] == [200, 200, 200, 404]
    assert pages[0].json()["count"] == 5
    listed = [row["id"] for page in pages[:3] for row in page.json()["results"]]
    assert listed == [str(c.pk) for c in messaging.conversations_for(user=user)]


@pytest.mark.django_db(transaction=True)
def test_two_first_messages_at_once_make_one_conversation():
    # given
    ada, grace = UserFactory(), UserFactory()
    barrier = threading.Barrier(2)
    codes = []

    def first_message(sender, receiver):
        client = client_for(sender)
        barrier.wait()
        codes.append(send_with(client, receiver))
        connection.close()

    def send_with(client, receiver):
        return client.post(
            "/api/messages/send", {"receiver_id": str(receiver.pk), "content": "hi"}, format="json"
        ).status_code

    threads = [threading.Thread(target=first_message, args=pair) for pair in ((ada, grace), (grace, ada))]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert codes == [201, 201]
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 2

"""The notifications inbox through the HTTP API: only one's own rows, filters, marking read."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import NotificationKind
from accounts.models import Notification
from accounts.tests.factories import NotificationFactory
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

NOTIFICATION_KEYS = {"id", "kind", "title", "body", "data", "is_read", "read_at", "created_at"}
T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def created_at(when: dt.datetime, **kwargs) -> Notification:
    with time_machine.travel(when, tick=False):
        return NotificationFactory(**kwargs)


def read(**kwargs) -> Notification:
    return NotificationFactory(read_at=timezone.now(), **kwargs)


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


# --- list -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/notifications/", "/api/notifications"])
def test_list_shows_only_own_notifications_newest_first(auth_client, user, other_user, path):
    # given
    oldest = created_at(T0, user=user, title="Oldest")
    newest = created_at(T0 + dt.timedelta(hours=2), user=user, title="Newest")
    middle = created_at(T0 + dt.timedelta(hours=1), user=user, title="Middle")
    created_at(T0 + dt.timedelta(hours=3), user=other_user, title="Someone else's")
    # when
    response = auth_client.get(path)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [row["title"] for row in body["results"]] == ["Newest", "Middle", "Oldest"]
    assert ids(response) == [str(newest.pk), str(middle.pk), str(oldest.pk)]


def test_list_rows_have_the_notification_shape(auth_client, user):
    # given
    notification = created_at(
        T0, user=user, kind=NotificationKind.MESSAGE, title="New message", body="Hi", data={"conversation": 7}
    )
    # when
    response = auth_client.get("/api/notifications/")
    # then
    assert response.json()["results"] == [
        {
            "id": str(notification.pk),
            "kind": "message",
            "title": "New message",
            "body": "Hi",
            "data": {"conversation": 7},
            "is_read": False,
            "read_at": None,
            "created_at": "2025-03-10T09:00:00Z",
        }
    ]


@pytest.mark.parametrize(("unread", "expected"), [("true", "unread"), ("false", "read")])
def test_unread_filter(auth_client, user, unread, expected):
    # given
    rows = {"unread": NotificationFactory(user=user), "read": read(user=user)}
    # when
    response = auth_client.get(f"/api/notifications/?unread={unread}")
    # then
    assert response.status_code == 200
    assert ids(response) == [str(rows[expected].pk)]
    assert response.json()["results"][0]["is_read"] is (expected == "read")


def test_kind_filter(auth_client, user):
    # given
    message = NotificationFactory(user=user, kind=NotificationKind.MESSAGE)
    invitation = NotificationFactory(user=user, kind=NotificationKind.INVITATION)
    NotificationFactory(user=user, kind=NotificationKind.SYSTEM)
    # when
    one_kind = auth_client.get("/api/notifications/?kind=message")
    two_kinds = auth_client.get("/api/notifications/?kind=message&kind=invitation")
    # then
    assert ids(one_kind) == [str(message.pk)]
    assert set(ids(two_kinds)) == {str(message.pk), str(invitation.pk)}


def test_unknown_kind_is_400_naming_kind(auth_client, user):
    # given
    NotificationFactory(user=user)
    # when
    response = auth_client.get("/api/notifications/?kind=spam")
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"kind"}


def test_list_query_count_does_not_grow_with_the_number_of_notifications(auth_client, user, django_assert_num_queries):
    # given
    NotificationFactory(user=user)
    with CaptureQueriesContext(connection) as one_row:
        assert auth_client.get("/api/notifications/").json()["count"] == 1
    NotificationFactory.create_batch(24, user=user)
    # when
    # the full page's count comes with the page (learnflow.pagination): no COUNT query
    with django_assert_num_queries(len(one_row.captured_queries)):
        response = auth_client.get("/api/notifications/")
    # then
    assert response.json()["count"] == 25


# --- detail and marking read ------------------------------------------------------------------


def test_get_own_notification(auth_client, user):
    # given
    notification = NotificationFactory(user=user, title="Hello")
    # when
    response = auth_client.get(f"/api/notifications/{notification.pk}/")
    # then
    assert response.status_code == 200
    assert set(response.json()) == NOTIFICATION_KEYS
    assert response.json()["title"] == "Hello"


@pytest.mark.parametrize("path", ["/api/notifications/{id}/read", "/api/notifications/{id}/read/"])
def test_marking_read_sets_is_read_and_read_at(user, path):
    # given
    notification = NotificationFactory(user=user)
    # when
    with time_machine.travel(T0, tick=False):
        response = client_for(user).post(path.format(id=notification.pk))
    # then
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(notification.pk)
    assert response.json()["is_read"] is True
    assert response.json()["read_at"] == "2025-03-10T09:00:00Z"
    notification.refresh_from_db()
    assert notification.read_at == T0


def test_marking_read_twice_keeps_the_first_read_at(user):
    # given
    notification = NotificationFactory(user=user)
    with time_machine.travel(T0, tick=False):
        client = client_for(user)
        client.post(f"/api/notifications/{notification.pk}/read")
    # when
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        response = client.post(f"/api/notifications/{notification.pk}/read")
    # then
    assert response.status_code == 200
    assert response.json()["read_at"] == "2025-03-10T09:00:00Z"
    notification.refresh_from_db()
    assert notification.read_at == T0


def test_another_users_notification_is_404_to_get_and_to_mark_read(auth_client, other_user):
    # given
    foreign = NotificationFactory(user=other_user, title="Private")
    # when
    get = auth_client.get(f"/api/notifications/{foreign.pk}/")
    mark = auth_client.post(f"/api/notifications/{foreign.pk}/read")
    # then
    assert get.status_code == 404
    assert mark.status_code == 404
    assert "Private" not in get.content.decode() + mark.content.decode()
    assert set(get.json()) == {"detail"}
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_unknown_notification_is_404(auth_client):
    # when
    response = auth_client.post(f"/api/notifications/{uuid.uuid4()}/read")
    # then
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("path", ["/api/notifications/read-all", "/api/notifications/read-all/"])
def test_read_all_marks_only_own_unread_rows(user, other_user, path):
    # given
    mine = NotificationFactory.create_batch(2, user=user)
    with time_machine.travel(T0 - dt.timedelta(days=1), tick=False):
        already_read = read(user=user)
    foreign = NotificationFactory(user=other_user)
    # when
    with time_machine.travel(T0, tick=False):
        response = client_for(user).post(path)
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"marked_read": 2}
    assert set(Notification.objects.filter(pk__in=[n.pk for n in mine]).values_list("read_at", flat=True)) == {T0}
    already_read.refresh_from_db()
    assert already_read.read_at == T0 - dt.timedelta(days=1)
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_read_all_with_nothing_unread_marks_zero(auth_client, user):
    # given
    read(user=user)
    # when
    response = auth_client.post("/api/notifications/read-all")
    # then
    assert response.json() == {"marked_read": 0}


@pytest.mark.parametrize("path", ["/api/notifications/unread-count", "/api/notifications/unread-count/"])
def test_unread_count_counts_only_own_unread(auth_client, user, other_user, path):
    # given
    NotificationFactory.create_batch(2, user=user)
    read(user=user)
    NotificationFactory(user=other_user)
    # when
    response = auth_client.get(path)
    # then
    assert response.status_code == 200
    assert response.json() == {"unread_count": 2}


def test_unread_count_drops_after_marking_read(auth_client, user):
    # given
    first, _ = NotificationFactory.create_batch(2, user=user)
    # when
    auth_client.post(f"/api/notifications/{first.pk}/read")
    # then
    assert auth_client.get("/api/notifications/unread-count").json() == {"unread_count": 1}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/notifications/"),
        ("get", "/api/notifications/unread-count"),
        ("post", "/api/notifications/read-all"),
        ("get", "/api/notifications/{id}/"),
        ("post", "/api/notifications/{id}/read"),
    ],
)
def test_notifications_are_401_without_a_token(api_client, user, method, path):
    # given
    notification = NotificationFactory(user=user)
    # when
    response = getattr(api_client, method)(path.format(id=notification.pk))
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    notification.refresh_from_db()
    assert notification.read_at is None

"""The API's cache of the token's user (accounts.authentication): one query fewer per request, and
every change to the user seen by the very next request: deactivated, deleted, a new password, a new
tier (also through the admin's bulk actions); a Redis failure falls back to the database."""

import socket
from datetime import UTC, datetime
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.authentication import _key
from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.LEARNFLOW_AUTH_USER_CACHE_SECONDS = 30


def queries_of(client, path="/api/users/me/") -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


def test_a_cached_user_saves_the_lookup_query():
    # given
    client = client_for(UserFactory())
    # when
    first, second = queries_of(client, "/api/tasks/"), queries_of(client, "/api/tasks/")
    # then
    assert second == first - 1


def test_a_deactivated_user_is_refused_at_once():
    # given
    user = UserFactory()
    client = client_for(user)
    queries_of(client)  # cached
    # when
    user.is_active = False
    user.save()
    response = client.get("/api/users/me/")
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


def test_a_deleted_user_is_refused_at_once():
    # given
    user = UserFactory()
    client = client_for(user)
    queries_of(client)
    # when
    deleted = client.delete("/api/users/me/", {"password": DEFAULT_PASSWORD}, format="json")
    response = client.get("/api/users/me/")
    # then
    assert deleted.status_code == 204
    assert response.status_code == 401
    assert response.json()["code"] == "user_not_found"


def test_a_new_password_is_seen_by_the_next_request():
    # given
    user = UserFactory()
    client = client_for(user)
    queries_of(client)
    # when
    user.set_password("a-New-password-42")
    user.save()
    with_old = client.delete("/api/users/me/", {"password": DEFAULT_PASSWORD}, format="json")
    with_new = client.delete("/api/users/me/", {"password": "a-New-password-42"}, format="json")
    # then: the request's user carries the new password hash, not the cached old one
    assert with_old.status_code == 400
    assert with_new.status_code == 204


def test_a_tier_changed_by_the_admin_bulk_action_is_seen_by_the_next_request(client):
    # given
    user = UserFactory(tier="free")
    api = client_for(user)
    queries_of(api)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    # when
    changed = client.post("/admin/accounts/user/", {"action": "make_premium", "_selected_action": [str(user.pk)]})
    response = api.get("/api/users/me/")
    # then
    assert changed.status_code == 302
    assert response.json()["tier"] == "premium"


def test_a_row_read_before_a_change_cannot_be_cached_after_it():
    # given: a request read the user (not yet cached) just before a change commits
    user = UserFactory()
    stale = User.objects.get(pk=user.pk)
    user.is_active = False
    user.save()
    # when: that request now tries to cache what it read
    added = cache.add(_key(user.pk), stale, timeout=30)
    response = client_for(user).get("/api/users/me/")
    # then
    assert added is False
    assert response.status_code == 401


def test_redis_down_falls_back_to_the_database(settings):
    # given: the cache is a Redis server that is not there (a loopback port nobody listens on)
    user = UserFactory()
    client = client_for(user)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    # when
    response = client.get("/api/users/me/")
    user.is_active = False
    user.save()
    refused = client.get("/api/users/me/")
    # then
    assert response.status_code == 200
    assert refused.status_code == 401


# --- the verified token kept in memory ----------------------------------------------------------


def test_a_token_is_verified_once_then_only_its_expiry_is_checked():
    # given
    client = client_for(UserFactory())
    client.get("/api/users/me/")
    # when
    with mock.patch("jwt.decode", side_effect=AssertionError("decoded again")) as decode:
        response = client.get("/api/users/me/")
    # then
    assert response.status_code == 200
    assert not decode.called


def test_a_token_accepted_before_it_expired_is_refused_once_it_has():
    # given: a token used at once, so it is kept
    user = UserFactory()
    with time_machine.travel(datetime(2031, 1, 6, 9, 0, tzinfo=UTC), tick=False):
        client = client_for(user)
        assert client.get("/api/users/me/").status_code == 200
    # when: fifteen minutes and a second later
    with time_machine.travel(datetime(2031, 1, 6, 9, 15, 1, tzinfo=UTC), tick=False):
        response = client.get("/api/users/me/")
    # then: simplejwt's own refusal
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_forged_signature_is_refused_and_not_kept():
    # given: a genuine token, accepted once, and the same claims with another signature
    user = UserFactory()
    genuine = str(AccessToken.for_user(user))
    forged = genuine.rsplit(".", 1)[0] + "." + ("A" * 43)
    api = APIClient()
    assert api.get("/api/users/me/", HTTP_AUTHORIZATION=f"Bearer {genuine}").status_code == 200
    # when
    first = api.get("/api/users/me/", HTTP_AUTHORIZATION=f"Bearer {forged}")
    second = api.get("/api/users/me/", HTTP_AUTHORIZATION=f"Bearer {forged}")
    # then
    assert (first.status_code, second.status_code) == (401, 401)
